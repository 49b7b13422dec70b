"""The school report: one school's context, results and history for parents, in one result.

:func:`school_report` gathers everything the notebook shows: the school's profile, its
similar schools (:mod:`.similar`), its KS2 results over time beside its LA, England and
those schools with small-cohort intervals (:mod:`.attainment`), disadvantaged pupils,
phonics and attendance where published, inspections and partnerships (:mod:`.profile`).
It describes one school; it does not estimate what any partnership or change caused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from partnership_eval.analyses.school_report.attainment import (
    SCHOOL,
    SIMILAR,
    results_over_time,
)
from partnership_eval.analyses.school_report.profile import (
    SchoolProfile,
    academy_history,
    inspection_history,
    measure_over_time,
    partnerships_of,
    phonics_column,
    school_profile,
)
from partnership_eval.analyses.school_report.similar import (
    N_SIMILAR,
    PRIOR_YEARS,
    SimilarSchools,
    similar_schools,
)
from partnership_eval.analyses.school_report.wording import cohort_caution
from partnership_eval.data.store import DataTables
from partnership_eval.disclosure import THRESHOLD
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.plots import new_axes
from partnership_eval.result import Result, concat_exclusions, exclusion_frame, tidy_frame

COLOURS = {SCHOOL: "#0072B2", SIMILAR: "#D55E00", "la": "#009E73", "England": "#555555"}
"""Colour-blind-safe line colours (Okabe–Ito), each at least 3:1 against white."""


@dataclass(frozen=True)
class SchoolReportSpec:
    """Settings of a school report."""

    urn: int
    year: int
    n_similar: int = N_SIMILAR
    prior_years: int = PRIOR_YEARS
    alpha: float = 0.05


@dataclass(frozen=True)
class SchoolReport(Result):
    """Everything a school's report shows (see the module docstring).

    ``results`` is :func:`.attainment.results_over_time` (year × group);
    ``disadvantaged`` the same for disadvantaged and other pupils; ``attendance`` and
    ``phonics`` the school's own measure per year (``phonics`` is None where the data
    have no phonics column); ``similar`` is None when the school has no KS2 results.
    """

    spec: SchoolReportSpec
    exclusions: pd.DataFrame
    profile: SchoolProfile
    similar: SimilarSchools | None
    results: pd.DataFrame
    disadvantaged: pd.DataFrame
    attendance: pd.DataFrame
    phonics: pd.DataFrame | None
    inspections: pd.DataFrame
    partnerships: pd.DataFrame
    academy: str | None

    title = "School report"

    @property
    def has_results(self) -> bool:
        """Whether the school has any KS2 result row in the data."""
        return bool((self.results["group"] == SCHOOL).any())

    def latest(self, group: str = SCHOOL) -> pd.Series | None:
        """The row of ``group`` (``this school``, ``similar schools`` or a label prefix)
        in the report year, or None."""
        rows = self.results[
            (self.results["year"] == self.spec.year) & self.results["group"].str.startswith(group)
        ]
        return rows.iloc[0] if len(rows) else None

    def caution(self) -> str | None:
        """The small-group caution for the report year's result, if it needs one."""
        row = self.latest()
        return None if row is None or pd.isna(row["pct"]) else cohort_caution(row["pupils"])

    def tidy(self) -> pd.DataFrame:
        """The report year: one row per group, % meeting the standard and the school's range."""
        rows = self.results[self.results["year"] == self.spec.year]
        n_similar = len(self.similar.group) if self.similar is not None else np.nan
        return tidy_frame(
            pd.DataFrame(
                {
                    "term": rows["group"].to_numpy(),
                    "estimate": rows["pct"].to_numpy(),
                    "ci_low": rows["ci_low"].to_numpy(),
                    "ci_high": rows["ci_high"].to_numpy(),
                    "n_treated": rows["pupils"].to_numpy(),
                    "n_comparison": np.where(rows["group"] == SIMILAR, n_similar, np.nan),
                    "schools": rows["schools"].to_numpy(),
                }
            ),
            alpha=self.alpha,
        )

    def headline(self) -> dict[str, object]:
        """The school's % meeting the expected standard in the report year, its likely
        range, its pupils (``n_treated``) and the similar-schools group size."""
        row = self.latest()

        def value(key: str) -> float | None:
            return None if row is None or pd.isna(row[key]) else float(row[key])

        pupils = value("pupils")
        if pupils is not None and pupils <= THRESHOLD:  # a count DfE would not publish
            pupils = None
        return {
            "label": f"% of pupils meeting the KS2 expected standard in reading, writing "
            f"and maths, {self.spec.year}",
            "estimate": value("pct"),
            "se": None,
            "ci_low": value("ci_low"),
            "ci_high": value("ci_high"),
            "n_treated": None if pupils is None else int(pupils),
            "n_comparison": len(self.similar.group) if self.similar is not None else None,
        }

    def similar_headline(self) -> dict[str, object]:
        """The similar-schools group in the report year: its size, how it was chosen and
        its pupil-weighted % meeting the standard (None where it could not be chosen)."""
        if self.similar is None:
            return {"n_schools": 0, "estimate": None, "method": None}
        row = self.latest(SIMILAR)
        return {
            "n_schools": len(self.similar.group),
            "estimate": None if row is None or pd.isna(row["pct"]) else float(row["pct"]),
            "pupils": None if row is None or pd.isna(row["pupils"]) else int(row["pupils"]),
            "pool": self.similar.pool,
            "measures": list(self.similar.features),
            "past_results_years": list(self.similar.prior_window),
            "method": self.similar.method_sentence(),
        }

    def summary(self) -> str:
        """The report year's results as text."""
        lines = [f"{self.profile.name} (URN {self.profile.urn}), {self.spec.year}"]
        for row in self.tidy().itertuples(index=False):
            lines.append(
                f"  {row.term}: {row.estimate:.1f}%"
                if pd.notna(row.estimate)
                else f"  {row.term}: not available"
            )
        return "\n".join(lines)

    def plot(self, ax=None):
        """Results over time: the school with its likely range, and the group lines."""
        ax = ax if ax is not None else new_axes()
        years = self.results["year"]
        every_year = range(int(years.min()), int(years.max()) + 1) if len(years) else range(0)
        for group, rows in self.results.groupby("group", sort=False):
            colour = COLOURS.get(group, COLOURS["la"] if group.startswith("local") else "#555555")
            # a gap (no tests in 2020 and 2021, or a missing result) breaks the line
            shown = rows.set_index("year").reindex(every_year).rename_axis("year").reset_index()
            if group == SCHOOL:
                ax.errorbar(
                    shown["year"],
                    shown["pct"],
                    # rounding can put a published result a hair outside its range
                    yerr=np.clip(
                        [shown["pct"] - shown["ci_low"], shown["ci_high"] - shown["pct"]], 0, None
                    ),
                    fmt="o-",
                    color=colour,
                    capsize=3,
                    label=f"{group} (bars: likely range)",
                    linewidth=2.5,
                )
            else:
                style = "--" if group == SIMILAR else ":"
                ax.plot(shown["year"], shown["pct"], style, marker=".", color=colour, label=group)
        ax.set_ylim(0, 100)
        ax.set_ylabel("% meeting the expected standard")
        ax.set_xlabel("school year (2019 = 2018/19)")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(loc="lower left", fontsize="small", frameon=False)
        return ax


def default_urn(outcomes: pd.DataFrame) -> int:
    """The first URN (in number order) with a KS2 result in the data's latest year."""
    rows = outcomes[outcomes["ks2_rwm_exp"].notna()]
    if rows.empty:
        raise InputError("no KS2 results in the data", column="urn", fix="give a URN")
    return int(rows.loc[rows["year"] == rows["year"].max(), "urn"].min())


def report_year(outcomes: pd.DataFrame, urn: int, year: int = 0) -> int:
    """``year`` if given, else the school's latest year with a published KS2 result,
    else its latest year in the outcomes table, else the latest year in the data."""
    if year:
        return int(year)
    mine = outcomes[outcomes["urn"] == urn]
    published = mine[mine["ks2_rwm_exp"].notna()]
    for source in (published, mine, outcomes):
        if len(source):
            return int(source["year"].max())
    raise InputError("the outcomes table is empty", column="year", fix="give a year")


def school_report(
    data: DataTables,
    urn: int,
    year: int = 0,
    *,
    n_similar: int = N_SIMILAR,
    prior_years: int = PRIOR_YEARS,
    alpha: float = 0.05,
) -> SchoolReport:
    """Gather one school's report (see the module docstring).

    Parameters
    ----------
    data
        Canonical tables.
    urn
        The school's URN (0: :func:`default_urn`).
    year
        The year reported on (0: the school's latest year with KS2 results).
    n_similar, prior_years
        Similar-schools group size and the result years before ``year`` that measure
        past results (see :func:`.similar.similar_schools`).
    alpha
        Likely ranges are ``1 - alpha`` Wilson intervals.

    Raises
    ------
    InputError
        The URN is not in the schools table, or ``alpha`` is not between 0 and 1.
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha = {alpha}", column="alpha", fix="give a value between 0 and 1")
    urn = int(urn) or default_urn(data.outcomes)
    if urn not in set(data.schools["urn"]):
        raise InputError(
            f"URN {urn} is not in the schools table of {data.source or 'the data'}",
            column="urn",
            fix="give the six-digit URN of a school in the data (see schools.parquet)",
        )
    year = report_year(data.outcomes, urn, year)
    profile = school_profile(data.schools, urn)
    mine = data.outcomes[data.outcomes["urn"] == urn]
    similar, records = None, []
    if len(mine) and (mine["cohort_n"].fillna(0) > 0).any():
        try:
            similar = similar_schools(
                data.schools,
                data.outcomes,
                urn,
                year,
                n=n_similar,
                prior_years=prior_years,
                alpha=alpha,
            )
        except (InputError, EstimationError) as error:  # no context or pool: the page says so
            records.append({"reason": str(error), "rows": 0, "schools": 0})
    group = similar.group["urn"].tolist() if similar is not None else []
    results = results_over_time(data.schools, data.outcomes, urn, group, alpha=alpha)
    disadvantaged = pd.concat(
        [
            measure_over_time(
                data.outcomes,
                urn,
                "disadv_rwm_exp",
                "The result of disadvantaged pupils",
                "disadv_n",
            ).assign(group="disadvantaged pupils"),
            measure_over_time(
                data.outcomes, urn, "non_disadv_rwm_exp", "The result of other pupils", "other_n"
            ).assign(group="other pupils"),
        ],
        ignore_index=True,
    )
    phonics = phonics_column(data.outcomes)
    if "disadv_n" in data.outcomes:  # pupils who are not disadvantaged: the other rate's base
        data = replace(
            data,
            outcomes=data.outcomes.assign(
                other_n=data.outcomes["cohort_n"] - data.outcomes["disadv_n"]
            ),
        )
    return SchoolReport(
        spec=SchoolReportSpec(
            urn=urn, year=year, n_similar=n_similar, prior_years=prior_years, alpha=alpha
        ),
        exclusions=concat_exclusions(
            exclusion_frame(records, step="similar schools"),
            similar.exclusions if similar is not None else exclusion_frame(),
        ),
        profile=profile,
        similar=similar,
        results=results,
        disadvantaged=disadvantaged,
        attendance=measure_over_time(data.outcomes, urn, "attendance", "Attendance"),
        phonics=None
        if phonics is None
        else measure_over_time(data.outcomes, urn, phonics, "The phonics result"),
        inspections=inspection_history(data.inspections, urn),
        partnerships=partnerships_of(data.memberships, data.partnerships, urn),
        academy=academy_history(profile, data.outcomes, data.memberships, data.partnerships),
    )
