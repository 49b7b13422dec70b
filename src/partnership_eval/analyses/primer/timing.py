"""Staggered timing, parallel trends and the pre-test's size, on simulated panels."""

from __future__ import annotations

import numpy as np

from partnership_eval.analyses.primer.intervals import normal_claim, scale_factor, share_claim
from partnership_eval.analyses.primer.lesson import Lesson, LessonSpec
from partnership_eval.impact import (
    SimulatedPanel,
    bacon_decomposition,
    constant_effect,
    dynamic_effect,
    simulate_staggered_panel,
    staggered_did,
    twfe_did,
)

PRETEST_UNITS = 30
"""Schools in each small study of the pre-test's size."""


def simple_truth(sim: SimulatedPanel) -> float:
    """The planted effect the ``simple`` aggregate targets: the mean over treated school-years."""
    sizes = sim.data.drop_duplicates("unit")["cohort"].value_counts()
    n = sim.truth["cohort"].map(sizes)
    return float((sim.truth["att"] * n).sum() / n.sum())


def timing_lesson(seed: int = 0, scale: str = "small", alpha: float = 0.05) -> Lesson:
    """Two-way fixed effects with staggered starts and growing effects: the sign can flip."""
    sim = simulate_staggered_panel(
        n_units=2000 * scale_factor(scale),
        cohorts=(2012, 2017),
        never_treated_share=0.05,
        effect=dynamic_effect(base=0.0, slope=1.0),
        seed=seed,
    )
    truth = simple_truth(sim)
    data = sim.data
    twfe = twfe_did(data, "y", "unit", "time", "cohort", cluster="unit", alpha=alpha)
    bacon = bacon_decomposition(data, "y", "unit", "time", "cohort")
    did = staggered_did(data, "y", "unit", "time", "cohort", n_boot=0, alpha=alpha).aggregate(
        "simple"
    )
    row = twfe.tidy().iloc[0]
    types = bacon.by_type().set_index("comparison_type")
    forbidden = types.loc["later_vs_earlier_treated"]
    return Lesson(
        heading="Staggered timing",
        question=(
            "Partnerships start in different years and their effects grow as schools work "
            "together. What does the usual regression with school and year effects (two-way "
            "fixed effects) estimate?"
        ),
        claims=(
            normal_claim(
                "naive", "two-way fixed effects coefficient", row.estimate, row.se, truth, alpha
            ),
            normal_claim(
                "right",
                "Callaway–Sant'Anna, each cohort against never-joiners",
                did.att,
                did.se,
                truth,
                alpha,
            ),
        ),
        remember=(
            "With staggered starts, two-way fixed effects compares late joiners with early "
            "ones who are already changing; estimate cohort by cohort instead."
        ),
        data=(
            f"a simulated panel of {data['unit'].nunique():,} schools, most joining in 2012 "
            "or 2017, with an effect growing by one point a year from zero"
        ),
        spec=LessonSpec("timing", seed, scale, alpha),
        notes=(
            "The Goodman-Bacon decomposition splits the fixed-effects coefficient "
            f"({bacon.twfe_estimate:.2f}) into its two-group comparisons. The late joiners "
            f"measured against the early joiners, already treated, carry "
            f"{forbidden['weight']:.0%} of the weight with an estimate of "
            f"{forbidden['estimate']:.2f}: the early joiners' growing effect is subtracted "
            "as if it were a trend.",
        ),
        picture=bacon.plot,
    )


def trends_lesson(seed: int = 0, scale: str = "small", alpha: float = 0.05) -> Lesson:
    """When joiners were on a different path, the pre-test and the event study show it."""
    sim = simulate_staggered_panel(
        n_units=2000 * scale_factor(scale),
        cohorts=(2014, 2016),
        effect=constant_effect(1.0),
        selection=1.0,
        covariate_trend=0.3,
        seed=seed,
    )
    truth = simple_truth(sim)
    plain = staggered_did(sim.data, "y", "unit", "time", "cohort", n_boot=0, alpha=alpha)
    given_x = staggered_did(
        sim.data, "y", "unit", "time", "cohort", covariates=["x"], n_boot=0, alpha=alpha
    )
    a, b = plain.aggregate("simple"), given_x.aggregate("simple")
    return Lesson(
        heading="Parallel trends",
        question=(
            "Difference-in-differences assumes joiners would have moved like the others "
            "without the partnership. Schools that join were already improving faster; what "
            "then?"
        ),
        claims=(
            normal_claim(
                "naive", "difference-in-differences ignoring the trend", a.att, a.se, truth, alpha
            ),
            normal_claim(
                "right",
                "difference-in-differences comparing schools alike in what drives the trend",
                b.att,
                b.se,
                truth,
                alpha,
            ),
        ),
        remember=(
            "Look at the years before joining: if joiners were already pulling away, the "
            "comparison is not like with like."
        ),
        data=(
            f"a simulated panel of {sim.data['unit'].nunique():,} schools; schools with a "
            "trait that raises results each year join more often; planted effect 1 point"
        ),
        spec=LessonSpec("trends", seed, scale, alpha),
        notes=(
            f"The pre-test of the plain design: {plain.pretest().describe()}. With the "
            f"trait taken into account: {given_x.pretest().describe()}. The event study "
            "below shows the plain design's pre-joining estimates drifting away from zero.",
        ),
        picture=plain.plot,
    )


def pretest_size_lesson(
    seed: int = 0, scale: str = "small", alpha: float = 0.05, studies: int = 120
) -> Lesson:
    """How often each pre-test cries wolf on small studies where trends are parallel."""
    studies *= scale_factor(scale)
    sim = simulate_staggered_panel(
        n_units=PRETEST_UNITS * studies,
        periods=range(2010, 2018),
        effect=constant_effect(0.0),
        seed=seed,
    )
    # No effect anywhere, so cohorts can be dealt out: 12 never, 9 in 2014, 9 in 2016 per study.
    position = (sim.data["unit"].to_numpy() - 1) % PRETEST_UNITS
    study = (sim.data["unit"].to_numpy() - 1) // PRETEST_UNITS
    data = sim.data.assign(cohort=np.select([position < 12, position < 21], [0, 2014], 2016))
    rejected = np.zeros(2, dtype=int)
    for _, one in data.groupby(study):
        res = staggered_did(one, "y", "unit", "time", "cohort", n_boot=0, alpha=alpha)
        rejected += [res.pretest("chi2").p_value < alpha, res.pretest().p_value < alpha]
    return Lesson(
        heading="The pre-test's size",
        question=(
            f"A pre-test at {alpha:.0%} should wrongly reject parallel trends in {alpha:.0%} "
            f"of studies where they hold. Does it, with {PRETEST_UNITS} schools?"
        ),
        claims=(
            share_claim(
                "naive",
                "share of studies rejected by the Wald (χ²) test of every pre-period",
                int(rejected[0]),
                studies,
                alpha,
                alpha,
            ),
            share_claim(
                "right",
                "share rejected by the engine's default (a t test of the average pre-period)",
                int(rejected[1]),
                studies,
                alpha,
                alpha,
            ),
        ),
        remember=(
            "A pre-test with few schools can cry wolf: use one whose size is honest, and "
            "read the event study, not only its p-value."
        ),
        data=(
            f"{studies} simulated studies of {PRETEST_UNITS} schools each, trends parallel "
            "by construction"
        ),
        spec=LessonSpec("pretest_size", seed, scale, alpha),
    )
