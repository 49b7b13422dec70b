"""Did a whole-area network improve faster than comparable areas? Every design at once.

:func:`area_network` builds the area series, picks statistical neighbours, and runs the
synthetic control, the comparative interrupted time series against the neighbours and
against the rest of England, the "improving faster" test and the school-level DiD. A
design the data cannot support is skipped with its reason (three published years support
almost none), and :meth:`AreaNetworkResult.verdict` says what the rest can support.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from partnership_eval.analyses.area_network.change import GapChangeResult, gap_change
from partnership_eval.analyses.area_network.cits import (
    CitsResult,
    TrendResult,
    comparative_its,
    gap_series,
    improving_faster,
)
from partnership_eval.analyses.area_network.neighbours import Neighbours, statistical_neighbours
from partnership_eval.analyses.area_network.school_did import (
    NETWORK_KINDS,
    NetworkDidResult,
    network_did,
)
from partnership_eval.analyses.area_network.series import (
    MIN_AREA_PUPILS,
    area_series,
    england_series,
    pooled_series,
    published_results,
    series_wide,
    small_areas,
    year_axis,
)
from partnership_eval.analyses.area_network.synth import SynthResult, synthetic_control
from partnership_eval.analyses.area_network.truth import average_planted, planted_effects
from partnership_eval.analyses.area_network.verdict import DesignSummary, verdict
from partnership_eval.data.geography import area_name, resolve_las
from partnership_eval.data.store import DataTables
from partnership_eval.disclosure import suppress
from partnership_eval.errors import EstimationError, InputError, PartnershipEvalError
from partnership_eval.panel import memberships_of_kind
from partnership_eval.result import Result, concat_exclusions, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

T = TypeVar("T")


@dataclass(frozen=True)
class AreaNetworkSpec:
    """Settings of the area-network report."""

    la_code: int
    start: int
    outcome: str = "ks2_rwm_exp"
    n_neighbours: int = 10
    years: tuple[int, int] | None = None
    alpha: float = 0.05


@dataclass(frozen=True)
class AreaNetworkResult(Result):
    """Every design's result (None where skipped, with the reason in ``skipped``)."""

    spec: AreaNetworkSpec
    exclusions: pd.DataFrame
    series: pd.DataFrame
    england: pd.DataFrame
    neighbours: Neighbours | None
    synth: SynthResult | None
    cits_neighbours: CitsResult | None
    cits_england: CitsResult | None
    trend: TrendResult | None
    change: GapChangeResult | None
    school_did: NetworkDidResult | None
    skipped: dict[str, str]
    planted: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: ClassVar[str] = "Area network"

    @property
    def name(self) -> str:
        """The area's name."""
        return area_name(self.spec.la_code)

    @property
    def area(self) -> pd.DataFrame:
        """The area's own series."""
        return self.series[self.series["la_code"] == self.spec.la_code]

    @property
    def pre_years(self) -> tuple[int, ...]:
        """Years with results for the area before the start year."""
        return tuple(int(y) for y in self.area["year"] if y < self.spec.start)

    @property
    def post_years(self) -> tuple[int, ...]:
        """Years with results for the area from the start year on."""
        return tuple(int(y) for y in self.area["year"] if y >= self.spec.start)

    def designs(self) -> dict[str, Result]:
        """The designs that ran, by name, the headline design first.

        The headline is the synthetic control when its placebo interval is bounded (it
        held the planted effect in every validation run, benchmarks/validate_area_network.py),
        else the school-level DiD (the one design with many units, though its interval
        ignores shocks to the whole area), else the interrupted time series, else the
        change in the gap to England (all that one pre-year and one post-year allow).
        """
        named = {
            "synthetic control": self.synth,
            "school-level DiD": self.school_did,
            "interrupted time series against statistical neighbours": self.cits_neighbours,
            "interrupted time series against the rest of England": self.cits_england,
            "change in the gap to England": self.change,
        }
        ran = {k: v for k, v in named.items() if v is not None}
        if self.synth is not None and not np.isfinite(self.synth.ci_high):
            ran["synthetic control"] = ran.pop("synthetic control")
        return ran

    def tidy(self) -> pd.DataFrame:
        """One row per design: its average effect after the start year, with the truth
        where synthetic England planted one (``truth``)."""
        rows = []
        for name, result in self.designs().items():
            row = result.tidy().iloc[0].to_dict()
            column = "school" if isinstance(result, NetworkDidResult) else "area"
            rows.append({**row, "term": name, "truth": self.truth(column)})
        if self.trend is not None:
            row = self.trend.tidy().iloc[0].to_dict()
            rows.append({**row, "term": "improving faster than England (pp a year)"})
        return tidy_frame(rows, alpha=self.alpha)

    def truth(self, column: str = "area") -> float | None:
        """Mean planted effect over the post years (area: pupil-weighted; school: per
        network school); None for real data."""
        if self.planted.empty:
            return None
        return average_planted(self.planted, self.post_years, column)

    def headline(self) -> dict[str, Any]:
        """The first design that ran, with the planted area effect as truth."""
        designs = self.designs()
        if not designs:
            return {
                "label": "no design could be estimated",
                **{k: None for k in ("estimate", "se", "ci_low", "ci_high")},
                "n_treated": 1,
                "n_comparison": None,
            }
        name, result = next(iter(designs.items()))
        out = result.headline()
        out["label"] = f"{name}: average effect after {self.spec.start} (pp, descriptive)"
        truth = self.truth("school" if isinstance(result, NetworkDidResult) else "area")
        if truth is not None:
            out["truth"] = truth
        return out

    def verdict(self) -> str:
        """What one area and its pre-years can support (Markdown), stated first in the report."""
        summaries = [
            DesignSummary(
                name, *(float(result.tidy().iloc[0][c]) for c in ("estimate", "ci_low", "ci_high"))
            )
            for name, result in self.designs().items()
        ]
        improving = None
        if self.trend is not None:
            row = self.trend.tidy().iloc[0]
            improving = DesignSummary("trend", row["estimate"], row["ci_low"], row["ci_high"])
        return verdict(
            area=self.name,
            start=self.spec.start,
            pre_years=len(self.pre_years),
            post_years=len(self.post_years),
            donors=len(self.synth.spec.donors) if self.synth is not None else 0,
            alpha=self.alpha,
            designs=summaries,
            skipped=self.skipped,
            improving=improving,
            placebo_p=self.synth.p_value if self.synth is not None else None,
        )

    def not_estimated(self, name: str) -> str:
        """Why a design was not estimated (Markdown), or an empty string if it was."""
        reason = self.skipped.get(name)
        return f"*Not estimated — {name}: {reason}.*" if reason else ""

    def designs_table(self, digits: int = 2) -> pd.DataFrame:
        """Every design's average effect after the start year, in words, with the planted
        effect where the data are synthetic."""
        table = self.tidy()
        out = pd.DataFrame(
            {
                "design": table["term"],
                "estimate (pp)": table["estimate"].round(digits),
                "standard error": table["se"].round(digits),
                f"{self.level} interval from": table["ci_low"].round(digits),
                f"{self.level} interval to": table["ci_high"].round(digits),
            }
        )
        if not self.planted.empty:
            out["planted effect (pp)"] = pd.to_numeric(table["truth"]).round(digits)
        return out

    def synth_weights(self) -> pd.DataFrame:
        """The synthetic control's donor areas by name with their weights."""
        if self.synth is None:
            return pd.DataFrame(columns=["donor area", "weight"])
        names = self.series.drop_duplicates("la_code").set_index("la_code")["la_name"]
        weights = self.synth.weights
        return pd.DataFrame(
            {"donor area": weights["la_code"].map(names), "weight": weights["weight"].round(3)}
        )

    def series_long(self) -> pd.DataFrame:
        """The area, its neighbours pooled and the rest of England: area, year, value, pupils."""
        parts = [self.area.assign(la_name=self.name)]
        if self.neighbours is not None:
            parts.append(
                pooled_series(self.series, self.neighbours.codes, "statistical neighbours")
            )
        parts.append(self.england)
        long = pd.concat(parts, ignore_index=True)
        return long[["la_name", "year", "value", "pupils"]].rename(columns={"la_name": "area"})

    def series_table(self, digits: int = 1) -> pd.DataFrame:
        """Years down; for each area the % meeting the standard and the pupils it rests on
        (columns ``(area, "%")`` and ``(area, "pupils")``)."""
        long = self.series_long()
        wide = long.pivot_table(
            index="year", columns="area", values=["value", "pupils"], sort=False
        )
        areas = list(dict.fromkeys(long["area"]))
        out = pd.DataFrame(index=wide.index)
        for name in areas:
            out[(name, "%")] = wide[("value", name)].round(digits)
            out[(name, "pupils")] = wide[("pupils", name)].round(0).astype("Int64")
        out.columns = pd.MultiIndex.from_tuples(out.columns)
        out.index.name = "year"
        return out

    def published_series(self) -> pd.DataFrame:
        """:meth:`series_table` through small-number suppression, ready to publish."""
        table = self.series_table()
        pupils = [c for c in table.columns if c[1] == "pupils"]
        return suppress(table, counts=pupils, rates={(a, "%"): (a, "pupils") for a, _ in pupils})

    def plot(self, ax: Axes | None = None) -> Axes:
        """The area, its statistical neighbours and the rest of England, year by year."""
        from partnership_eval.plots import new_axes

        ax = ax or new_axes()
        wide = series_wide(self.series_long(), "area")
        for column in wide.columns:
            ax.plot(wide.index, wide[column], marker="o", label=column)
        ax.axvline(self.spec.start - 0.5, color="grey", lw=1)
        year_axis(ax)
        ax.set_ylabel("% of pupils meeting the standard")
        ax.legend()
        return ax


def _attempt(name: str, skipped: dict[str, str], run: Callable[[], T]) -> T | None:
    try:
        return run()
    except EstimationError as error:
        skipped[name] = str(error)
        return None


def network_las(data: DataTables) -> set[int]:
    """LAs with any school in a triad or collaborative (other networks: never donors)."""
    rows = memberships_of_kind(data.memberships, data.partnerships, list(NETWORK_KINDS))
    las = data.schools.loc[data.schools["urn"].isin(rows["urn"]), "la_code"]
    return {int(c) for c in las.unique()}


def area_network(
    data: DataTables,
    la: str | int,
    start: int,
    *,
    outcome: str = "ks2_rwm_exp",
    n_neighbours: int = 10,
    years: tuple[int, int] | None = None,
    alpha: float = 0.05,
    school_level: bool = True,
) -> AreaNetworkResult:
    """Every one-area design for the network of ``la`` begun in academic year ``start``.

    Parameters
    ----------
    data
        Canonical tables.
    la
        The network's LA (name or three-digit code).
    start
        First academic year whose results the network could touch (2017 = 2016/17).
    outcome
        Outcome column (default % meeting the expected standard in RWM).
    n_neighbours
        Statistical neighbours to pool for the comparison series and the school-level
        comparison (fewer when fewer are available).
    years
        Inclusive first and last academic year used.
    alpha
        One minus the interval level.
    school_level
        Run the school-level DiD cross-check (it needs network memberships).
    """
    try:
        codes = resolve_las([la])
    except PartnershipEvalError as error:
        raise InputError(str(error), fix="pass la as an LA name or code") from error
    if len(codes) != 1:
        raise InputError(f"la={la!r} names {len(codes)} LAs", fix="pass one LA, not a region")
    la_code = codes[0]
    if not isinstance(start, int | np.integer):
        raise InputError(f"start={start!r} must be an academic year such as 2017")
    _, excluded = published_results(data, outcome, years)
    series = area_series(data, outcome, years)
    if la_code not in set(series["la_code"]):
        raise EstimationError(f"{area_name(la_code)} has no published {outcome} in the data")
    skipped: dict[str, str] = {}
    others = sorted(network_las(data) - {la_code})
    tiny = sorted(set(small_areas(series)) - {la_code})
    pool = series[~series["la_code"].isin([*others, *tiny])]
    left_out = [
        {"reason": reason, "rows": len(codes)}
        for reason, codes in (
            ("areas with a network of their own (not comparisons)", others),
            (f"areas under {MIN_AREA_PUPILS} KS2 pupils in a year (not comparisons)", tiny),
        )
        if codes
    ]
    england = england_series(pool, exclude=[la_code])
    neighbours = _attempt(
        "statistical neighbours",
        skipped,
        lambda: statistical_neighbours(
            data,
            pool,
            la_code,
            start,
            min(n_neighbours, pool["la_code"].nunique() - 1),
        ),
    )
    wide = series_wide(pool)
    wide = wide.loc[wide.index.isin(england["year"])]
    donors = [int(c) for c in wide.columns if c != la_code]
    synth = _attempt(
        "synthetic control",
        skipped,
        lambda: synthetic_control(wide, la_code, start, donors, outcome=outcome, alpha=alpha),
    )
    area = series[series["la_code"] == la_code]
    cits_neighbours = None
    if neighbours is not None:
        pooled = pooled_series(series, neighbours.codes, "statistical neighbours")
        cits_neighbours = _attempt(
            "interrupted time series against statistical neighbours",
            skipped,
            lambda: comparative_its(
                gap_series(area, pooled), start, comparison="statistical neighbours", alpha=alpha
            ),
        )
    england_gaps = gap_series(area, england)
    cits_england = _attempt(
        "interrupted time series against the rest of England",
        skipped,
        lambda: comparative_its(england_gaps, start, comparison="rest of England", alpha=alpha),
    )
    trend = _attempt(
        "improving faster than England",
        skipped,
        lambda: improving_faster(england_gaps, start, alpha=alpha),
    )
    change = _attempt(
        "change in the gap to England",
        skipped,
        lambda: gap_change(wide, england.set_index("year")["value"], la_code, start, alpha=alpha),
    )
    did = None
    if school_level and neighbours is not None:
        did = _attempt(
            "school-level DiD",
            skipped,
            lambda: network_did(
                data, la_code, neighbours.codes, outcome=outcome, years=years, alpha=alpha
            ),
        )
    exclusions = [excluded, exclusion_frame(left_out, step="comparison areas")]
    exclusions += [r.exclusions for r in (synth, change, did) if r is not None]
    return AreaNetworkResult(
        spec=AreaNetworkSpec(
            la_code=la_code,
            start=int(start),
            outcome=outcome,
            n_neighbours=n_neighbours,
            years=years,
            alpha=alpha,
        ),
        exclusions=concat_exclusions(*exclusions),
        series=series,
        england=england,
        neighbours=neighbours,
        synth=synth,
        cits_neighbours=cits_neighbours,
        cits_england=cits_england,
        trend=trend,
        change=change,
        school_did=did,
        skipped=skipped,
        planted=planted_effects(data, la_code, outcome),
    )
