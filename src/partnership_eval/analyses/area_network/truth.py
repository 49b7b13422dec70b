"""What synthetic England planted: the network's effect on the area and on its schools."""

from __future__ import annotations

import math

import pandas as pd

from partnership_eval.data.store import DataTables
from partnership_eval.panel import first_treated

PROGRAMME = "peer_review_network"


def planted_effects(data: DataTables, la_code: int, outcome: str = "ks2_rwm_exp") -> pd.DataFrame:
    """Planted network effect per year: on the average network school (``school``) and on
    the area's pupil-weighted result (``area``: that effect times the share of the area's
    tested pupils in network schools). Empty when the data are real or plant nothing here."""
    truth = data.truth
    if truth is None or truth.empty:
        return pd.DataFrame(columns=["year", "school", "area"])
    rows = truth[
        (truth["programme"] == PROGRAMME)
        & (truth["la_code"] == la_code)
        & (truth["outcome"] == outcome)
        & truth["partnership_id"].isna()
    ]
    if rows.empty:
        return pd.DataFrame(columns=["year", "school", "area"])
    members = first_treated(data.memberships, data.partnerships, ["triad", "collaborative"])
    urns = data.schools.loc[data.schools["la_code"] == la_code, "urn"]
    results = data.outcomes[data.outcomes["urn"].isin(urns) & data.outcomes[outcome].notna()]
    pupils = results["cohort_n"].astype(float)
    share = pupils.where(results["urn"].isin(members["urn"]), 0.0).groupby(results["year"]).sum()
    share = share / pupils.groupby(results["year"]).sum()
    school = rows.groupby("year")["effect"].mean()
    out = pd.DataFrame({"school": school, "area": school * share.reindex(school.index)})
    return out.reset_index()


def average_planted(effects: pd.DataFrame, years: tuple[int, ...], column: str) -> float | None:
    """Mean planted effect over ``years`` (None when nothing was planted)."""
    part = effects[effects["year"].isin(years)][column]
    value = float(part.mean()) if len(part) else math.nan
    return value if math.isfinite(value) else None
