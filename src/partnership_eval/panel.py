"""Canonical tables → the school × year analysis panel with treatment timing.

Treatment is the first academic year whose KS2 results a partnership could have touched.
KS2 tests are sat in May, so a school joining between 1 September of year Y−1 and 30 April
of year Y is first treated in academic year Y (2015 = 2014/15), and one joining from
1 May is first treated in Y+1. Treatment is absorbing (intention to treat): a school that
later leaves stays in its cohort, as staggered DiD requires. Schools never in such a
partnership have ``first_treated = 0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from partnership_eval.cache import cached
from partnership_eval.data.geography import resolve_las
from partnership_eval.data.schema import OUTCOME_MEASURES, PARTNERSHIP_KINDS
from partnership_eval.data.store import DataTables, read_tables
from partnership_eval.errors import InputError
from partnership_eval.exclusions import exclusion, exclusion_frame

SIZE_BANDS = ("under 75", "75-149", "150-299", "300+")
"""Pupil-number bands; the first two are the 'small schools' of the programme documents."""

Area = str | int | Sequence[str | int] | None

TESTS_MONTH = 5
"""KS2 tests are sat in May: a partnership begun from May can first affect next year's results."""


def as_names(values: str | Sequence[str]) -> tuple[str, ...]:
    """One name or several as a tuple (partnership kinds in a frozen spec)."""
    return (values,) if isinstance(values, str) else tuple(values)


def as_area(area: Area) -> str | tuple[str, ...] | None:
    """An area as a frozen spec holds it: None, one name or code, or a tuple of them."""
    return area if area is None or isinstance(area, str) else tuple(map(str, area))


def as_years(years: tuple[int, int] | None) -> tuple[int, int] | None:
    """A (first, last) pair of academic years as whole numbers, or None."""
    return None if years is None else (int(years[0]), int(years[1]))


def academic_year(dates: pd.Series) -> pd.Series:
    """Academic year (named by the year it ends) containing each date."""
    dates = pd.to_datetime(dates)
    return (dates.dt.year + (dates.dt.month >= 9)).astype("Int64")


def exposure_year(dates: pd.Series, results_month: int = TESTS_MONTH) -> pd.Series:
    """First academic year whose results come after each date (tests sat in ``results_month``).

    A date before ``results_month`` of an academic year falls in that year; from
    ``results_month`` to August it counts from the next year.
    """
    dates = pd.to_datetime(dates)
    return (dates.dt.year + (dates.dt.month >= results_month)).astype("Int64")


def size_band(pupils: pd.Series) -> pd.Series:
    """Ordered size band of each school from its number of pupils."""
    return pd.cut(
        pupils.astype("float64"),
        bins=[-np.inf, 74.5, 149.5, 299.5, np.inf],
        labels=list(SIZE_BANDS),
    )


def area_schools(schools: pd.DataFrame, area: Area) -> pd.DataFrame:
    """Schools in an area: LA names or codes, or region names (all of England if None)."""
    if area is None:
        return schools
    items = [area] if isinstance(area, str | int) else list(area)
    codes = resolve_las(items)
    return schools[schools["la_code"].isin(codes)]


def schools_in_area(data: DataTables, area: str | int) -> pd.DataFrame:
    """The schools of ``area`` (LA name or code, or region); a clear error when the data
    hold none (e.g. an LA outside the small synthetic England)."""
    schools = area_schools(data.schools, area)
    if schools.empty:
        present = ", ".join(sorted(data.schools["la_name"].unique())[:10])
        raise InputError(
            f"no schools in {area!r} in {data.source or 'the data'}; the data cover e.g. {present}"
        )
    return schools


def _as_tables(data: DataTables | str | Path) -> DataTables:
    return data if isinstance(data, DataTables) else read_tables(data)


def memberships_of_kind(
    memberships: pd.DataFrame, partnerships: pd.DataFrame, kind: str | Sequence[str]
) -> pd.DataFrame:
    """Membership rows of partnerships of ``kind`` (one kind or several).

    Raises :class:`~partnership_eval.errors.InputError` naming the parameter
    when a kind is not one of ``PARTNERSHIP_KINDS``.
    """
    kinds = [kind] if isinstance(kind, str) else list(kind)
    unknown = sorted(set(kinds) - set(PARTNERSHIP_KINDS))
    if unknown:
        raise InputError(
            f"unknown partnership kind(s) {unknown} (parameter kind); "
            f"choose from {', '.join(PARTNERSHIP_KINDS)}"
        )
    ids = partnerships.loc[partnerships["kind"].isin(kinds), "partnership_id"]
    return memberships[memberships["partnership_id"].isin(ids)]


def is_member(start: pd.Series, end: pd.Series, at: pd.Series | int) -> pd.Series:
    """Whether a membership running from ``start`` until ``end`` (missing: still a member)
    holds at ``at``: started at or before it and not ended by then.

    Works on dates (member from the joining day until the day before leaving) and on
    academic years (member at the end of the year).
    """
    ended = (end <= at).fillna(False).astype(bool)
    return (start <= at).fillna(False).astype(bool) & ~ended


def first_treated(
    memberships: pd.DataFrame, partnerships: pd.DataFrame, kind: str | Sequence[str]
) -> pd.DataFrame:
    """First academic year each school's results could reflect a partnership of ``kind``.

    Returns one row per treated school: urn, first_treated (see :func:`exposure_year`),
    partnership_id (the partnership it first joined).
    """
    joins = memberships_of_kind(memberships, partnerships, kind).copy()
    joins["first_treated"] = exposure_year(joins["joined"])
    joins = joins.sort_values(["urn", "joined", "partnership_id"])
    first = joins.drop_duplicates("urn", keep="first")
    return first[["urn", "first_treated", "partnership_id"]].reset_index(drop=True)


@dataclass(frozen=True)
class SchoolPanel:
    """The school × year panel and what was left out building it."""

    frame: pd.DataFrame
    exclusions: pd.DataFrame
    synthetic: bool
    kind: tuple[str, ...]
    baseline_years: tuple[int, int]


def build_panel(
    data: DataTables | str | Path,
    kind: str | Sequence[str] = "cluster",
    *,
    area: Area = None,
    years: tuple[int, int] | None = None,
    phase: str | None = None,
    baseline_years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """School × year panel with treatment timing and baseline covariates.

    Parameters
    ----------
    data
        Canonical tables, or the directory holding them.
    kind
        Partnership kind(s) that count as treatment (see ``PARTNERSHIP_KINDS``).
    area
        LA name(s)/code(s) or region name(s); all schools when None.
    years
        Inclusive first and last academic year to keep.
    phase
        Keep only schools of this phase (e.g. "Primary").
    baseline_years
        Years over which baseline attainment and its trend are measured; default: the
        panel years before the earliest cohort, so no treated year leaks into the
        baseline (the first two panel years when there are no treated schools). With
        fewer than two such years the trend is missing.

    Returns
    -------
    SchoolPanel
        ``frame``: one row per school and year with outcomes: urn, year, la_code, la_name, region,
        first_treated (0 = never), treated, partnership_id, in_other_partnership (ever a
        member of a partnership of another kind), other_first_treated (first year it
        could reflect one, 0 = never),
        cohort_n, the outcome measures and their ``<measure>_reason`` columns where the
        source gave reasons, pupils, rural, fsm_pct, size_band, is_academy,
        base_ks2_rwm_exp, base_trend; ``exclusions`` every dropped set of rows (step,
        reason, rows, schools); ``synthetic`` whether the data are synthetic;
        ``baseline_years`` the baseline window.

    Examples
    --------
    >>> panel = build_panel("data/processed", kind="cluster", area="Cumbria")  # doctest: +SKIP
    >>> panel.frame.head()  # doctest: +SKIP

    Built once per data content and arguments, then read from :mod:`partnership_eval.cache`.
    """
    tables = _as_tables(data)
    key = {"kind": kind, "area": area, "years": years, "phase": phase, "baseline": baseline_years}
    return cached(
        "panel", tables, key, lambda: _build_panel(tables, kind, area, years, phase, baseline_years)
    )


def _build_panel(
    tables: DataTables,
    kind: str | Sequence[str],
    area: Area,
    years: tuple[int, int] | None,
    phase: str | None,
    baseline_years: tuple[int, int] | None,
) -> SchoolPanel:
    schools = area_schools(tables.schools, area)
    if phase is not None:
        schools = schools[schools["phase"].str.lower() == phase.lower()]
    if schools.empty:
        raise InputError(f"no schools found for area {area!r} and phase {phase!r}")

    outcomes = tables.outcomes
    exclusions: list[dict] = []
    if years is not None:
        outcomes = outcomes[outcomes["year"].between(*years)]
    in_area = outcomes["urn"].isin(schools["urn"])
    if area is None and phase is None:
        orphan = ~in_area
        if orphan.any():
            exclusions.append(exclusion("outcome rows with no school record", outcomes, orphan))
    outcomes = outcomes[in_area]

    treated = first_treated(tables.memberships, tables.partnerships, kind)
    measures = [m for m in OUTCOME_MEASURES if m in outcomes.columns]
    measures += [f"{m}_reason" for m in measures if f"{m}_reason" in outcomes.columns]
    school_cols = [
        "urn",
        "la_code",
        "la_name",
        "region",
        "pupils",
        "rural",
        "fsm_pct",
        "is_academy",
    ]
    counts = [c for c in ("disadv_n",) if c in outcomes.columns]
    panel = outcomes[["urn", "year", "cohort_n", *counts, *measures]].merge(
        schools[school_cols], on="urn", how="left", validate="many_to_one"
    )
    panel = panel.merge(treated, on="urn", how="left", validate="many_to_one")
    panel["first_treated"] = panel["first_treated"].fillna(0).astype("int64")

    first_year = int(panel["year"].min())
    always = (panel["first_treated"] > 0) & (panel["first_treated"] <= first_year)
    if always.any():
        exclusions.append(
            exclusion(f"treated in or before the first panel year ({first_year})", panel, always)
        )
        panel = panel[~always]

    of_kind = memberships_of_kind(tables.memberships, tables.partnerships, kind)
    other_urns = tables.memberships.drop(index=of_kind.index)["urn"]
    panel["in_other_partnership"] = panel["urn"].isin(other_urns)
    others = sorted(set(tables.partnerships["kind"].dropna()) - set(as_names(kind)))
    other_start = first_treated(tables.memberships, tables.partnerships, others)
    panel["other_first_treated"] = (
        panel["urn"].map(other_start.set_index("urn")["first_treated"]).fillna(0).astype("int64")
    )
    panel["treated"] = (panel["first_treated"] > 0) & (panel["year"] >= panel["first_treated"])
    panel["size_band"] = size_band(panel["pupils"])
    panel, baseline_years = _add_baseline(panel, baseline_years)

    panel = panel.sort_values(["urn", "year"]).reset_index(drop=True)
    return SchoolPanel(
        frame=panel,
        exclusions=exclusion_frame(exclusions, step="panel"),
        synthetic=tables.synthetic,
        kind=as_names(kind),
        baseline_years=baseline_years,
    )


def _add_baseline(
    panel: pd.DataFrame, baseline_years: tuple[int, int] | None
) -> tuple[pd.DataFrame, tuple[int, int]]:
    """Add each school's baseline attainment (cohort-weighted mean) and its yearly trend."""
    if baseline_years is None:
        cohorts = panel.loc[panel["first_treated"] > 0, "first_treated"]
        first = int(panel["year"].min())
        last = int(cohorts.min()) - 1 if len(cohorts) else first + 1
        baseline_years = (first, last)
    window = panel[panel["year"].between(*baseline_years) & panel["ks2_rwm_exp"].notna()]
    w = window["cohort_n"].astype("float64")
    y = window["ks2_rwm_exp"].astype("float64")
    t = window["year"].astype("float64")
    parts = (
        pd.DataFrame(
            {
                "urn": window["urn"],
                "w": w,
                "wy": w * y,
                "wt": w * t,
                "wtt": w * t * t,
                "wty": w * t * y,
            }
        )
        .groupby("urn")
        .sum()
    )
    mean_y = parts["wy"] / parts["w"]
    mean_t = parts["wt"] / parts["w"]
    var_t = parts["wtt"] / parts["w"] - mean_t**2
    cov_ty = parts["wty"] / parts["w"] - mean_t * mean_y
    trend = (cov_ty / var_t).where(var_t > 0)
    base = pd.DataFrame({"base_ks2_rwm_exp": mean_y, "base_trend": trend})
    return panel.merge(base, left_on="urn", right_index=True, how="left"), baseline_years
