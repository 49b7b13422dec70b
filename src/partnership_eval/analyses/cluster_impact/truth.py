"""The planted effects of synthetic England, for exactly the schools an estimate used.

The truth table holds each programme's mean realised effect per cohort and year, per
partnership (clusters), per LA and pooled. An estimate rests on the schools that
survived the sample rules, and on an unbalanced panel each start-year × year comparison
uses only the schools with results in both years it compares; so the target of each
comparison is rebuilt from the finest rows available for exactly its schools: per
partnership weighted by how many of them each contributes, else per LA, else pooled.
Aggregates then use the estimator's own weights (cohort sizes among the sample's schools).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PROGRAMME_OF_KIND = {
    "cluster": "small_school_clusters",
    "federation": "federations",
    "umbrella_trust": "umbrella_trusts",
    "triad": "peer_review_network",
    "collaborative": "peer_review_network",
}
"""Synthetic programme whose planted effect a partnership kind carries."""

CELL = ["cohort", "time"]


def _weighted(rows: pd.DataFrame, members: pd.DataFrame, key: str) -> pd.DataFrame:
    weights = members["weight"] if "weight" in members else pd.Series(1.0, index=members.index)
    counts = weights.groupby([members[c] for c in [*CELL, key]]).sum().rename("w").reset_index()
    effects = rows.rename(columns={"year": "time"})[[*CELL, key, "effect"]]
    both = counts.merge(effects, on=[*CELL, key], how="left")
    both["we"] = both["w"] * both["effect"]
    out = both.groupby(CELL)[["we", "w"]].sum()
    # a cell with any school lacking a planted row has no known truth
    known = both.groupby(CELL)["effect"].apply(lambda e: e.notna().all())
    return (out["we"] / out["w"]).where(known).rename("truth").reset_index()


def truth_by_cell(
    truth: pd.DataFrame | None, kind: list[str], outcome: str, members: pd.DataFrame
) -> pd.DataFrame | None:
    """Planted ATT(g, t) for the treated schools each comparison used: cohort, time, truth.

    ``members`` has one row per comparison and treated school used (cohort, time, urn,
    partnership_id, la_code, and optionally the school's ``weight`` in the estimate).
    None when the data carry no planted effect of this kind on this outcome.
    """
    if truth is None or len(kind) != 1 or kind[0] not in PROGRAMME_OF_KIND:
        return None
    rows = truth[
        (truth["programme"] == PROGRAMME_OF_KIND[kind[0]])
        & (truth["outcome"].fillna("ks2_rwm_exp") == outcome)
    ]
    if rows.empty or members.empty:
        return None
    by_pid = rows[rows["partnership_id"].notna()]
    if not by_pid.empty and members["partnership_id"].isin(by_pid["partnership_id"]).all():
        return _weighted(by_pid, members, "partnership_id")
    by_la = rows[rows["partnership_id"].isna() & rows["la_code"].notna()]
    if not by_la.empty and members["la_code"].isin(by_la["la_code"]).all():
        return _weighted(by_la, members, "la_code")
    pooled = rows[rows["partnership_id"].isna() & rows["la_code"].isna()]
    if pooled.empty:
        return None
    return (
        pooled.rename(columns={"year": "time"}).groupby(CELL)["effect"].mean().rename("truth")
    ).reset_index()


def cells_with_truth(
    att_gt: pd.DataFrame, truth: pd.DataFrame | None, cohort_size: pd.Series
) -> pd.DataFrame:
    """``att_gt`` with ``truth`` (0 before the start, missing where unknown) and
    ``cohort_size`` (the cohort's schools in the sample, by their weights: the
    aggregation weight)."""
    out = att_gt.assign(cohort_size=att_gt["cohort"].map(cohort_size).astype("float64"))
    if truth is None:
        return out.assign(truth=np.nan)
    out = out.merge(truth, on=CELL, how="left")
    out.loc[~out["post"], "truth"] = 0.0
    return out


def truth_simple(cells: pd.DataFrame) -> float | None:
    """Planted value of the simple aggregate: post cells weighted by cohort size."""
    post = cells[cells["post"]]
    if post.empty or post["truth"].isna().any():
        return None
    return float(np.average(post["truth"], weights=post["cohort_size"]))


def truth_dynamic(cells: pd.DataFrame) -> pd.DataFrame:
    """Planted effect by event time: cohorts weighted by size; event_time, truth."""
    grouped = cells.assign(w=cells["cohort_size"], wt=cells["cohort_size"] * cells["truth"])
    out = grouped.groupby("event_time")[["wt", "w"]].sum(min_count=1)
    return (out["wt"] / out["w"]).rename("truth").reset_index()
