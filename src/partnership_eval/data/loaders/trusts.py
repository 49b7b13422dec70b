"""GIAS group links (academy trusts, sponsors, federations) → ``partnerships`` and ``memberships``.

A group-links file is a snapshot: who belongs to which group on the day it was extracted.
Several snapshots give a membership history that reproduces each of them exactly: on
every snapshot date, the spells open then (``joined <= date < left``) are that
snapshot's (school, group) pairs, and each group's kind is its kind in that snapshot.

* A school that disappears from a later snapshot has left the group; ``left`` is the
  date of the first snapshot it is missing from (the true date lies between that
  snapshot and the one before), or the file's ``Date Left Group`` where that lies in
  between.
* A joining date is trusted only where no snapshot contradicts it: one missing, later
  than the first snapshot showing the school, or not after an earlier snapshot that did
  not show it (a 2022 file back-dating a link over 2019 snapshots without it) is
  replaced by the date of the first snapshot showing the school. Later files extend the
  history; they never rewrite a period a snapshot observed.
* A group whose type changes (a single-academy trust that takes on a second school
  becomes a multi-academy trust) is one partnership per type: ``gias-<UID>`` for its
  latest type, ``gias-<UID>-<kind>`` for an earlier one (``source_id`` is the UID of
  both). A school's spell in the earlier type ends, and its spell in the later one
  begins, at the first snapshot showing the new type.

GIAS group types map to partnership kinds as follows. A *Trust* in GIAS is a charitable
foundation trust that supports a set of maintained "trust schools" without running them,
and an *Umbrella trust* groups such trusts; both are the design's ``umbrella_trust``.
Children's-centre groups are not school partnerships and are excluded with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    otherwise the latest joining date in the file, the earliest the extract can be from
    (``NaT`` for a file without rows).

    Raises
    ------
    InputError
        Neither the name nor the contents give a date.
    """
    match = _DATE_IN_NAME.search(raw.path.name)
    if match:
        return pd.Timestamp(int(match[1]), int(match[2]), int(match[3]))
    if not len(raw.frame):
        return pd.NaT
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
    # A snapshot of only other groups (children's centres) needs no date: it adds no links.
    schools = out["kind"].notna()
    out["snapshot"] = snapshot_date(raw.subset(schools)) if schools.any() else pd.NaT
    out["snapshot"] = out["snapshot"].astype("datetime64[ns]")
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
    counts: dict[str, int] = field(default_factory=dict)
    """How many spells had their dates set from the snapshots, by why."""

    @property
    def joined_from_snapshot(self) -> int:
        """Spells dated by the first snapshot showing them instead of their joining date."""
        return sum(n for k, n in self.counts.items() if k.startswith("membership spells dated"))


def partnership_id(uid: pd.Series) -> pd.Series:
    """Partnership ids of GIAS group UIDs (``gias-<UID>``)."""
    return "gias-" + uid.astype("int64").astype(str)


def members_on(
    memberships: pd.DataFrame, partnerships: pd.DataFrame, date: pd.Timestamp
) -> pd.DataFrame:
    """The (``urn``, ``source_id``, ``kind``) of every membership open on ``date``."""
    m = memberships
    open_ = (m["joined"] <= date) & (m["left"].isna() | (m["left"] > date))
    kinds = partnerships.set_index("partnership_id")
    out = m.loc[open_, ["urn", "partnership_id"]]
    return pd.DataFrame(
        {
            "urn": out["urn"].to_numpy(),
            "source_id": out["partnership_id"].map(kinds["source_id"]).to_numpy(),
            "kind": out["partnership_id"].map(kinds["kind"]).to_numpy(),
        }
    )


def _kind_ids(rows: pd.DataFrame) -> pd.Series:
    """Partnership id of each row: ``gias-<UID>``, suffixed by kind for a group's earlier types."""
    latest_kind = rows.sort_values("snap").groupby("uid")["kind"].last()
    base = partnership_id(rows["uid"])
    earlier = rows["kind"].ne(rows["uid"].map(latest_kind))
    return base.where(~earlier, base + "-" + rows["kind"].astype(str))


def _spells(rows: pd.DataFrame, snapshots: list[pd.Timestamp]) -> tuple[pd.DataFrame, dict]:
    """Runs of consecutive snapshots per (school, partnership), dated so as to reproduce them."""
    rows = rows.sort_values(["urn", "partnership_id", "snap"])
    same_pair = rows["urn"].eq(rows["urn"].shift()) & rows["partnership_id"].eq(
        rows["partnership_id"].shift()
    )
    rows["spell"] = (~(same_pair & rows["snap"].eq(rows["snap"].shift() + 1))).cumsum()
    spells = rows.groupby("spell").agg(
        urn=("urn", "first"),
        partnership_id=("partnership_id", "first"),
        uid=("uid", "first"),
        kind=("kind", "first"),
        first=("snap", "min"),
        last=("snap", "max"),
        joined=("joined", "first"),
        left_group=("left_group", "last"),
    )
    dates = pd.DatetimeIndex([pd.NaT, *snapshots, pd.NaT]).to_numpy()  # dates[i + 1] = snap i
    first_seen = pd.Series(dates[spells["first"].to_numpy() + 1], index=spells.index)
    before = pd.Series(dates[spells["first"].to_numpy()], index=spells.index)
    after = pd.Series(dates[spells["last"].to_numpy() + 2], index=spells.index)
    last_seen = pd.Series(dates[spells["last"].to_numpy() + 1], index=spells.index)
    no_date = spells["joined"].isna()
    too_late = spells["joined"] > first_seen
    contradicted = ~no_date & before.notna() & (spells["joined"] <= before)
    spells["joined"] = spells["joined"].mask(no_date | too_late | contradicted, first_seen)
    left_ok = (spells["left_group"] > last_seen) & (after.isna() | (spells["left_group"] <= after))
    spells["left"] = spells["left_group"].where(left_ok, after)
    why = {
        "no joining date": no_date,
        "joining date after it": too_late,
        "an earlier snapshot lacks them": contradicted,
    }
    counts = {
        f"membership spells dated by first snapshot ({k})": int(v.sum())
        for k, v in why.items()
        if v.any()
    }
    return spells.reset_index(drop=True), counts


def _partnerships(
    rows: pd.DataFrame, memberships: pd.DataFrame, groups: pd.DataFrame | None
) -> pd.DataFrame:
    latest = rows.sort_values("snap").drop_duplicates("partnership_id", keep="last")
    partnerships = pd.DataFrame(
        {
            "partnership_id": latest["partnership_id"].to_numpy(),
            "name": latest["group_name"].to_numpy(),
            "kind": latest["kind"].to_numpy(),
            "uid": latest["uid"].to_numpy(),
        }
    )
    founded = memberships.groupby("partnership_id")["joined"].min()
    if groups is not None and len(groups):
        from_groups = groups.dropna(subset=["founded"]).drop_duplicates("uid", keep="last")
        founded = pd.Series(
            from_groups["founded"].to_numpy(), index=partnership_id(from_groups["uid"])
        ).combine_first(founded)
    partnerships["founded"] = pd.to_datetime(partnerships["partnership_id"].map(founded))
    modal_la = (
        rows.dropna(subset=["la_code"])
        .groupby(["uid", "la_code"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["uid", "n", "la_code"], ascending=[True, False, True])
        .drop_duplicates("uid")
        .set_index("uid")["la_code"]
    )
    partnerships["la_code"] = partnerships["uid"].map(modal_la).astype("Int64")
    partnerships["source_id"] = partnerships["uid"].astype("int64").astype(str)
    return partnerships.drop(columns="uid")


def membership_history(
    links: pd.DataFrame, groups: pd.DataFrame | None = None
) -> MembershipHistory:
    """Membership spells and partnerships from the school-partnership rows of snapshots.

    ``links`` holds the rows of :func:`load_group_links` for one or more snapshots, with
    non-partnership groups (``kind`` missing) already set aside. See the module docstring
    for how spells are dated. ``groups`` (from :func:`load_groups`) supplies founding
    dates of each group's latest-type partnership; otherwise (and for earlier types) a
    partnership's founding date is its earliest member's joining date.
    """
    snapshots = sorted(links["snapshot"].unique())
    index = {d: i for i, d in enumerate(snapshots)}
    rows = links.assign(snap=links["snapshot"].map(index).astype("int64"))
    rows = rows.sort_values(["urn", "uid", "snap"]).drop_duplicates(
        ["urn", "uid", "snap"], keep="last"
    )
    rows["partnership_id"] = _kind_ids(rows)
    spells, counts = _spells(rows, snapshots)
    memberships = spells[["urn", "partnership_id", "joined", "left"]].astype({"urn": "int64"})
    return MembershipHistory(
        memberships=memberships.sort_values(["urn", "joined", "partnership_id"]).reset_index(
            drop=True
        ),
        partnerships=_partnerships(rows, memberships, groups),
        snapshots=[pd.Timestamp(d) for d in snapshots],
        counts=counts,
    )
