"""What ``02_chain_growth`` shows, assembled from the growth and intake-dip results."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from partnership_eval.analyses.chain_growth.growth import ChainGrowth, chain_performance
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
        sentences += [
            f"In the year a chain took on many new schools, its existing schools' "
            f"{measure_words(dip.spec.outcome).removeprefix('the ')} changed by {change}, "
            "compared with chains that did not grow that year.",
            f"That rests on {d['n_chains']:,} chains with a heavy intake and their "
            f"{h['n_treated']:,} existing schools, against {h['n_comparison']:,} schools of other chains.",
        ]
    sentences.append(
        "Chains choose when to grow, often after a good year, so a dip can partly be a "
        "return to normal rather than the cost of growth."
    )
    return sentences


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
    table = latest.assign(chain=latest["partnership_id"].map(names)).set_index("chain")
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
