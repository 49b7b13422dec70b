"""Selection and mean reversion: why "joiners against the rest" and "before against after" mislead."""

from __future__ import annotations

import numpy as np

from partnership_eval.analyses.primer.intervals import (
    difference_se,
    mean_se,
    normal_claim,
    scale_factor,
)
from partnership_eval.analyses.primer.lesson import Lesson, LessonSpec
from partnership_eval.analyses.primer.timing import simple_truth
from partnership_eval.impact import constant_effect, simulate_staggered_panel, staggered_did

SELECTION_EFFECT = 2.0
BOUNCE_EFFECT = 3.0
LEVEL_GAP = 2.0
"""Points of result per unit of the trait that makes schools less likely to join."""


def selection_lesson(
    seed: int = 0,
    scale: str = "small",
    alpha: float = 0.05,
    before: tuple[int, float, float] | None = None,
) -> Lesson:
    """Joiners differ before anyone joins: the gap after joining is not the effect.

    ``before``: the data's first year and the mean results then of later cluster members
    and of the rest (:func:`.england.pre_join_gap`), quoted.
    """
    sim = simulate_staggered_panel(
        n_units=2000 * scale_factor(scale),
        cohorts=(2014, 2016),
        effect=constant_effect(SELECTION_EFFECT),
        selection=-1.5,
        seed=seed,
    )
    data = sim.data.assign(y=lambda d: d["y"] + LEVEL_GAP * d["x"])
    truth = simple_truth(sim)
    last = data[data["time"] == data["time"].max()]
    gap, gap_se = difference_se(
        last.loc[last["cohort"] > 0, "y"].to_numpy(), last.loc[last["cohort"] == 0, "y"].to_numpy()
    )
    did = staggered_did(data, "y", "unit", "time", "cohort", n_boot=0, alpha=alpha)
    overall = did.aggregate("simple")
    return Lesson(
        heading="Selection",
        question=(
            "Do schools in partnerships get better results? Small rural schools joined "
            "clusters far more often than others, and small rural schools differed before "
            "anyone joined."
        ),
        claims=(
            normal_claim(
                "naive",
                "joiners' results minus everyone else's, in the last year",
                gap,
                gap_se,
                truth,
                alpha,
            ),
            normal_claim(
                "right",
                "difference-in-differences (each school against its own past, Callaway–Sant'Anna)",
                overall.att,
                overall.se,
                truth,
                alpha,
            ),
        ),
        remember=(
            "Compare schools with their own past and with similar schools' past, never "
            "joiners with the rest in one year."
        ),
        data=(
            f"a simulated panel of {data['unit'].nunique():,} schools over ten years in which "
            "schools with low "
            f"results were more likely to join, with a planted effect of {SELECTION_EFFECT:g} "
            "points"
        ),
        spec=LessonSpec("selection", seed, scale, alpha),
        notes=_before_note(before),
        picture=did.plot,
    )


def _before_note(before: tuple[int, float, float] | None) -> tuple[str, ...]:
    if before is None:
        return ()
    year, members, others = before
    return (
        f"In the data this primer was run on, {members:.1f}% of pupils met the standard in "
        f"{year} in the schools that later joined a small-school cluster, against "
        f"{others:.1f}% in the rest — before any cluster had started.",
    )


def _bounce_panel(
    seed: int, n: int, years: np.ndarray, start: int
) -> tuple[np.ndarray, np.ndarray]:
    """Results (schools × years) and who joined: schools after a bad year join more."""
    rng = np.random.default_rng([seed, 17])
    level = rng.normal(60.0, 10.0, size=n)
    year_effect = rng.normal(0.0, 1.0, size=len(years))
    y = level[:, None] + year_effect[None, :] + rng.normal(0.0, 8.0, size=(n, len(years)))
    pre = y[:, years == start - 1][:, 0]
    z = (pre - level.mean()) / pre.std()
    joined = rng.random(n) < 1.0 / (1.0 + np.exp(2.0 + 1.5 * z))
    y[np.ix_(joined, years >= start)] += BOUNCE_EFFECT
    return y, joined


def mean_reversion_lesson(
    seed: int = 0, scale: str = "small", alpha: float = 0.05, bad_year_draws: float | None = None
) -> Lesson:
    """Schools chosen after a bad year bounce back anyway: before/after calls it impact.

    ``bad_year_draws``: the mean transitory draw of synthetic England's clusters started
    after a bad year (from its truth table, see :func:`.england.bad_year_draw`), quoted.
    """
    years = np.arange(2012, 2020)
    start = 2016
    y, joined = _bounce_panel(seed, 3000 * scale_factor(scale), years, start)
    post = y[:, years >= start].mean(axis=1)
    bad_year = y[:, years == start - 1][:, 0]
    earlier = y[:, years < start - 1].mean(axis=1)
    naive, naive_se = mean_se((post - bad_year)[joined])
    change = post - earlier
    right, right_se = difference_se(change[joined], change[~joined])
    notes = ()
    if bad_year_draws is not None:
        notes = (
            "In synthetic England, the clusters that started the year after their worst "
            f"year were on average {abs(bad_year_draws):.1f} points below their usual "
            "level in that year, by luck alone (the generator records it in its truth "
            "table): a before/after comparison would book that bounce as impact.",
        )
    return Lesson(
        heading="Mean reversion",
        question=(
            "Sponsors take on schools, and clusters start, after a bad year. Did results "
            "rise because they joined?"
        ),
        claims=(
            normal_claim(
                "naive",
                "joiners' results after joining minus their bad year",
                naive,
                naive_se,
                BOUNCE_EFFECT,
                alpha,
            ),
            normal_claim(
                "right",
                "change from the years before the bad year, joiners minus non-joiners",
                right,
                right_se,
                BOUNCE_EFFECT,
                alpha,
            ),
        ),
        remember=(
            "A bad year is mostly bad luck, and luck does not repeat: never measure from "
            "the year that got a school chosen."
        ),
        data=(
            f"{len(joined):,} simulated schools whose chance of joining in {start} rose "
            f"after a bad {start - 1}, with a planted effect of {BOUNCE_EFFECT:g} points"
        ),
        spec=LessonSpec("mean_reversion", seed, scale, alpha),
        notes=notes,
    )
