"""The planted effects of synthetic England, for exactly the schools an estimate used.

The truth table holds each programme's mean realised effect per cohort and year, per
partnership (clusters), per LA and pooled. An estimate rests on the schools that
survived the sample rules, so its target is rebuilt from the finest rows available:
per partnership weighted by how many of the sample's schools each contributes, else per
LA, else pooled. Aggregates then use the estimator's own weights (cohort sizes).
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


def _weighted(rows: pd.DataFrame, key: str, counts: pd.Series) -> pd.DataFrame:
    rows = rows[rows[key].isin(counts.index)].assign(w=lambda d: d[key].map(counts))
    rows = rows.assign(we=rows["w"] * rows["effect"])
    out = rows.groupby(["cohort", "year"])[["we", "w"]].sum()
    return (out["we"] / out["w"]).rename("truth").reset_index()


def truth_by_cell(
    truth: pd.DataFrame | None, kind: list[str], outcome: str, treated: pd.DataFrame
) -> pd.DataFrame | None:
    """Planted ATT(g, t) for the treated schools of a sample: cohort, year, truth.

    ``treated`` has one row per treated school used, with partnership_id and la_code.
    None when the data carry no planted effect of this kind on this outcome.
    """
    if truth is None or len(kind) != 1 or kind[0] not in PROGRAMME_OF_KIND:
        return None
    rows = truth[
        (truth["programme"] == PROGRAMME_OF_KIND[kind[0]])
        & (truth["outcome"].fillna("ks2_rwm_exp") == outcome)
    ]
    if rows.empty or treated.empty:
        return None
    by_pid = rows[rows["partnership_id"].notna()]
    pid_counts = treated["partnership_id"].value_counts()
    if not by_pid.empty and pid_counts.index.isin(by_pid["partnership_id"]).all():
        return _weighted(by_pid, "partnership_id", pid_counts)
    by_la = rows[rows["partnership_id"].isna() & rows["la_code"].notna()]
    la_counts = treated["la_code"].value_counts()
    if not by_la.empty and la_counts.index.isin(by_la["la_code"]).all():
        return _weighted(by_la, "la_code", la_counts)
    pooled = rows[rows["partnership_id"].isna() & rows["la_code"].isna()]
    if pooled.empty:
        return None
    return pooled.groupby(["cohort", "year"])["effect"].mean().rename("truth").reset_index()


def cells_with_truth(att_gt: pd.DataFrame, truth: pd.DataFrame | None) -> pd.DataFrame:
    """``att_gt`` with a ``truth`` column (0 before the start, missing where unknown)."""
    if truth is None:
        return att_gt.assign(truth=np.nan)
    out = att_gt.merge(truth.rename(columns={"year": "time"}), on=["cohort", "time"], how="left")
    out.loc[~out["post"], "truth"] = 0.0
    return out


def truth_simple(cells: pd.DataFrame) -> float | None:
    """Planted value of the simple aggregate: post cells weighted by cohort size."""
    post = cells[cells["post"]]
    if post.empty or post["truth"].isna().any():
        return None
    return float(np.average(post["truth"], weights=post["n_treated"]))


def truth_dynamic(cells: pd.DataFrame) -> pd.DataFrame:
    """Planted effect by event time: cohorts weighted by size; event_time, truth."""
    grouped = cells.assign(w=cells["n_treated"], wt=cells["n_treated"] * cells["truth"])
    out = grouped.groupby("event_time")[["wt", "w"]].sum(min_count=1)
    return (out["wt"] / out["w"]).rename("truth").reset_index()
