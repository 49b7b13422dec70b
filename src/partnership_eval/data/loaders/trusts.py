"""GIAS group links (academy trusts, sponsors, federations) → ``partnerships`` and ``memberships``.

A group-links file is a snapshot: who belongs to which group on the day it was extracted.
Several snapshots give a membership history: a school that disappears from a later
snapshot has left the group, and ``left`` is the date of the first snapshot it is
missing from (the true date lies between that snapshot and the one before).

GIAS group types map to partnership kinds as follows. A *Trust* in GIAS is a charitable
foundation trust that supports a set of maintained "trust schools" without running them,
and an *Umbrella trust* groups such trusts; both are the design's ``umbrella_trust``.
Children's-centre groups are not school partnerships and are excluded with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from partnership_eval.data.loaders.codes import parse_dates, parse_int
from partnership_eval.data.loaders.gias import GIAS_DATES
from partnership_eval.data.loaders.rawfile import RawTable
from partnership_eval.errors import InputError

GROUP_KINDS = {
    "multi-academy trust": "mat",
    "single-academy trust": "sat",
    "school sponsor": "sponsor",
    "trust": "umbrella_trust",
    "umbrella trust": "umbrella_trust",
    "federation": "federation",
}
"""GIAS ``Group Type`` (lower case) → partnership kind."""

_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")


def _first(raw: RawTable, *names: str) -> str:
    return next(n for n in names if raw.has(n))


def snapshot_date(raw: RawTable) -> pd.Timestamp:
    """Extraction date of a group-links file.

    Taken from a ``YYYYMMDD`` date in the file name (as GIAS names its downloads);
    otherwise the latest joining date in the file, the earliest the extract can be from.

    Raises
    ------
    InputError
        Neither the name nor the contents give a date.
    """
    match = _DATE_IN_NAME.search(raw.path.name)
    if match:
        return pd.Timestamp(int(match[1]), int(match[2]), int(match[3]))
    joined = parse_dates(raw, _first(raw, "Joined date", "Date Joined Group"), GIAS_DATES)
    if joined.notna().any():
        return joined.max()
    raise InputError(
        "cannot tell when this group-links snapshot was taken",
        path=raw.path,
        fix="keep the GIAS file name with its date, e.g. edubaseallacademiesandfree20190601.csv",
    )


def load_group_links(raw: RawTable) -> pd.DataFrame:
    """One row per school–group link of a snapshot, with the snapshot date.

    Columns: ``urn``, ``uid``, ``group_name``, ``group_type``, ``kind`` (missing for
    groups that are not school partnerships), ``joined``, ``left_group`` (``Date Left
    Group`` where the file has it), ``la_code``, the school's ``name``, ``school_type`` and
    ``phase``, ``snapshot``, ``row`` (file row number).
    """
    joined_col = _first(raw, "Joined date", "Date Joined Group")
    group_type = raw.text("Group Type")
    out = pd.DataFrame(
        {
            "urn": parse_int(raw, "URN", what="URN"),
            "uid": parse_int(raw, _first(raw, "Linked UID", "Group UID"), what="group UID"),
            "group_name": raw.text("Group Name"),
            "group_type": group_type,
            "kind": group_type.str.lower().map(GROUP_KINDS).astype("object"),
            "joined": parse_dates(raw, joined_col, GIAS_DATES),
            "left_group": (
                parse_dates(raw, "Date Left Group", GIAS_DATES)
                if raw.has("Date Left Group")
                else pd.Series(pd.NaT, index=raw.frame.index, dtype="datetime64[ns]")
            ),
            "la_code": (
                parse_int(raw, "LA (code)", what="LA code")
                if raw.has("LA (code)")
                else pd.Series(pd.NA, index=raw.frame.index, dtype="Int64")
            ),
        }
    )
    for column, name in (
        ("name", "EstablishmentName"),
        ("school_type", "TypeOfEstablishment (name)"),
        ("phase", "PhaseOfEducation (name)"),
    ):
        out[column] = raw.text(name).replace("", None) if raw.has(name) else None
    out["snapshot"] = snapshot_date(raw)
    out["row"] = raw.rows
    return out


def load_groups(raw: RawTable) -> pd.DataFrame:
    """Groups file rows: ``uid``, ``group_name``, ``founded`` (open or incorporation date)."""
    founded = pd.Series(pd.NaT, index=raw.frame.index, dtype="datetime64[ns]")
    for column in ("Open date", "Incorporated on (open date)"):
        if raw.has(column):
            founded = founded.fillna(parse_dates(raw, column, GIAS_DATES))
    return pd.DataFrame(
        {
            "uid": parse_int(raw, "Group UID", what="group UID"),
            "group_name": raw.text("Group Name"),
            "group_type": raw.text("Group Type"),
            "founded": founded,
        }
    )


@dataclass
class MembershipHistory:
    """Memberships and partnerships built from one or more group-link snapshots."""

    memberships: pd.DataFrame
    partnerships: pd.DataFrame
    snapshots: list[pd.Timestamp]
    joined_from_snapshot: int
    """Spells whose joining date was missing (or after the first snapshot showing them),
    dated by that first snapshot instead."""


def partnership_id(uid: pd.Series) -> pd.Series:
    """Partnership ids of GIAS group UIDs (``gias-<UID>``)."""
    return "gias-" + uid.astype("int64").astype(str)


def membership_history(
    links: pd.DataFrame, groups: pd.DataFrame | None = None
) -> MembershipHistory:
    """Membership spells and partnerships from the school-partnership rows of snapshots.

    ``links`` holds the rows of :func:`load_group_links` for one or more snapshots, with
    non-partnership groups (``kind`` missing) already set aside. A spell is a run of
    consecutive snapshots in which a school belongs to a group; it ends (``left``) at the
    first snapshot without it, and stays open when the school is in the latest snapshot.
    ``groups`` (from :func:`load_groups`) supplies founding dates; otherwise a group's
    founding date is its earliest member's joining date.
    """
    snapshots = sorted(links["snapshot"].unique())
    index = {d: i for i, d in enumerate(snapshots)}
    rows = links.assign(snap=links["snapshot"].map(index)).sort_values(["urn", "uid", "snap"])
    rows = rows.drop_duplicates(["urn", "uid", "snap"], keep="last")
    same_pair = (rows["urn"].eq(rows["urn"].shift())) & (rows["uid"].eq(rows["uid"].shift()))
    new_spell = ~(same_pair & rows["snap"].eq(rows["snap"].shift() + 1))
    rows["spell"] = new_spell.cumsum()
    snap_dates = pd.DatetimeIndex([*snapshots, pd.NaT]).to_numpy()
    spells = rows.groupby("spell").agg(
        urn=("urn", "first"),
        uid=("uid", "first"),
        first=("snap", "min"),
        last=("snap", "max"),
        joined=("joined", "first"),
        left_group=("left_group", "last"),
    )
    first_seen = pd.Series(snap_dates[spells["first"]], index=spells.index)
    # A joining date missing, or later than the first snapshot listing the school, cannot
    # be right: the first snapshot is the latest the school can have joined.
    no_joined = spells["joined"].isna() | (spells["joined"] > first_seen)
    spells["joined"] = spells["joined"].mask(no_joined, first_seen)
    left = pd.Series(snap_dates[spells["last"].to_numpy() + 1], index=spells.index)
    spells["left"] = spells["left_group"].fillna(left)
    spells["partnership_id"] = partnership_id(spells["uid"])
    # A school that drops out of one snapshot and returns with the same joining date has
    # one spell, not two: keep its earliest joining and its latest leaving.
    keys = ["urn", "partnership_id", "joined"]
    still_member = spells["left"].isna().groupby([spells[k] for k in keys]).any()
    last_left = spells.groupby(keys)["left"].max().mask(still_member)
    memberships = last_left.reset_index().astype({"urn": "int64"})
    latest = links.sort_values("snapshot").drop_duplicates("uid", keep="last")
    partnerships = pd.DataFrame(
        {
            "partnership_id": partnership_id(latest["uid"]).to_numpy(),
            "name": latest["group_name"].to_numpy(),
            "kind": latest["kind"].to_numpy(),
        }
    )
    first_joined = memberships.groupby("partnership_id")["joined"].min()
    founded = first_joined
    if groups is not None and len(groups):
        from_groups = groups.dropna(subset=["founded"]).drop_duplicates("uid", keep="last")
        founded = pd.Series(
            from_groups["founded"].to_numpy(), index=partnership_id(from_groups["uid"])
        ).combine_first(first_joined)
    partnerships["founded"] = pd.to_datetime(partnerships["partnership_id"].map(founded))
    modal_la = (
        links.dropna(subset=["la_code"])
        .groupby(["uid", "la_code"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["uid", "n", "la_code"], ascending=[True, False, True])
        .drop_duplicates("uid")
    )
    la = pd.Series(modal_la["la_code"].to_numpy(), index=partnership_id(modal_la["uid"]))
    partnerships["la_code"] = partnerships["partnership_id"].map(la).astype("Int64")
    partnerships["source_id"] = latest["uid"].astype("int64").astype(str).to_numpy()
    return MembershipHistory(
        memberships=memberships,
        partnerships=partnerships,
        snapshots=list(snapshots),
        joined_from_snapshot=int(no_joined.sum()),
    )
