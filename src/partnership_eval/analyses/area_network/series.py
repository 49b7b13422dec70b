"""Area-level KS2 series: pupil-weighted means per LA and year, and England's.

An area's value in a year is the mean of its schools' published results weighted by the
pupils each rests on (``cohort_n``), i.e. the share of the area's tested pupils meeting
the standard. Years without tests (2020 and 2021) stay gaps: :func:`series_wide` gives
them as empty rows so lines break there, and nothing is ever interpolated across them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from partnership_eval.data.schema import OUTCOME_MEASURES
from partnership_eval.data.store import DataTables
from partnership_eval.errors import InputError
from partnership_eval.result import exclusion_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

NO_RESULTS_YEARS = (2020, 2021)
"""Academic years with no KS2 tests: gaps in every series, never filled."""

NATIONAL_COVERAGE = 0.5
"""A year counts for England only where at least this share of the LAs seen in the
best-covered year report results (the real extracts hold 2019 for two LAs only)."""

MIN_AREA_PUPILS = 200
"""Fewest KS2 pupils a year for an area to serve as a comparison: below it (the City of
London, the Isles of Scilly, an LA part-covered in a year of reorganisation) one
school's cohort moves the area's result by several points."""

SERIES_COLUMNS = ("la_code", "la_name", "year", "value", "pupils", "schools")


def check_outcome(outcomes: pd.DataFrame, outcome: str) -> None:
    """An :class:`InputError` naming ``outcome`` unless it is an outcome column."""
    if outcome not in outcomes.columns:
        known = [m for m in OUTCOME_MEASURES if m in outcomes.columns]
        raise InputError(
            f"outcome {outcome!r} is not a column of the outcomes table",
            column=outcome,
            fix=f"choose one of {', '.join(known)}",
        )


def _weighted(frame: pd.DataFrame, keys: list[str], outcome: str) -> pd.DataFrame:
    w = frame["cohort_n"].astype("float64")
    parts = pd.DataFrame(
        {
            **{k: frame[k] for k in keys},
            "wy": w * frame[outcome].astype("float64"),
            "pupils": w,
            "schools": 1,
        }
    )
    out = parts.groupby(keys, sort=True).sum().reset_index()
    out["value"] = out["wy"] / out["pupils"]
    return out.drop(columns="wy")


def published_results(
    data: DataTables, outcome: str, years: tuple[int, int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """School-year rows with a published ``outcome`` and a pupil count, with their LA;
    and the exclusions (rows without a result, without pupils, or without a school)."""
    check_outcome(data.outcomes, outcome)
    rows = data.outcomes[["urn", "year", "cohort_n", outcome]]
    if years is not None:
        rows = rows[rows["year"].between(*years)]
    rows = rows.merge(data.schools[["urn", "la_code", "la_name"]], on="urn", how="left")
    records = []
    checks = (
        ("no school record (no LA)", lambda r: r["la_code"].isna()),
        (f"no published {outcome}", lambda r: r[outcome].isna()),
        ("no pupil count to weight by", lambda r: ~(r["cohort_n"].astype("float64") > 0)),
    )
    for reason, test in checks:
        drop = test(rows)
        if drop.any():
            records.append(
                {
                    "reason": reason,
                    "rows": int(drop.sum()),
                    "schools": int(rows.loc[drop, "urn"].nunique()),
                }
            )
        rows = rows[~drop]
    rows = rows.assign(la_code=rows["la_code"].astype("int64"))
    return rows, exclusion_frame(records, step="area series")


def area_series(
    data: DataTables, outcome: str = "ks2_rwm_exp", years: tuple[int, int] | None = None
) -> pd.DataFrame:
    """Pupil-weighted ``outcome`` per LA and year (years with results only).

    Columns: la_code, la_name, year, value, pupils (tested pupils weighted), schools.
    """
    rows, _ = published_results(data, outcome, years)
    out = _weighted(rows, ["la_code", "la_name", "year"], outcome)
    return out[list(SERIES_COLUMNS)]


def small_areas(series: pd.DataFrame, min_pupils: float = MIN_AREA_PUPILS) -> list[int]:
    """LAs with fewer than ``min_pupils`` tested pupils in some year of ``series``."""
    smallest = series.groupby("la_code")["pupils"].min()
    return sorted(int(c) for c in smallest[smallest < min_pupils].index)


def england_series(series: pd.DataFrame, exclude: Sequence[int] = ()) -> pd.DataFrame:
    """England (every LA in ``series`` but ``exclude``) per year, pupil-weighted.

    Years where fewer than :data:`NATIONAL_COVERAGE` of the LAs report are left out:
    they would stand for a few areas, not for England. Columns as :func:`area_series`
    plus ``las`` (LAs reporting); la_code 0.
    """
    rest = series[~series["la_code"].isin(list(exclude))]
    wy = (rest["value"] * rest["pupils"]).groupby(rest["year"]).sum()
    grouped = rest.groupby("year")
    out = pd.DataFrame(
        {
            "pupils": grouped["pupils"].sum(),
            "schools": grouped["schools"].sum(),
            "las": grouped["la_code"].nunique(),
        }
    )
    out["value"] = wy / out["pupils"]
    out = out[out["las"] >= NATIONAL_COVERAGE * out["las"].max()].reset_index()
    out["la_code"] = 0
    out["la_name"] = "England" if not len(exclude) else "rest of England"
    return out[[*SERIES_COLUMNS, "las"]]


def pooled_series(series: pd.DataFrame, la_codes: Sequence[int], name: str) -> pd.DataFrame:
    """Several LAs as one area per year (pupil-weighted), named ``name``; la_code 0.

    Only years where every one of ``la_codes`` reports are kept, so the pool's make-up
    does not change from year to year.
    """
    part = series[series["la_code"].isin(list(la_codes))]
    complete = part.groupby("year")["la_code"].nunique() == len(set(la_codes))
    part = part[part["year"].isin(complete[complete].index)]
    wy = (part["value"] * part["pupils"]).groupby(part["year"]).sum()
    grouped = part.groupby("year")
    out = pd.DataFrame({"pupils": grouped["pupils"].sum(), "schools": grouped["schools"].sum()})
    out["value"] = wy / out["pupils"]
    out = out.reset_index().assign(la_code=0, la_name=name)
    return out[list(SERIES_COLUMNS)]


def year_axis(ax: Axes) -> Axes:
    """Whole academic years on the x axis of ``ax`` (labelled by the year they end)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("academic year (ending)")
    return ax


def series_wide(series: pd.DataFrame, column: str = "la_code") -> pd.DataFrame:
    """Years down, areas across (``value``); the no-results years inside the span appear
    as empty rows so that plotted lines break there."""
    wide = series.pivot_table(index="year", columns=column, values="value", aggfunc="first")
    span = range(int(wide.index.min()), int(wide.index.max()) + 1)
    gaps = [y for y in NO_RESULTS_YEARS if y in span and y not in wide.index]
    return wide.reindex(sorted([*wide.index, *gaps]))
