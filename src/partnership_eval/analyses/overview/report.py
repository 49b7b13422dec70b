"""An area's overview as one result: what ``00_overview`` shows and publishes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.axes import Axes

from partnership_eval.analyses.overview import figures
from partnership_eval.analyses.overview.summaries import (
    ANY_KIND,
    GROUPS,
    KINDS,
    coverage_table,
    ks2_trend_table,
    ks2_trends,
    partnership_coverage,
    schools_by_size_and_setting,
    size_table,
    years_shown,
)
from partnership_eval.data.geography import area_name
from partnership_eval.data.store import DataTables
from partnership_eval.disclosure import suppress
from partnership_eval.labels import kinds_label
from partnership_eval.panel import schools_in_area
from partnership_eval.result import Result, exclusion_frame, tidy_frame


@dataclass(frozen=True)
class OverviewSpec:
    """What the overview covers: the area, its name, the years and the kinds counted."""

    area: str
    name: str
    first_year: int
    last_year: int
    kinds: tuple[str, ...]
    alpha: float = 0.05


@dataclass(frozen=True)
class AreaOverview(Result):
    """An area's schools by size, partnership coverage by kind and year, KS2 trends.

    Descriptive only: its headline is the share of open schools in any partnership in
    the last year, with no interval.
    """

    spec: OverviewSpec
    by_size: pd.DataFrame
    coverage: pd.DataFrame
    trends: pd.DataFrame
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Area overview"

    @property
    def headline_label(self) -> str:  # type: ignore[override]
        return f"% of schools in any partnership, {self.spec.last_year}"

    @property
    def n_schools(self) -> int:
        """Schools of the area (open or closed) in the data."""
        return int(self.by_size["schools"].sum())

    def tidy(self) -> pd.DataFrame:
        """Share of open schools in any partnership, one row per year (latest first)."""
        rows = self.coverage[self.coverage["kind"] == ANY_KIND].sort_values("year", ascending=False)
        return tidy_frame(
            pd.DataFrame(
                {
                    "term": "share in any partnership, " + rows["year"].astype(str),
                    "estimate": rows["share"].round(1),
                    "n_treated": rows["schools"],
                    "n_comparison": rows["open_schools"] - rows["schools"],
                    "year": rows["year"],
                }
            ),
            alpha=self.alpha,
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Partnership coverage over time by kind."""
        return figures.coverage_plot(
            self.coverage, title=f"Schools in partnerships, {self.spec.name}", ax=ax
        )

    def plot_sizes(self, ax: Axes | None = None) -> Axes:
        """Schools by size band, rural and urban."""
        return figures.schools_by_size_plot(
            self.by_size, title=f"Schools in {self.spec.name} by size", ax=ax
        )

    def plot_trends(self, ax: Axes | None = None) -> Axes:
        """KS2 results of partnership schools and others."""
        return figures.ks2_trend_plot(
            self.trends, title=f"KS2 reading, writing and maths, {self.spec.name}", ax=ax
        )

    def size_table(self) -> pd.DataFrame:
        """Schools and pupils per size band, disclosure-controlled."""
        return suppress(
            size_table(self.by_size),
            counts=["rural pupils", "urban pupils"],
            total_row="all schools",
        )

    def coverage_table(self) -> pd.DataFrame:
        """Member schools per year and kind (counts of schools, not pupils)."""
        return suppress(coverage_table(self.coverage))

    def trend_table(self) -> pd.DataFrame:
        """% meeting the KS2 standard and pupils per year and group, disclosure-controlled."""
        return suppress(
            ks2_trend_table(self.trends),
            counts=[("pupils", group) for group in GROUPS],
            rates={("% RWM", group): ("pupils", group) for group in GROUPS},
        )

    def introduction(self) -> str:
        """The report's opening paragraph."""
        s = self.spec
        return (
            f"# {s.name}: schools, partnerships and KS2 results, {s.first_year} to "
            f"{s.last_year}\n\nAn overview of the {self.n_schools:,} schools in {s.name}: how "
            "big and how rural they are, how many belong to school-to-school partnerships, "
            "and how their KS2 results moved compared with schools outside partnerships. It "
            "describes; it does not estimate what the partnerships caused — the impact "
            "reports do that."
        )

    def finding(self) -> str:
        """The headline in one bold sentence."""
        h = self.headline()
        if h["estimate"] is None:
            return f"**No school of {self.spec.name} was open in {self.spec.last_year}.**"
        total = h["n_treated"] + h["n_comparison"]
        return (
            f"**In {self.spec.last_year}, {h['estimate']:g}% of {self.spec.name}'s open schools "
            f"({h['n_treated']:,} of {total:,}) belonged to a partnership of the kinds "
            "counted here.**"
        )

    def sizes_alt(self) -> str:
        """Alt text of the schools-by-size figure."""
        return (
            f"Bar chart of the {self.n_schools:,} schools of {self.spec.name} by number of "
            "pupils on roll, rural and urban schools side by side; the table below gives the counts."
        )

    def coverage_alt(self) -> str:
        """Alt text of the coverage figure."""
        h = self.headline()
        latest = (
            ""
            if h["estimate"] is None
            else f", reaching {h['estimate']:.0f}% in {self.spec.last_year}"
        )
        return (
            f"Line chart of the share of {self.spec.name}'s open schools in a partnership each "
            f"year from {self.spec.first_year} to {self.spec.last_year}, one line per kind of "
            f"partnership and a dashed line for any partnership{latest}."
        )

    def trends_alt(self) -> str:
        """Alt text of the KS2 trends figure."""
        return (
            "Line chart of the percentage of pupils meeting the expected standard in reading, "
            f"writing and maths each year in {self.spec.name}, partnership schools against "
            "other schools, with a gap for 2020 and 2021 when there were no tests."
        )

    def findings(self) -> list[str]:
        """The report's "What we found": coverage, what it rests on, the caveat."""
        s, h = self.spec, self.headline()
        if h["estimate"] is None:
            return [
                f"No school of {s.name} was open in {s.last_year}, so there is nothing to describe."
            ]
        total = h["n_treated"] + h["n_comparison"]
        return [
            f"In {s.last_year}, {h['estimate']:.0f}% of {s.name}'s open schools "
            f"({h['n_treated']:,} of {total:,}) belonged to a partnership: "
            f"{kinds_label(s.kinds)}.",
            f"It rests on the {self.n_schools:,} schools of {s.name} in the data, from "
            f"{s.first_year} to {s.last_year}, and on their published KS2 results.",
            "Partnership schools and other schools differed before any partnership began, "
            "so the gap between their results is not the effect of partnership; the impact "
            "reports estimate that.",
        ]

    def published(self) -> dict[str, pd.DataFrame]:
        """The results.json sections beyond the headline, disclosure-controlled."""
        return {
            "coverage": suppress(self.coverage),  # counts of schools
            "ks2_trends": suppress(self.trends, counts=["pupils"], rates={"ks2_rwm_exp": "pupils"}),
        }


def area_overview(
    data: DataTables,
    area: str | int,
    *,
    first_year: int = 0,
    last_year: int = 0,
    kinds: Sequence[str] = KINDS,
) -> AreaOverview:
    """The overview of ``area`` (LA name or code, or region) over the years shown.

    ``first_year``/``last_year`` of 0 mean the first/last year with KS2 results.
    """
    schools = schools_in_area(data, area)
    years = years_shown(data.outcomes, first_year, last_year)
    kinds = tuple(kinds)
    spec = OverviewSpec(
        area=str(area),
        name=area_name(area),
        first_year=years[0],
        last_year=years[-1],
        kinds=kinds,
    )
    return AreaOverview(
        spec=spec,
        by_size=schools_by_size_and_setting(schools),
        coverage=partnership_coverage(
            schools, data.memberships, data.partnerships, years, kinds=kinds
        ),
        trends=ks2_trends(
            schools, data.outcomes, data.memberships, data.partnerships, years, kinds=kinds
        ),
    )
