"""When each claims school is seen: its (pretend) start, and its observations around it.

The timing behind :mod:`.claims`. A start year ``g`` (named by the academic year it ends)
begins on 1 September of ``g - 1``. Around it each school has its last observation
before the start (before 1 September of ``g - 1 - anticipation`` for an inspection, a
KS2 year before ``g - anticipation``) and its first from the start on, before the end of
the design's last year or — for a comparison school that later joins a partnership
itself — before it joins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact.design import (
    COMPARISON,
    TREATED,
    ImpactDesign,
    MatchedDesign,
)
from partnership_eval.result import exclusion_frame

GROUP_WORDS = {TREATED: "partnership schools", COMPARISON: "comparison schools"}
OBSERVATION = {"Ofsted": "graded inspection", "floor standard": "floor-standard result"}
"""What is observed around a start, by source."""
KEYS = ["urn", "start"]


def claim_starts(design: ImpactDesign, matched: MatchedDesign | None = None) -> pd.DataFrame:
    """The (pretend) start of every design school: urn, group, start, weight, joins,
    partnership and school (its cluster under each clustering).

    Treated schools: their start year and design weight (1). Comparison schools:
    with ``matched``, the start years of the treated schools they were matched to,
    weighted as the match weights them; otherwise one row per treated start year,
    weighted by its share of treated schools. ``joins`` is a comparison school's own later
    start (0 if never); ``partnership`` the partnership of a treated school (else the
    school itself).
    """
    panel = design.panel
    schools = panel.drop_duplicates("urn")[
        ["urn", "group", "first_treated", "weight", "joins_partnership"]
    ]
    pid = panel.drop_duplicates("urn")["partnership_id"] if "partnership_id" in panel else None
    treated = schools[schools["group"] == TREATED]
    comparison = schools[schools["group"] == COMPARISON]
    rows_t = treated.assign(start=treated["first_treated"])
    if matched is not None:
        pairs = matched.match.pairs
        per_treated = pairs.groupby("treated_unit")["control_unit"].transform("size")
        start_of = treated.set_index("urn")["first_treated"]
        stacked = pd.DataFrame(
            {
                "urn": pairs["control_unit"].to_numpy(),
                "start": pairs["treated_unit"].map(start_of).to_numpy(),
                "weight": (1.0 / per_treated).to_numpy(),
            }
        ).dropna(subset=["start"])
        stacked = stacked.groupby(["urn", "start"], as_index=False)["weight"].sum()
        rows_c = comparison.drop(columns="weight").merge(stacked, on="urn")
    else:
        shares = treated["first_treated"].value_counts(normalize=True).rename("share")
        cohorts = shares.rename_axis("start").reset_index()
        rows_c = comparison.merge(cohorts, how="cross")
        rows_c["weight"] = rows_c["share"] * rows_c["weight"]
    out = pd.concat([rows_t, rows_c], ignore_index=True)
    out["start"] = out["start"].astype("int64")
    out["joins"] = np.where(out["group"] == COMPARISON, out["joins_partnership"], 0).astype("int64")
    school = "school " + out["urn"].astype(str)
    if pid is not None:
        partnership = out["urn"].map(pd.Series(pid.to_numpy(), index=schools["urn"]))
        use = (out["group"] == TREATED) & partnership.notna()
        out["partnership"] = np.where(use, "partnership " + partnership.astype(str), school)
    else:
        out["partnership"] = school
    out["school"] = school
    return out[["urn", "group", "start", "weight", "joins", "partnership", "school"]]


def censor_joiners(starts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop comparison rows whose pretend start is at or after the school's own joining."""
    late = (starts["joins"] > 0) & (starts["start"] >= starts["joins"])
    record = {
        "step": "comparison start",
        "reason": "comparison school: joined a partnership itself by its pretend start",
        "rows": int(late.sum()),
        "schools": int(starts.loc[late, "urn"].nunique()),
    }
    return starts[~late].reset_index(drop=True), exclusion_frame([record] if late.any() else [])


def _year_start(years: pd.Series) -> pd.Series:
    """1 September at the beginning of each academic year (named by the year it ends)."""
    return pd.to_datetime((years - 1).astype(str) + "-09-01").astype("datetime64[us]")


def _ends(starts: pd.DataFrame, last_year: int) -> pd.Series:
    """The academic year an observation must come before: the school's joining or the
    year after the design's last."""
    return pd.Series(
        np.where(starts["joins"] > 0, starts["joins"], last_year + 1), index=starts.index
    ).astype("int64")


def _around(rows: pd.DataFrame, seen: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (with cut, begins, until) with the value of the last observation before
    ``cut`` and of the first from ``begins`` on (before ``until``): before, after,
    before_at, after_at. ``seen``: urn, seen (when), value, sorted by seen."""
    before = pd.merge_asof(
        rows.sort_values("cut"),
        seen,
        left_on="cut",
        right_on="seen",
        by="urn",
        direction="backward",
        allow_exact_matches=False,
    )
    after = pd.merge_asof(
        rows.sort_values("begins"),
        seen,
        left_on="begins",
        right_on="seen",
        by="urn",
        direction="forward",
    )
    after = after[after["seen"] < after["until"]]
    out = rows
    for name, found in (("before", before), ("after", after)):
        named = {"seen": f"{name}_at", "value": name}
        out = out.merge(found[[*KEYS, *named]].rename(columns=named), on=KEYS, how="left")
    return out.drop(columns=["cut", "begins", "until"])


def ofsted_events(
    starts: pd.DataFrame, inspections: pd.DataFrame, anticipation: int, last_year: int
) -> pd.DataFrame:
    """Each start row with the grade of its last graded inspection before the start and
    of its first after (before, after) and the years between them (years_apart)."""
    graded = inspections.loc[
        inspections["urn"].isin(starts["urn"]) & inspections["grade"].notna(),
        ["urn", "date", "grade"],
    ].astype({"urn": "int64", "date": "datetime64[us]", "grade": "float64"})
    graded = graded.rename(columns={"date": "seen", "grade": "value"}).sort_values("seen")
    rows = starts.assign(
        cut=_year_start(starts["start"] - anticipation),
        begins=_year_start(starts["start"]),
        until=_year_start(_ends(starts, last_year)),
        urn=starts["urn"].astype("int64"),
    )
    out = _around(rows, graded)
    out["years_apart"] = (out["after_at"] - out["before_at"]).dt.days / 365.25
    return out.drop(columns=["before_at", "after_at"])


def floor_events(
    starts: pd.DataFrame, panel: pd.DataFrame, anticipation: int, last_year: int
) -> pd.DataFrame:
    """Each start row with its last floor-standard result before the start and its first
    from the start year on (1 below the floor, 0 above), and the years between them."""
    known = panel.loc[panel["below_floor"].notna(), ["urn", "year", "below_floor"]]
    known = known.astype({"urn": "int64", "year": "int64", "below_floor": "float64"})
    known = known.rename(columns={"year": "seen", "below_floor": "value"}).sort_values("seen")
    rows = starts.assign(
        cut=(starts["start"] - anticipation).astype("int64"),
        begins=starts["start"].astype("int64"),
        until=_ends(starts, last_year),
        urn=starts["urn"].astype("int64"),
    )
    out = _around(rows, known)
    out["years_apart"] = (out["after_at"] - out["before_at"]).astype("float64")
    return out.drop(columns=["before_at", "after_at"])


def missing_events(events: pd.DataFrame, source: str) -> pd.DataFrame:
    """Exclusions: schools (start rows) without an observation before, after, or either."""
    what = OBSERVATION[source]
    no_before, no_after = events["before"].isna(), events["after"].isna()
    records = []
    for group in (TREATED, COMPARISON):
        mine = events["group"] == group
        for reason, mask in (
            (f"no {what} before the start and none after", no_before & no_after),
            (f"no {what} before the start", no_before & ~no_after),
            (f"no {what} after the start", ~no_before & no_after),
        ):
            mask = mask & mine
            if mask.any():
                records.append(
                    {
                        "step": source,
                        "reason": f"{GROUP_WORDS[group]}: {reason}",
                        "rows": int(mask.sum()),
                        "schools": int(events.loc[mask, "urn"].nunique()),
                    }
                )
    return exclusion_frame(records)
