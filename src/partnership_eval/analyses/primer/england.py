"""What the primer shows on the data folder itself (synthetic England, or real files)."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from partnership_eval.analyses.primer.cohorts import funnel_plot, outside_share
from partnership_eval.data.store import DataTables

OUTCOME = "ks2_rwm_exp"


def latest_results(data: DataTables) -> tuple[int, pd.DataFrame]:
    """The last year with KS2 results: cohort size and result (a proportion) per school."""
    outcomes = data.outcomes.dropna(subset=[OUTCOME, "cohort_n"])
    year = int(outcomes["year"].max())
    latest = outcomes[outcomes["year"] == year]
    return year, pd.DataFrame(
        {"cohort_n": latest["cohort_n"].to_numpy(), "result": latest[OUTCOME].to_numpy() / 100}
    )


def england_funnel(data: DataTables, ax: Axes | None = None) -> Axes:
    """The funnel plot of the data folder's last KS2 year."""
    year, frame = latest_results(data)
    return funnel_plot(frame, "cohort_n", "result", ax=ax, title=f"KS2 results in {year}")


def england_outside_share(data: DataTables) -> float:
    """Share of schools outside the 99.8% funnel limits in the last KS2 year."""
    return outside_share(latest_results(data)[1], "cohort_n", "result")


def pre_join_gap(data: DataTables) -> tuple[int, float, float] | None:
    """First KS2 year, and the mean result then of schools that later joined a cluster and
    of the rest (pupil-weighted %), when that year is before the first cluster started."""
    clusters = data.partnerships.loc[data.partnerships["kind"] == "cluster", "partnership_id"]
    members = data.memberships[data.memberships["partnership_id"].isin(clusters)]
    if members.empty:
        return None
    outcomes = data.outcomes.dropna(subset=[OUTCOME, "cohort_n"])
    year = int(outcomes["year"].min())
    if members["joined"].min().year + 1 <= year:  # joined in autumn: first results next summer
        return None
    first = outcomes[outcomes["year"] == year]
    joiner = first["urn"].isin(members["urn"])
    pupils = first["cohort_n"] * first[OUTCOME]
    means = [float(pupils[g].sum() / first.loc[g, "cohort_n"].sum()) for g in (joiner, ~joiner)]
    return year, means[0], means[1]


def bad_year_draw(data: DataTables) -> float | None:
    """Mean pre-start transitory draw of clusters started after a bad year (truth), if planted."""
    truth = data.truth
    if truth is None:
        return None
    rows = truth[truth["programme"] == "cluster_bad_year_selection"]
    return float(rows["effect"].mean()) if len(rows) else None
