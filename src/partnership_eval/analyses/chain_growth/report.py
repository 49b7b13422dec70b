"""What ``02_chain_growth`` shows, assembled from the growth and intake-dip results."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from partnership_eval.analyses.chain_growth.growth import (
    PACE_CLASSES,
    ChainGrowth,
    chain_performance,
    pace_confusion,
)
from partnership_eval.analyses.chain_growth.intake_dip import IntakeDip, intake_dip
from partnership_eval.data.store import DataTables
from partnership_eval.disclosure import suppress
from partnership_eval.errors import EstimationError
from partnership_eval.exclusions import Counted, concat_exclusions
from partnership_eval.labels import estimate_words, kinds_label, measure_words

CHAIN_MEASURES = ("ks2_rwm_exp", "read_prog", "writ_prog", "mat_prog")
NOT_ESTIMABLE = "intake dip not estimable here"


def introduction(growth: ChainGrowth, area: str) -> str:
    """The report's title and opening paragraph."""
    spec = growth.spec
    founded = "" if spec.min_size <= 1 else f" founded with at least {spec.min_size} schools"
    local = "" if spec.area is None else f" with a school in {area}"
    span = "" if spec.years is None else f", {spec.years[0]} to {spec.years[1]}"
    return (
        f"# How fast do academy chains grow, and does fast growth hurt? ({area})\n\n"
        f"{len(growth.pace):,} chains{founded}{local}{span}. The programme documents "
        "compare English chains with US charter management organisations, which opened "
        "about one school a year for their first six years, about two a year after seven, "
        "and had about 13 schools after ten; some English chains went from 10–12 academies "
        "to 30 or more in three years, and existing schools were said to slip back as "
        "energies went to the new joiners. This report measures both."
    )


def findings(growth: ChainGrowth, dip: IntakeDip | None, area: str) -> list[str]:
    """The report's "What we found": chain growth and the heavy-intake change, in words."""
    head = growth.headline()
    kinds = kinds_label(growth.spec.kind)
    if head["estimate"] is None:
        first = f"There are too few {kinds} ({area}) with a second year to say how fast they grew."
    else:
        added = estimate_words(
            head["estimate"], head["ci_low"], head["ci_high"], growth.level, "schools"
        )
        first = (
            f"{len(growth.pace):,} {kinds} ({area}) added on average {added} in their second year."
        )
    sentences = [first]
    if dip is None:
        sentences.append(
            "No chain had a heavy intake of new schools, so its effect on existing schools cannot be estimated."
        )
    else:
        h, d = dip.headline(), dip.details
        change = estimate_words(
            h["estimate"], h["ci_low"], h["ci_high"], dip.level, "percentage points"
        )
        if dip.warning():
            sentences.insert(
                0,
                "Warning: in the years before a heavy intake, the existing schools of the "
                "chains concerned already moved differently from the comparison schools, so "
                "the change below should not be read as the effect of the intake.",
            )
        sentences += [
            f"In the year a chain took on many new schools, its existing schools' "
            f"{measure_words(dip.spec.outcome).removeprefix('the ')} changed by {change}, "
            "compared with chains that had not taken on many yet or never did.",
            f"That rests on {d['n_chains']:,} chains with a heavy intake and their "
            f"{h['n_treated']:,} existing schools, against {h['n_comparison']:,} schools of other chains.",
        ]
    sentences.append(
        "Chains choose when to grow, often after a good year, so a dip can partly be a "
        "return to normal rather than the cost of growth."
    )
    return sentences


def detection_table(detection: pd.DataFrame) -> pd.DataFrame:
    """:meth:`ChainGrowth.detection` for the reader: one row per true pace, the chance (%)
    of each class for each length of growth."""
    wide = detection[list(reversed(PACE_CLASSES))].unstack("years")
    wide.columns = [f"called {cls}, {years} years at that pace (%)" for cls, years in wide.columns]
    order = [
        f"called {cls}, {years} years at that pace (%)"
        for years in detection.index.get_level_values("years").unique()
        for cls in reversed(PACE_CLASSES)
    ]
    return wide[order].rename_axis("true new schools a year").round(1)


def planted_pace_table(growth: ChainGrowth, truth: pd.DataFrame) -> pd.DataFrame:
    """Synthetic data: chains by planted pace (new schools a year over their fastest spell)
    and the share (%) classed each way, with the number of chains."""
    counts = pace_confusion(
        growth.pace, truth, rate_bands=(0, 1, 2, 3, 4, 6), window=growth.spec.window
    )
    counts = counts[[c for c in reversed(PACE_CLASSES) if c in counts.columns]]
    n = counts.sum(axis=1)
    shares = (100 * counts.div(n.where(n > 0), axis=0)).round(1)
    shares.columns = [f"called {c} (%)" for c in shares.columns]
    return shares.assign(chains=n).rename_axis("planted new schools a year")


def fastest_table(growth: ChainGrowth, n: int = 10) -> pd.DataFrame:
    """The ``n`` fastest growers with their pace, its bounds and the class, in words."""
    level = f"{growth.spec.confidence:.0%}"
    table = growth.fastest(n).set_index("partnership_id")
    out = pd.DataFrame(
        {
            "name": table["name"],
            "first year": table["first_year"].astype(str),
            "schools (last year)": table["size"],
            "year of fastest growth": table["peak_year"].astype(str),
            "schools joined in the spell": table["spell_joiners"],
            "new schools a year": table["rate"].round(2),
            f"new schools a year, at least ({level} confident)": table["rate_low"].round(2),
            "share of the US pace": table["vs_benchmark"].round(2),
            f"share of the US pace, {level} interval from": table["vs_benchmark_low"].round(2),
            "to": table["vs_benchmark_high"].round(2),
            "pace": table["pace"].astype(str),
            "class sure": table["sure"].map({True: "yes", False: "no"}),
            "local authorities": table["n_las"],
        }
    )
    return out.rename_axis("chain")


def dip_sentence(dip: IntakeDip | None, message: str) -> str:
    """The surge-year estimate in one bold sentence (after the warning when a placebo fails)."""
    if dip is None:
        return f"**{message}**"
    lines = message.splitlines()
    estimate = next(line for line in lines if line.startswith("In that year"))
    warning = dip.warning()
    return f"{warning} **{estimate}**" if warning else f"**{estimate}**"


def controls_table(dip: IntakeDip | None) -> pd.DataFrame | None:
    """Who is compared in each surge year, counts of chains and schools."""
    return None if dip is None else suppress(dip.controls())


def try_intake_dip(data: DataTables, kind: str, **options: object) -> tuple[IntakeDip | None, str]:
    """The intake-dip study, or None with the reason it cannot run; and its finding in words."""
    try:
        dip = intake_dip(data, kind, **options)
    except EstimationError as reason:
        return None, f"The intake-dip analysis cannot run here: {reason}"
    return dip, dip.summary()


def dip_headline(dip: IntakeDip | None) -> dict:
    """The report's headline: the surge-year estimate, or why there is none."""
    return dip.headline() if dip is not None else {"label": NOT_ESTIMABLE, "estimate": None}


def dip_by_dose_table(dip: IntakeDip | None) -> pd.DataFrame | None:
    """The surge-year estimate by dose band, disclosure-controlled (pupils of the treated
    schools in the surge year are the base)."""
    if dip is None:
        return None
    estimates = ["estimate", "se", "ci_low", "ci_high", "mean_dose"]
    return suppress(
        dip.by_dose, counts=["n_pupils"], rates={c: "n_pupils" for c in estimates}, decimals=2
    )


def chain_results(
    data: DataTables,
    growth: ChainGrowth,
    *,
    years: tuple[int, int],
    phase: str | None = None,
    measures: Sequence[str] = CHAIN_MEASURES,
) -> Counted:
    """The chains' results in DfE's trust-measure format for the last year with results,
    disclosure-controlled, weakest first; measures with no published value are left out."""
    results = data.outcomes[data.outcomes["year"].between(*years)]
    if phase:
        in_phase = data.schools["phase"].str.lower() == phase.lower()
        results = results[results["urn"].isin(data.schools.loc[in_phase, "urn"])]
    performance, excluded = chain_performance(
        data.memberships, data.partnerships, results, list(growth.spec.kind), measures=measures
    )
    latest = performance[performance["year"] == performance["year"].max()]
    latest = latest[latest["partnership_id"].isin(growth.pace["partnership_id"])]
    names = data.partnerships.set_index("partnership_id")["name"]
    table = latest.assign(
        chain=latest["partnership_id"].map(names), year=latest["year"].astype(str)
    ).set_index("chain")
    shown = [m for m in measures if table[m].notna().any()]
    published = suppress(
        table[["year", "n_schools", "n_pupils", *shown]].sort_values(shown[0] if shown else "year"),
        counts=["n_pupils"],
        rates={m: "n_pupils" for m in shown},
    )
    return Counted(published, excluded)


def all_exclusions(
    growth: ChainGrowth, performance_exclusions: pd.DataFrame, dip: IntakeDip | None
) -> pd.DataFrame:
    """Every set of rows the report's analyses left out, in one table."""
    return concat_exclusions(
        growth.exclusions,
        performance_exclusions,
        dip.exclusions if dip is not None else None,
    )
