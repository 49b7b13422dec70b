"""The joins of :mod:`~partnership_eval.data.ingest`: rows from every file → canonical tables.

Each step takes what the file handlers collected and returns one table plus the rows it
excluded (``file``, ``row``, ``reason``); the rules are described in the ingest module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from partnership_eval.data.geography import la_table
from partnership_eval.data.loaders.ks2 import MEASURES
from partnership_eval.data.loaders.links import Successors
from partnership_eval.data.loaders.phonics import MEASURES as PHONICS_MEASURES
from partnership_eval.data.loaders.trusts import membership_history
from partnership_eval.data.schema import OUTCOME_MEASURES, TABLES
from partnership_eval.errors import InputError

MIN_URN = int(TABLES["schools"].column("urn").minimum)


@dataclass
class Collected:
    """What the file handlers gathered (frames by part name) and the accounting of rows.

    Parts are free-form names (``ks2``, ``gias``, ``group_links``…); a new file kind's
    handler may add its own. ``kept`` holds, per table, the ``file`` of each kept row.
    """

    parts: dict[str, list[pd.DataFrame]] = field(default_factory=lambda: defaultdict(list))
    exclusions: list[pd.DataFrame] = field(default_factory=list)
    kept: list[pd.Series] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, part: str, frame: pd.DataFrame) -> None:
        """Keep ``frame`` under ``part`` for the joins."""
        self.parts[part].append(frame)

    def frames(self, part: str) -> list[pd.DataFrame]:
        """The frames added under ``part`` (none if nothing was)."""
        return self.parts.get(part, [])

    def exclude(self, file: str, rows: pd.Series, reason: str | pd.Series) -> None:
        """Record rows (file row numbers) of ``file`` as excluded for ``reason``."""
        self.exclusions.append(excluded(file, rows, reason))

    def exclude_rows(self, frame: pd.DataFrame, reason: str) -> None:
        """Record the rows of a frame carrying ``file`` and ``row`` as excluded."""
        self.exclusions.append(_excluded_rows(frame, reason))

    def exclusion_frame(self) -> pd.DataFrame:
        """Every exclusion so far, one row per excluded raw row."""
        return pd.concat([no_exclusions(), *self.exclusions], ignore_index=True).astype(
            {"row": "int64"}
        )


def excluded(file: str, rows: pd.Series, reason: str | pd.Series) -> pd.DataFrame:
    """Exclusion rows: ``file``, ``row`` (file row numbers), ``reason``."""
    return pd.DataFrame({"file": file, "row": rows.to_numpy(), "reason": reason})


def _first_conflict(
    frame: pd.DataFrame, keys: list[str], columns: list[str], tolerance: float = 1e-9
) -> pd.Series:
    """Rows whose value in some column differs from the first row of their key group."""
    first = frame.groupby(keys, sort=False)[columns].transform("first")
    conflict = pd.Series(False, index=frame.index)
    for column in columns:
        a = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        b = pd.to_numeric(first[column], errors="coerce").astype("float64")
        conflict |= a.notna() & b.notna() & ((a - b).abs() > tolerance)
    return conflict


def _conflict_error(frame: pd.DataFrame, conflict: pd.Series, keys: list[str], what: str) -> None:
    if not conflict.any():
        return
    bad = frame.loc[conflict].iloc[0]
    same = frame.loc[(frame[keys] == bad[keys]).all(axis=1)].iloc[0]
    key_text = ", ".join(f"{k} {bad[k]}" for k in keys)
    raise InputError(
        f"{what} for {key_text} conflicts with {same['file']} row {same['row']}; "
        f"{int(conflict.sum())} conflicting row(s)",
        path=bad["file"],
        row=int(bad["row"]),
        fix="keep only one release of each file in the raw folder",
    )


def _merge_ks2(outcomes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per school-year: richest file first, gaps filled from others."""
    measures = list(MEASURES)
    outcomes = outcomes.sort_values(
        ["urn", "year", "richness", "order"], ascending=[True, True, False, True]
    )
    keys = ["urn", "year"]
    _conflict_error(outcomes, _first_conflict(outcomes, keys, measures), keys, "KS2 results")
    dup = outcomes.duplicated(keys)
    excluded = _excluded_rows(outcomes.loc[dup], "duplicate")
    merged = outcomes.groupby(keys, as_index=False, sort=False).first()
    for m in measures:
        merged[f"{m}_reason"] = merged[f"{m}_reason"].where(merged[m].isna())
    return merged, excluded


def _excluded_rows(frame: pd.DataFrame, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"file": frame["file"].to_numpy(), "row": frame["row"].to_numpy(), "reason": reason}
    )


def _rekey(
    frame: pd.DataFrame,
    final: pd.Series,
    keys: list[str],
    measures: list[str],
    order: list[str],
    ascending: list[bool],
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Move predecessor rows to their successor URN; resolve clashes by the module's rule."""
    new = frame["urn"].map(final)
    moved = new.notna()
    frame = frame.assign(
        urn=new.fillna(frame["urn"]).astype("int64"),
        _present=frame[measures].notna().sum(axis=1),
        _moved=moved,
        _old_urn=frame["urn"],
    )
    frame = frame.sort_values(
        [*keys, "_present", "_moved", *order, "_old_urn"],
        ascending=[*([True] * len(keys)), False, True, *ascending, True],
    )
    clash = frame.duplicated(keys)
    excluded = _excluded_rows(frame.loc[clash], "predecessor_conflict")
    kept = frame.loc[~clash].drop(columns=["_present", "_moved", "_old_urn"])
    return kept, excluded, int(moved.sum() - frame.loc[clash, "_moved"].sum())


def _dedupe_inspections(inspections: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = ["urn", "date", "kind"]
    inspections = inspections.sort_values([*keys, "priority", "order", "row"])
    _conflict_error(
        inspections,
        _first_conflict(inspections, keys, ["grade"]),
        ["urn", "date"],
        "an inspection grade",
    )
    dup = inspections.duplicated(keys)
    return inspections.loc[~dup], _excluded_rows(inspections.loc[dup], "duplicate")


SCHOOL_COLUMNS = [c.name for c in (*TABLES["schools"].columns, *TABLES["schools"].optional)]


def schools_table(c: Collected, needed: pd.Index) -> pd.DataFrame:
    """The latest GIAS record of each URN, plus minimal rows for URNs with data but none.

    Minimal rows come from the ``school_fallbacks`` part (lowest ``priority`` first).
    """
    gias = pd.concat(c.frames("gias"), ignore_index=True) if c.frames("gias") else None
    if gias is not None and len(gias):
        gias = gias.sort_values(
            ["urn", "last_changed", "order"], ascending=[True, False, False], na_position="last"
        )
        older = gias.duplicated("urn")
        c.exclude_rows(gias.loc[older], "older_extract")
        gias = gias.loc[~older]
        not_school = gias["urn"] < MIN_URN
        c.exclude_rows(gias.loc[not_school], "not_a_school_urn")
        gias = gias.loc[~not_school]
        c.kept.append(gias["file"])
    else:
        gias = pd.DataFrame(columns=["urn"])
    missing = needed.difference(pd.Index(gias["urn"]))
    fallbacks = [f for f in c.frames("school_fallbacks") if len(f)]
    minimal = (
        pd.concat(fallbacks, ignore_index=True)
        if fallbacks
        else pd.DataFrame(columns=["urn", "la_code", "described_from", "priority"])
    )
    minimal = minimal.loc[minimal["urn"].isin(missing) & minimal["la_code"].notna()]
    minimal = minimal.sort_values(["urn", "priority"]).drop_duplicates("urn")
    las = la_table().set_index("la_code")
    minimal = minimal.loc[minimal["la_code"].astype("int64").isin(las.index)]
    minimal["la_code"] = minimal["la_code"].astype("int64")
    minimal["la_name"] = minimal["la_code"].map(las["la_name"])
    minimal["region"] = minimal["la_code"].map(las["region"])
    for source, n in minimal["described_from"].value_counts().sort_index().items():
        c.counts[f"schools described from {source} (no GIAS record)"] = int(n)
    c.counts["URNs with data but no school record anywhere"] = int(len(missing) - len(minimal))
    frames = [f for f in (gias, minimal) if len(f)]
    schools = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return typed(schools.reindex(columns=SCHOOL_COLUMNS), "schools")


def no_exclusions() -> pd.DataFrame:
    """An empty exclusions frame (``file``, ``row``, ``reason``)."""
    return pd.DataFrame(
        {
            "file": pd.Series(dtype="object"),
            "row": pd.Series(dtype="int64"),
            "reason": pd.Series(dtype="object"),
        }
    )


_DTYPES = {
    "int": "Int64",
    "float": "float64",
    "str": "object",
    "bool": "boolean",
    "date": "datetime64[ns]",
}


def typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Cast each column to its schema kind (non-nullable ints to int64)."""
    schema = TABLES[table]
    out = frame.copy()
    for name in out.columns:
        col = schema.column(name)
        assert col is not None, name
        dtype = _DTYPES[col.kind]
        if col.kind == "int" and not col.nullable:
            dtype = "int64"
        if dtype == "object":
            out[name] = out[name].astype("object").where(out[name].notna(), None)
        else:
            out[name] = out[name].astype(dtype)
    return out.reset_index(drop=True)


def outcomes_table(c: Collected, final: Successors | None) -> pd.DataFrame:
    """KS2 rows of every file merged per school-year and re-keyed to successor URNs."""
    schema = TABLES["outcomes"]
    columns = [*schema.required, "ks2_rwm_high", "disadv_n", "source"]
    columns += [f"{m}_reason" for m in MEASURES]
    if not c.frames("ks2"):
        return typed(pd.DataFrame(columns=schema.required), "outcomes")
    merged, duplicates = _merge_ks2(pd.concat(c.frames("ks2"), ignore_index=True))
    c.exclusions.append(duplicates)
    if final is not None:
        merged, clashes, moved = _rekey(
            merged, final.final, ["urn", "year"], list(MEASURES), ["cohort_n"], [False]
        )
        c.exclusions.append(clashes)
        c.counts["outcomes re-keyed from a predecessor URN"] = moved
    for measure in OUTCOME_MEASURES:
        if measure not in merged:
            merged[measure] = np.nan
    merged = merged.sort_values(["urn", "year"])
    c.kept.append(merged["file"])
    return typed(merged[columns], "outcomes")


def with_phonics(outcomes: pd.DataFrame, c: Collected, final: Successors | None) -> pd.DataFrame:
    """Outcomes with the phonics results of phonics files joined on school and year.

    A school-year in several phonics files keeps the first file's row (the others are
    excluded as ``duplicate``); predecessor rows are re-keyed as KS2 rows are.
    """
    if not c.frames("phonics"):
        return outcomes
    keys = ["urn", "year"]
    phonics = pd.concat(c.frames("phonics"), ignore_index=True).sort_values([*keys, "order", "row"])
    dup = phonics.duplicated(keys)
    c.exclude_rows(phonics.loc[dup], "duplicate")
    phonics = phonics.loc[~dup]
    if final is not None:
        phonics, clashes, moved = _rekey(
            phonics, final.final, keys, list(PHONICS_MEASURES), ["order"], [True]
        )
        c.exclusions.append(clashes)
        c.counts["phonics rows re-keyed from a predecessor URN"] = moved
    c.kept.append(phonics["file"])
    columns = [*keys, *PHONICS_MEASURES, *(f"{m}_reason" for m in PHONICS_MEASURES)]
    merged = outcomes.merge(phonics[columns], on=keys, how="outer")
    return typed(merged.sort_values(keys), "outcomes")


def inspections_table(c: Collected, final: Successors | None) -> pd.DataFrame:
    """Inspections of every file, duplicates merged, re-keyed to successor URNs."""
    columns = ["urn", "date", "grade", "kind", "source"]
    if not c.frames("inspections"):
        return typed(pd.DataFrame(columns=columns), "inspections")
    inspections, duplicates = _dedupe_inspections(
        pd.concat(c.frames("inspections"), ignore_index=True)
    )
    c.exclusions.append(duplicates)
    if final is not None:
        keys = ["urn", "date", "kind"]
        inspections, clashes, moved = _rekey(
            inspections, final.final, keys, ["grade"], ["priority"], [True]
        )
        c.exclusions.append(clashes)
        c.counts["inspections re-keyed from a predecessor URN"] = moved
    c.kept.append(inspections["file"])
    return typed(inspections.sort_values(["urn", "date"])[columns], "inspections")


def trust_tables(c: Collected) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Memberships and partnerships from the school rows of every group-links snapshot."""
    membership_cols = TABLES["memberships"].required
    partnership_cols = [*TABLES["partnerships"].required, "source_id"]
    frames = [f for f in c.frames("group_links") if len(f)]
    if not frames:
        return (
            typed(pd.DataFrame(columns=membership_cols), "memberships"),
            typed(pd.DataFrame(columns=partnership_cols), "partnerships"),
        )
    links = pd.concat(frames, ignore_index=True)
    not_school = links["urn"] < MIN_URN
    c.exclude_rows(links.loc[not_school], "not_a_school_urn")
    links = links.loc[~not_school]
    # A school listed twice in one group in one snapshot counts once.
    repeated = links.duplicated(["urn", "uid", "snapshot"], keep="last")
    c.exclude_rows(links.loc[repeated], "duplicate")
    links = links.loc[~repeated]
    c.kept.append(links["file"])
    groups = pd.concat(c.frames("groups"), ignore_index=True) if c.frames("groups") else None
    history = membership_history(links, groups)
    c.counts["group-link snapshots"] = len(history.snapshots)
    c.counts.update(history.counts)
    return (
        typed(history.memberships[membership_cols], "memberships"),
        typed(history.partnerships[partnership_cols], "partnerships"),
    )
