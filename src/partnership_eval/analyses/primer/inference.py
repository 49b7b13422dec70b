"""One treated area and a null result: what an interval and a minimum detectable effect say."""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.analyses.primer.intervals import (
    normal_claim,
    scale_factor,
    share_claim,
    z_value,
)
from partnership_eval.analyses.primer.lesson import Claim, Lesson, LessonSpec
from partnership_eval.analyses.primer.timing import simple_truth
from partnership_eval.impact import (
    constant_effect,
    placebo_in_space,
    simulate_staggered_panel,
    staggered_did,
)

AREA_EFFECT = 3.0
START = 2016
YEARS = np.arange(2012, 2020)
NULL_EFFECT = 0.6
"""Planted effect of the small study in the null-result lesson, well below its MDE."""
N_AREAS = 150
"""Areas in the one-area lesson, as many as England's LAs: the placebo interval's ends are
quantiles of the placebo estimates, so with few areas it covers less than its level."""


def area_panel(seed: int, n_areas: int, schools: int = 20, la_year_sd: float = 2.5) -> pd.DataFrame:
    """School changes (mean after ``START`` minus mean before) with LA × year shocks; area 0 treated."""
    rng = np.random.default_rng([seed, 41])
    area = np.repeat(np.arange(n_areas), schools)
    shocks = rng.normal(0.0, la_year_sd, size=(n_areas, len(YEARS)))
    y = (
        rng.normal(60.0, 8.0, size=len(area))[:, None]
        + shocks[area]
        + rng.normal(0.0, 4.0, size=(len(area), len(YEARS)))
    )
    y[np.ix_(area == 0, YEARS >= START)] += AREA_EFFECT
    change = y[:, YEARS >= START].mean(axis=1) - y[:, YEARS < START].mean(axis=1)
    return pd.DataFrame({"area": area, "change": change})


def school_level_dids(panel: pd.DataFrame) -> pd.DataFrame:
    """Each area's schools against every other area but the truly treated one (area 0):
    the difference of mean changes and its school-level (Welch) standard error."""
    g = panel.groupby("area")["change"].agg(n="size", total="sum", squares=lambda c: (c**2).sum())
    own = g.mul(g.index != 0, axis=0)  # what each area removes from the rest (area 0: nothing)
    outside = g.loc[g.index != 0].sum() - own  # every area but 0 and the area itself
    mean_in, mean_out = g["total"] / g["n"], outside["total"] / outside["n"]
    var_in = (g["squares"] - g["n"] * mean_in**2) / (g["n"] - 1)
    var_out = (outside["squares"] - outside["n"] * mean_out**2) / (outside["n"] - 1)
    return pd.DataFrame(
        {
            "estimate": mean_in - mean_out,
            "se": np.sqrt(var_in / g["n"] + var_out / outside["n"]),
        }
    )


def area_lesson(seed: int = 0, scale: str = "small", alpha: float = 0.05) -> Lesson:
    """All treated schools in one LA: school-level intervals ignore the LA's own shocks."""
    n_areas = N_AREAS
    panel = area_panel(seed, n_areas, schools=20 * scale_factor(scale))
    z = z_value(alpha)
    fits = school_level_dids(panel)
    placebos = fits.drop(index=0)
    false_alarms = int(np.sum(np.abs(placebos["estimate"]) > z * placebos["se"]))
    estimate, se = fits.loc[0, "estimate"], fits.loc[0, "se"]
    placebo = placebo_in_space(
        panel,
        lambda _, a: fits.loc[a, "estimate"],
        treated=0,
        areas=placebos.index.tolist(),
        alpha=alpha,
    )
    return Lesson(
        heading="One treated area",
        question=(
            "Every school in a programme is in one local authority, and the LA's results "
            "move together from year to year. How sure can we be of the effect?"
        ),
        claims=(
            share_claim(
                "naive",
                "share of untreated LAs whose school-level interval excludes zero",
                false_alarms,
                n_areas - 1,
                alpha,
                alpha,
            ),
            Claim(
                "right",
                "treated LA's effect, interval from placebo in space",
                placebo.estimate,
                placebo.ci_low,
                placebo.ci_high,
                AREA_EFFECT,
            ),
        ),
        remember=(
            "When treatment varies by area, the area is the unit of evidence: compare the "
            "treated area's estimate with what untreated areas give."
        ),
        data=(
            f"{n_areas} simulated LAs of {panel['area'].value_counts().iloc[0]} schools with "
            "LA × year shocks; LA 0 treated from "
            f"{START} with a planted effect of {AREA_EFFECT:g} points"
        ),
        spec=LessonSpec("one_area", seed, scale, alpha),
        notes=(
            f"The treated LA's school-level interval is {estimate - z * se:.2f} to "
            f"{estimate + z * se:.2f}, far narrower than the placebo one: it allows for "
            "pupils' luck but not for the LA's. Placebo in space pretends each untreated LA "
            f"was treated ({len(placebo.placebo)} of them); the p-value of no effect is "
            f"{placebo.p_value:.3f}.",
        ),
        picture=placebo.plot,
    )


def mde_lesson(seed: int = 0, scale: str = "small", alpha: float = 0.05) -> Lesson:
    """A non-significant result from a small study: it cannot rule out a real effect."""
    sim = simulate_staggered_panel(
        n_units=60 * scale_factor(scale),
        periods=range(2012, 2020),
        cohorts=(2016,),
        never_treated_share=0.5,
        effect=constant_effect(NULL_EFFECT),
        noise_sd=3.0,
        seed=seed,
    )
    truth = simple_truth(sim)
    res = staggered_did(sim.data, "y", "unit", "time", "cohort", n_boot=0, alpha=alpha)
    overall = res.aggregate("simple")
    mde = res.mde()
    significant = overall.ci_low > 0 or overall.ci_high < 0
    verdict = "is" if significant else "is not"
    return Lesson(
        heading="What a null result says",
        question=("A small evaluation finds no significant effect. Does the programme not work?"),
        claims=(
            Claim("naive", "'no significant effect' read as 'no effect'", 0.0, 0.0, 0.0, truth),
            normal_claim(
                "right", "the estimate with its interval", overall.att, overall.se, truth, alpha
            ),
        ),
        remember=(
            "Absence of evidence is not evidence of absence: report the minimum detectable "
            "effect next to every null result."
        ),
        data=(
            f"a simulated study of {sim.data['unit'].nunique()} schools, half joining in 2016, "
            f"with a planted effect of {NULL_EFFECT:g} points"
        ),
        spec=LessonSpec("mde", seed, scale, alpha),
        notes=(
            f"This estimate {verdict} significant. Its minimum detectable effect is "
            f"{mde.mde:.2f} points (80% power at {alpha:.0%}): the study would miss an "
            f"effect of the true size {1 - mde.power_at(truth):.0%} of the time.",
        ),
        picture=mde.plot,
    )
