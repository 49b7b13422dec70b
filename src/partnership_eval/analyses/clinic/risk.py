"""Red-amber-green risk ratings of every school: the school performance clinic list.

What it rates: each school, each period (an academic year, named by the year it ends,
as the public data are annual), on four public-data domains (performance, leadership,
behaviour, attendance; :mod:`.domains`) and any local domains of an intelligence file,
then overall by the points rule of the rules file (:mod:`.rules`). Small cohorts: KS2
and phonics figures are pooled over recent years and shrunk toward national by
empirical Bayes (:mod:`.shrink`), so one bad year of a 9-pupil cohort does not make a
school red. It describes which schools cause concern by stated rules; it estimates no
effect and its ratings are not inspection judgements.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from partnership_eval.analyses.clinic import combine, domains
from partnership_eval.analyses.clinic.domains import GREEN, KEY
from partnership_eval.analyses.clinic.rules import RATINGS, Rules, read_rules
from partnership_eval.data.geography import area_name
from partnership_eval.data.store import DataTables
from partnership_eval.errors import InputError
from partnership_eval.panel import area_schools
from partnership_eval.result import Result, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

RAG_COLOURS = {"green": "#2e8540", "amber": "#f2a900", "red": "#c0392b", "no data": "#d9d9d9"}


@dataclass(frozen=True)
class ClinicSpec:
    """What was rated: the schools (area or partnership), the period, the rules file."""

    area: str | None
    partnership: str | None
    period: int
    previous: int | None
    rules: str
    intelligence: bool
    alpha: float = 0.05


@dataclass(frozen=True)
class ClinicResult(Result):
    """Ratings of every school of the area, period by period, with the clinic's views.

    ``ratings`` is long (urn, period, domain, rating 0/1/2 or NaN, reason) for every
    period up to ``spec.period``; ``changes`` gives each school's change of overall
    rating; ``triggers`` the schools meeting an intervention trigger in the period.
    """

    spec: ClinicSpec
    schools: pd.DataFrame
    ratings: pd.DataFrame
    changes: pd.DataFrame
    triggers: pd.DataFrame
    missing_domains: tuple[str, ...]
    exclusions: pd.DataFrame
    title: ClassVar[str] = "School performance clinic"
    headline_label: ClassVar[str] = "% of rated schools red or amber overall"

    @property
    def domains(self) -> list[str]:
        """Domains rated in the period: overall first, public ones, then local ones."""
        now = self.ratings.loc[self.ratings["period"] == self.spec.period, "domain"].unique()
        local = sorted(set(now) - {"overall", *combine.PUBLIC_DOMAINS})
        return ["overall", *combine.PUBLIC_DOMAINS, *local]

    def wide(self, period: int | None = None) -> pd.DataFrame:
        """One row per school: its rating in words in each domain (index urn)."""
        period = self.spec.period if period is None else period
        now = self.ratings.loc[self.ratings["period"] == period]
        words = now["rating"].map(dict(enumerate(RATINGS))).fillna("no data")
        table = now.assign(word=words).pivot(index="urn", columns="domain", values="word")
        table = table.reindex(index=self.schools["urn"], columns=self.domains).fillna("no data")
        return table

    def table(self) -> pd.DataFrame:
        """The RAG table: school, its ratings, KS2 pupils and % RWM in the period.

        Sorted red, amber, green, then by name; pass through ``suppress(counts=["KS2
        pupils"], rates={"% meeting RWM": "KS2 pupils"})`` before publishing.
        """
        wide = self.wide()
        order = wide["overall"].map({"red": 0, "amber": 1, "green": 2, "no data": 3})
        info = self.schools.set_index("urn")
        out = pd.DataFrame({"school": info["name"].reindex(wide.index)})
        out = out.join(wide.rename(columns=str.capitalize))
        out["KS2 pupils"] = info["ks2_pupils"].reindex(wide.index).fillna(0).astype(int)
        out["% meeting RWM"] = info["ks2_rwm_exp"].reindex(wide.index)
        return out.assign(_order=order).sort_values(["_order", "school"]).drop(columns="_order")

    def agenda(self) -> pd.DataFrame:
        """Red then amber schools with their change since last period and reasons in words."""
        now = self.ratings.loc[(self.ratings["period"] == self.spec.period)]
        overall = now.loc[(now["domain"] == "overall") & (now["rating"] > GREEN)]
        change = self.changes.loc[self.changes["period"] == self.spec.period].set_index("urn")
        names = self.schools.set_index("urn")["name"]
        out = pd.DataFrame(
            {
                "school": overall["urn"].map(names).to_numpy(),
                "urn": overall["urn"].to_numpy(),
                "rating": overall["rating"].map(dict(enumerate(RATINGS))).to_numpy(),
                "change since last period": overall["urn"].map(change["change"]).to_numpy(),
                "periods red running": overall["urn"].map(change["periods_red"]).to_numpy(),
                "reasons": overall["reason"].to_numpy(),
            }
        )
        out["_r"] = overall["rating"].to_numpy()
        return (
            out.sort_values(["_r", "school"], ascending=[False, True])
            .drop(columns="_r")
            .reset_index(drop=True)
        )

    def change_counts(self) -> pd.DataFrame:
        """Schools by change of overall rating since the previous period (a count each)."""
        now = self.changes.loc[self.changes["period"] == self.spec.period, "change"]
        counts = now.value_counts().reindex(list(combine.CHANGES), fill_value=0)
        return counts.rename("schools").rename_axis("change since last period").to_frame()

    def moved(self) -> pd.DataFrame:
        """Schools whose overall rating changed category since their previous period."""
        now = self.changes.loc[self.changes["period"] == self.spec.period]
        shown = now.loc[
            now["change"].isin(("newly red", "newly amber", "red to amber", "recovered"))
        ]
        words = dict(enumerate(RATINGS))
        out = pd.DataFrame(
            {
                "school": shown["urn"].map(self.schools.set_index("urn")["name"]).to_numpy(),
                "urn": shown["urn"].to_numpy(),
                "change since last period": pd.Categorical(shown["change"], combine.CHANGES),
                "before": shown["previous"].map(words).to_numpy(),
                "now": shown["rating"].map(words).to_numpy(),
            }
        )
        return out.sort_values(["change since last period", "school"]).reset_index(drop=True)

    def trigger_table(self) -> pd.DataFrame:
        """Schools meeting an intervention trigger in the period, with the trigger in words."""
        names = self.schools.set_index("urn")["name"]
        out = self.triggers.assign(school=self.triggers["urn"].map(names))
        return out[["school", "urn", "trigger"]].sort_values("school").reset_index(drop=True)

    def tidy(self) -> pd.DataFrame:
        """Per domain: % of rated schools red or amber (n_treated flagged, n_comparison green)."""
        now = self.ratings.loc[
            (self.ratings["period"] == self.spec.period) & self.ratings["rating"].notna()
        ]
        rows = []
        for domain in self.domains:
            rated = now.loc[now["domain"] == domain, "rating"]
            flagged = int((rated > GREEN).sum())
            rows.append(
                {
                    "term": domain,
                    "estimate": 100 * flagged / len(rated) if len(rated) else np.nan,
                    "n_treated": flagged,
                    "n_comparison": len(rated) - flagged,
                    "red": int((rated == 2).sum()),
                    "amber": int((rated == 1).sum()),
                }
            )
        return tidy_frame(rows, alpha=self.alpha)

    def headline(self) -> dict:
        """% of rated schools red or amber overall in the period (no interval: a count)."""
        out = super().headline()
        out["label"] = f"% of rated schools red or amber overall in {self.spec.period}"
        return out

    def summary(self, digits: int = 1) -> str:
        """Counts of red, amber and green schools and of changes, in words."""
        row = self.tidy().set_index("term").loc["overall"]
        rated = int(row["n_treated"] + row["n_comparison"])
        lines = [
            f"{self.title}, {self.spec.period}: {rated} schools rated",
            f"  red {int(row['red'])}, amber {int(row['amber'])}, green {int(row['n_comparison'])}",
        ]
        counts = self.change_counts()["schools"]
        lines.append(
            "  since last period: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        )
        if self.missing_domains:
            lines.append("  not rated (no data): " + ", ".join(self.missing_domains))
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None, max_schools: int = 60) -> Axes:
        """Heatmap of schools × domains in RAG colours (the flagged schools when many)."""
        from matplotlib.colors import ListedColormap

        from partnership_eval.plots import new_axes

        table = self.table()
        domains = [d.capitalize() for d in self.domains]
        shown = table if len(table) <= max_schools else table.loc[table["Overall"] != "green"]
        shown = shown.head(max_schools)
        codes = {"green": 0, "amber": 1, "red": 2, "no data": 3}
        grid = shown[domains].replace(codes).to_numpy(dtype=float)
        if ax is None:
            ax = new_axes(figsize=(1.2 * len(domains) + 4, 0.28 * len(shown) + 1.5))
        cmap = ListedColormap([RAG_COLOURS[k] for k in codes])
        ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto")
        ax.set_xticks(range(len(domains)), domains, rotation=30, ha="right")
        ax.set_yticks(range(len(shown)), shown["school"].astype(str))
        ax.tick_params(length=0)
        ax.grid(False)
        hidden = len(table) - len(shown)
        ax.set_title(
            f"Ratings, {self.spec.period}"
            + (
                f" ({hidden} schools not shown, green or beyond the first {max_schools})"
                if hidden
                else ""
            )
        )
        return ax


def _members(data: DataTables, partnership: str, period: int) -> pd.Series:
    key = partnership.strip().lower()
    p = data.partnerships
    match = p.loc[
        p["partnership_id"].str.lower().eq(key) | p["name"].fillna("").str.lower().eq(key)
    ]
    if match.empty:
        raise InputError(
            f"no partnership {partnership!r} in the data",
            column="partnership",
            fix="give a partnership_id or name from the partnerships table",
        )
    end = pd.Timestamp(f"{period}-08-31")
    m = data.memberships
    on = (
        m["partnership_id"].isin(match["partnership_id"])
        & (m["joined"] <= end)
        & (m["left"].isna() | (m["left"] > end))
    )
    return m.loc[on, "urn"].drop_duplicates()


def _periods(outcomes: pd.DataFrame, period: int | None) -> list[int]:
    years = sorted(int(y) for y in outcomes["year"].unique())
    if not years:
        raise InputError("the outcomes table is empty", fix="ingest or build data with outcomes")
    if period is None or period == 0:
        return years
    if period not in years:
        raise InputError(
            f"no outcomes for period {period}",
            column="period",
            fix=f"choose one of {', '.join(map(str, years))} (academic years named by the year they end)",
        )
    return [y for y in years if y <= period]


def _long(frame: pd.DataFrame, domain: str) -> pd.DataFrame:
    return frame.reset_index()[[*KEY, "rating", "reason"]].assign(domain=domain)


NOT_MAINSTREAM = r"special|alternative provision|pupil referral"
"""School types without floor or coasting standards, whose KS2 results are not rated."""


def _mainstream_outcomes(
    data: DataTables, rated: pd.Series, periods: list[int]
) -> tuple[pd.DataFrame, list[dict]]:
    """Outcomes of mainstream schools, and a record of the special and alternative
    provision schools whose results are left out of performance (DfE applies no floor or
    coasting standard to them; their inspection and attendance are still rated), counted
    for the ``rated`` schools in ``periods``."""
    types = data.schools.set_index("urn")["school_type"].fillna("")
    other = types.str.contains(NOT_MAINSTREAM, case=False, regex=True)
    dropped = data.outcomes["urn"].map(other).fillna(False).astype(bool)
    mine = dropped & data.outcomes["urn"].isin(rated) & data.outcomes["year"].isin(periods)
    records = []
    if mine.any():
        records.append(
            {
                "step": "performance",
                "reason": "special school or alternative provision: results not rated",
                "rows": int(mine.sum()),
                "schools": int(data.outcomes.loc[mine, "urn"].nunique()),
            }
        )
    return data.outcomes.loc[~dropped], records


def _chosen_schools(
    data: DataTables, area: str | int | None, partnership: str | None, period: int
) -> tuple[pd.DataFrame, list[dict]]:
    """The schools rated (area or partnership members, open in the period) and those left out."""
    if partnership:
        chosen = data.schools.loc[data.schools["urn"].isin(_members(data, partnership, period))]
    else:
        where = None if area is None or str(area).strip().lower() in ("", "england") else area
        chosen = area_schools(data.schools, where)
    end, start = pd.Timestamp(f"{period}-08-31"), pd.Timestamp(f"{period - 1}-09-01")
    closed = chosen["close_date"].notna() & (chosen["close_date"] < start)
    not_open = chosen["open_date"].notna() & (chosen["open_date"] > end)
    records = [
        {"step": "schools", "reason": reason, "rows": int(mask.sum()), "schools": int(mask.sum())}
        for mask, reason in (
            (closed, "closed before the period"),
            (not_open, "opened after the period"),
        )
        if mask.any()
    ]
    return chosen.loc[~closed & ~not_open], records


def risk_ratings(
    data: DataTables,
    area: str | int | None = None,
    *,
    period: int | None = None,
    rules: Rules | str | Path | None = None,
    intelligence: pd.DataFrame | str | Path | None = None,
    partnership: str | None = None,
    alpha: float = 0.05,
) -> ClinicResult:
    """Rate every school of ``area`` (or ``partnership``) in ``period`` and the periods before.

    Parameters
    ----------
    data
        Canonical tables; national comparators use every school in them.
    area
        LA name or code, or region; None or "England" for every school.
    period
        Academic year rated (named by the year it ends); 0 or None: the latest in the data.
    rules
        A :class:`Rules`, a rules YAML path, or None for the package defaults.
    intelligence
        Optional local ratings (CSV path or frame: urn, period, domain, rating, note).
    partnership
        A partnership_id or name: rate its members at the end of the period instead.
    alpha
        Level of the shrunk estimates' intervals.

    Examples
    --------
    >>> res = risk_ratings(read_tables("data/processed"), "Cumbria", period=2024)  # doctest: +SKIP
    >>> res.agenda().head()  # doctest: +SKIP
    """
    rules = rules if isinstance(rules, Rules) else read_rules(rules)
    periods = _periods(data.outcomes, period)
    period = periods[-1]
    chosen, records = _chosen_schools(data, area, partnership, period)
    mainstream, left_out = _mainstream_outcomes(data, chosen["urn"], periods)
    records += left_out
    rated = {
        "performance": domains.performance(mainstream, rules, periods, alpha),
        "leadership": domains.leadership(data.inspections, data.schools, rules, periods),
        "behaviour": domains.behaviour(data.outcomes, data.schools, rules, periods),
        "attendance": domains.attendance(data.outcomes, data.schools, rules, periods, alpha),
    }
    words = {
        "performance": lambda frame: domains.performance_reasons(frame, alpha),
        "leadership": domains.leadership_reasons,
        "behaviour": domains.behaviour_reasons,
        "attendance": lambda frame: domains.attendance_reasons(frame, rules),
    }
    parts = []
    for name, frame in rated.items():
        mine = frame.loc[frame.index.get_level_values("urn").isin(chosen["urn"])]
        reasons = words[name](mine).to_numpy()
        parts.append(mine.reset_index()[[*KEY, "rating"]].assign(domain=name, reason=reasons))
    if intelligence is not None and not (
        isinstance(intelligence, str) and not intelligence.strip()
    ):
        local = combine.read_intelligence(intelligence)
        unknown = ~local["urn"].isin(chosen["urn"])
        if unknown.any():
            records.append(
                {
                    "step": "intelligence",
                    "reason": "school not among the schools rated",
                    "rows": int(unknown.sum()),
                    "schools": int(local.loc[unknown, "urn"].nunique()),
                }
            )
        parts.append(local.loc[~unknown & local["period"].isin(periods)])
    ratings = pd.concat(parts, ignore_index=True)
    ratings = (
        pd.concat(
            [ratings, combine.overall(ratings, rules)[[*KEY, "domain", "rating", "reason"]]],
            ignore_index=True,
        )
        .sort_values([*KEY, "domain"])
        .reset_index(drop=True)
    )
    now = ratings.loc[(ratings["period"] == period) & (ratings["domain"] == "overall")]
    unrated = ~chosen["urn"].isin(now.loc[now["rating"].notna(), "urn"])
    if unrated.any():
        records.append(
            {
                "step": "ratings",
                "reason": "no data in any domain in the period",
                "rows": int(unrated.sum()),
                "schools": int(unrated.sum()),
            }
        )
    lead = rated["leadership"]
    overall_rows = ratings.loc[ratings["domain"] == "overall"]
    changed = combine.changes(overall_rows)
    lead_area = lead.loc[lead.index.get_level_values("urn").isin(chosen["urn"])]
    hits = combine.triggers(changed, lead_area, rules, period)
    now = ratings.loc[ratings["period"] == period]
    present = set(now.loc[now["rating"].notna(), "domain"])
    missing = tuple(d for d in combine.PUBLIC_DOMAINS if d not in present)
    latest = data.outcomes.loc[data.outcomes["year"] == period].set_index("urn")
    schools = (
        chosen[["urn", "name", "la_name"]]
        .assign(
            ks2_pupils=chosen["urn"]
            .map(latest["cohort_n"].where(latest["ks2_rwm_exp"].notna()))
            .to_numpy(),
            ks2_rwm_exp=chosen["urn"].map(latest["ks2_rwm_exp"]).to_numpy(),
        )
        .reset_index(drop=True)
    )
    previous = sorted(p for p in periods if p < period)
    spec = ClinicSpec(
        area=None if partnership else (None if area is None else area_name(area)),
        partnership=partnership or None,
        period=period,
        previous=previous[-1] if previous else None,
        rules=rules.path,
        intelligence=intelligence is not None,
        alpha=alpha,
    )
    return ClinicResult(
        spec=spec,
        schools=schools,
        ratings=ratings,
        changes=changed,
        triggers=hits.loc[hits["urn"].isin(chosen["urn"])].reset_index(drop=True),
        missing_domains=missing,
        exclusions=exclusion_frame(records),
    )
