"""The words of the ``01_cluster_impact`` report, written from its results.

Every sentence a reader sees that depends on a number — the introduction, the balance
reading, the overall finding with its warnings, the checks, the truth appendix — is made
here, where its rules (thresholds, wording) are tested, not in the notebook.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact.design import POOL_WORDS, ImpactDesign, MatchedDesign
from partnership_eval.analyses.cluster_impact.estimate import ImpactEstimate, caveats
from partnership_eval.analyses.cluster_impact.outcomes import OUTCOME_LABELS, interval_reading
from partnership_eval.analyses.cluster_impact.robustness import RobustnessResult
from partnership_eval.labels import (
    POINTS,
    estimate_words,
    kinds_label,
    measure_label,
    measure_words,
)

SMD_VISIBLE = 0.1
"""A standardised mean difference above this is a visible imbalance (Austin 2009)."""
PRETEST_ALPHA = 0.05
"""Level at which a failed pre-trend test is flagged."""


def comparison_words(design: ImpactDesign, comparison: str) -> str:
    """Who the treated schools are compared with, in words."""
    threshold = design.options["size_threshold"]
    size = f"under {threshold} pupils" if threshold else "of any size"
    pool = POOL_WORDS[design.options["pool"]]
    return {
        "never_treated": f"never-treated schools {size} from {pool}",
        "not_yet_treated": f"schools {size} from {pool} not (yet) in a partnership",
        "matched": f"never-treated schools {size} from {pool}, matched to the treated "
        "schools on attainment and its trend, Year 6 cohort size and disadvantaged share "
        "before the start, and rurality",
    }[comparison]


def introduction(design: ImpactDesign, main: ImpactEstimate) -> str:
    """The report's title and opening paragraph."""
    kinds = kinds_label(list(design.options["kind"]))
    label = OUTCOME_LABELS.get(main.outcome, main.outcome)
    return (
        f"# Did {kinds} in {design.area} raise attainment?\n\n"
        f"This report estimates the effect of joining one of the {kinds} on {label}, "
        f"comparing the {design.n_treated} schools of {design.area} that joined with "
        f"{design.n_comparison} {comparison_words(design, main.comparison)}, "
        f"{design.years[0]} to {design.years[-1]}. Results are estimates with intervals, "
        "not verdicts: each rests on assumptions the report tests where it can and names "
        "where it cannot."
    )


def balance_reading(matched: MatchedDesign, balance: pd.DataFrame) -> str:
    """How far the comparison schools differ from the treated ones before the start."""
    worst = balance["SMD before"].abs().max()
    worst_after = balance["SMD after"].abs().max()
    text = (
        "Balance of the schools in the estimate: how far the comparison schools differ from "
        "the treated ones before the start, as means and standardised mean differences (SMD; "
        f"above {SMD_VISIBLE} is a visible imbalance), for all comparison schools and for the "
        "matched comparison group (the nearest two for each treated school on these "
        "characteristics, chosen among the schools with usable results). Every value is "
        "from the years before the area's first start, including the yearly trend in "
        "results; rurality is where the school is.\n\n"
        f"Largest imbalance before matching: SMD {worst:.2f}"
        + (" — **the groups differ visibly before the start**." if worst > SMD_VISIBLE else ".")
        + f" After matching: {worst_after:.2f}."
    )
    if matched.dropped_covariates:
        text += (
            " Not known for the treated schools, so not matched on: "
            f"{', '.join(matched.dropped_covariates)}."
        )
    return text


def finding(design: ImpactDesign, main: ImpactEstimate, robust: RobustnessResult) -> str:
    """The overall effect in words, who it speaks for, how to read its interval, warnings."""
    label = OUTCOME_LABELS.get(main.outcome, main.outcome)
    mde = robust.mde.mde if robust.mde is not None else None
    parts = [
        f"**Overall effect: {main.sentence()}**, for the {main.n_treated} {main.population}, "
        f"against {main.n_comparison} {comparison_words(design, main.comparison)}."
    ]
    dropped = design.n_treated - main.n_treated
    if dropped:
        parts.append(
            f"**{dropped} of the {design.n_treated} treated schools are not in this "
            f"estimate**: they have no two years of {label} results to compare (see the "
            "table above), so the estimate speaks for the schools with results."
        )
    parts.append(interval_reading(*main.interval, mde))
    parts.append(
        f"The estimate is the average over schools (each school counts once, whatever its "
        f"size) of the change joining made; its interval allows for {main.inference_words}."
    )
    p = main.pretest_p
    if p is not None and p < PRETEST_ALPHA:
        parts.append(
            f"**Warning: the pre-trend test rejects parallel trends before the start "
            f"(p = {p:.3f}); the estimate should not be read as the effect.**"
        )
    placebo = robust.placebo
    if placebo is not None and placebo.p_value >= main.alpha:
        parts.append(
            f"**Caution: one treated area.** Run on {len(placebo.placebo)} comparison LAs "
            "given pretend clusters, the same design finds estimates this far from zero "
            f"{placebo.p_value:.0%} of the time (placebo-in-space p = {placebo.p_value:.2f}): "
            "an area-wide shock could explain the result as well as the partnership."
        )
    parts += [f"**Caution:** {note}" for note in caveats(design, main)]
    return "\n\n".join(parts)


def checks_reading(main: ImpactEstimate, robust: RobustnessResult) -> str:
    """The pre-trend test, the notes of checks that could not run, and the MDE, in words."""
    lines = []
    p = main.pretest_p
    if p is not None:
        lines.append(
            f"Pre-trend test (all effects before the start are zero): p = {p:.3f}"
            + (
                " — parallel trends are in doubt."
                if p < PRETEST_ALPHA
                else ", no evidence against."
            )
        )
    lines += list(robust.notes.values())
    if robust.mde is not None:
        worded = replace(robust.mde.spec, outcome=measure_label(main.outcome))
        lines.append(replace(robust.mde, spec=worded).summary())
    return "\n\n".join(lines)


def truth_appendix(main: ImpactEstimate, robust: RobustnessResult, synthetic: bool) -> str:
    """On synthetic data, whether the main interval covers the planted effect."""
    truth = main.truth
    if not synthetic or truth is None:
        return "Real data: there is no planted truth to compare with."
    low, high = main.interval
    covered = low <= truth <= high
    twfe = (
        f"{robust.twfe.static.estimate - truth:+.2f} points from it."
        if robust.twfe is not None
        else "not available."
    )
    return (
        f"Planted overall effect for the schools of the main estimate: {truth:.2f}; estimate "
        f"{main.simple.att:.2f} ({low:.2f} to {high:.2f}) — the "
        f"interval {'covers' if covered else '**does not cover**'} it. TWFE, on the same "
        f"schools, is {twfe}"
    )


def truth_table(robust: RobustnessResult) -> pd.DataFrame:
    """Each check beside its planted effect and whether its interval covers it."""
    table = robust.table[["check", "estimate", "ci_low", "ci_high", "truth"]]
    covers = (table["ci_low"] <= table["truth"]) & (table["truth"] <= table["ci_high"])
    return table.assign(covers=np.where(table["truth"].notna(), covers, pd.NA))


def findings(design: ImpactDesign, main: ImpactEstimate, robust: RobustnessResult) -> list[str]:
    """The report's "What we found": the effect and its interval in words, base, caveat."""
    kind = design.options.get("kind", "cluster")
    kinds = kinds_label(kind if isinstance(kind, str) else list(kind))
    sentences = [
        f"Joining one of the {kinds} in {design.area} changed {measure_words(main.outcome)} "
        f"by an estimated {_signed(main)}.",
        f"This rests on {main.n_treated:,} partnership schools with results, compared with "
        f"{main.n_comparison:,} {comparison_words(design, main.comparison)}.",
    ]
    low, high = main.interval
    if np.isfinite(low) and np.isfinite(high):
        sentences.append(
            "The range includes no effect at all, so the data cannot rule out that joining made no difference."
            if low <= 0 <= high
            else "The range excludes no effect: the data are hard to square with no difference."
        )
    p = main.pretest_p
    placebo = robust.placebo
    if p is not None and p < PRETEST_ALPHA:
        caveat = "Before joining, the two groups were already moving apart, so the estimate should not be read as the effect."
    elif placebo is not None and placebo.p_value >= main.alpha:
        caveat = (
            "All the partnership schools are in one area, and pretend partnerships in other "
            "areas give estimates as large, so a change that hit the whole area could explain it."
        )
    else:
        caveat = "It compares similar schools over time; it is not a randomised trial, so other changes at the same time could still play a part."
    sentences.append(caveat)
    return sentences


def _signed(main: ImpactEstimate) -> str:
    unit = POINTS.get(main.outcome, "points")
    return estimate_words(main.simple.att, *main.interval, main.level, unit)
