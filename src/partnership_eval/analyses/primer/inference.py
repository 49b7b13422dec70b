"""One treated area and a null result: what an interval and a minimum detectable effect say."""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.analyses.primer.intervals import (
    difference_se,
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


def school_level_did(panel: pd.DataFrame, area: int) -> tuple[float, float]:
    """``area``'s schools against every other area but the truly treated one: estimate, school SE."""
    others = panel[(panel["area"] != area) & (panel["area"] != 0)]
    mine = panel.loc[panel["area"] == area, "change"].to_numpy()
    return difference_se(mine, others["change"].to_numpy())


def area_lesson(seed: int = 0, scale: str = "small", alpha: float = 0.05) -> Lesson:
    """All treated schools in one LA: school-level intervals ignore the LA's own shocks."""
    n_areas = 40 * scale_factor(scale)
    panel = area_panel(seed, n_areas)
    z = z_value(alpha)
    fits = np.array([school_level_did(panel, a) for a in range(1, n_areas)])
    false_alarms = int(np.sum(np.abs(fits[:, 0]) > z * fits[:, 1]))
    estimate, se = school_level_did(panel, 0)
    placebo = placebo_in_space(
        panel,
        lambda p, a: school_level_did(p, a)[0],
        treated=0,
        areas=range(1, n_areas),
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
            f"{n_areas} simulated LAs of 20 schools with LA × year shocks; LA 0 treated from "
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
        effect=constant_effect(1.0),
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
            f"with a planted effect of 1 point"
        ),
        spec=LessonSpec("mde", seed, scale, alpha),
        notes=(
            f"This estimate {verdict} significant. Its minimum detectable effect is "
            f"{mde.mde:.2f} points (80% power at {alpha:.0%}): the study would miss an "
            f"effect of the true size {1 - mde.power_at(truth):.0%} of the time.",
        ),
        picture=mde.plot,
    )
