"""Raw DfE/GIAS/Ofsted files → the canonical tables, with every set-aside row accounted for.

:func:`ingest` walks a raw folder, recognises each file by its header, loads it, and then
joins across files:

* **Same school-year in several KS2 files** (an LA extract and the national file): the
  file with more of the measures wins, gaps are filled from the other, and the other
  row is excluded as ``duplicate``. Values that disagree are an error.
* **Academy conversion** issues a new URN. Outcomes and inspections recorded under a
  predecessor URN are re-keyed to its latest successor (GIAS establishment links). When
  two rows then share a school and year (or inspection date), the rule is: the row with
  more measures present wins (a just-converted academy is often listed blank beside its
  predecessor's results), then the successor's own row, then the larger cohort, then
  the lower original URN; the others are excluded as ``predecessor_conflict``.
* **Schools**: the most recently changed GIAS record of each URN (older extracts'
  rows are excluded as ``older_extract``). URNs with outcomes, inspections or
  memberships but no GIAS record get a minimal row from the KS2 file's own fields,
  else from Ofsted's school details; any left without an LA are counted.
* **Trusts**: group-link snapshots → membership spells (see
  :mod:`~partnership_eval.data.loaders.trusts`).

Every row read is kept, set aside as reference, or excluded with a reason; exclusions
are written one per row to ``exclusions.csv`` next to the tables. A file's kept rows are
counted from the tables themselves (the rows that supplied a kept record), so the
summary's read = kept + excluded + set aside for each file is a check, not a definition.
A folder holding only some kinds of file ingests what it has; tables without a source
are written empty and the summary says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from partnership_eval.data.geography import la_table
from partnership_eval.data.loaders.detect import BY_NAME, read_known
from partnership_eval.data.loaders.gias import load_establishments
from partnership_eval.data.loaders.ks2 import MEASURES, load_ks2
from partnership_eval.data.loaders.links import Successors, load_links, successors
from partnership_eval.data.loaders.ofsted import (
    load_history,
    load_management_information,
    load_school_details,
)
from partnership_eval.data.loaders.phonics import MEASURES as PHONICS_MEASURES
from partnership_eval.data.loaders.phonics import load_phonics
from partnership_eval.data.loaders.rawfile import DATA_SUFFIXES
from partnership_eval.data.loaders.trusts import (
    load_group_links,
    load_groups,
    membership_history,
)
from partnership_eval.data.schema import OUTCOME_MEASURES, TABLES
from partnership_eval.data.store import sha256_file, write_tables
from partnership_eval.errors import InputError

EXCLUSIONS_NAME = "exclusions.csv"
REFERENCE_TOTALS_NAME = "ks2_reference_totals.csv"
MIN_URN = int(TABLES["schools"].column("urn").minimum)


TABLE_SOURCES = {
    "schools": ("gias_establishments",),
    "outcomes": ("ks2",),
    "memberships": ("gias_group_links",),
    "partnerships": ("gias_group_links",),
    "inspections": ("ofsted_history", "ofsted_mi"),
}
"""Canonical table → the file kinds that feed it (schools also get minimal rows from others)."""


@dataclass
class FileReport:
    """What happened to one raw file: rows read, kept (in a table) and set aside."""

    path: str
    kind: str
    label: str = ""
    rows_read: int = 0
    rows_kept: int = 0
    rows_set_aside: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class IngestResult:
    """Canonical tables plus the accounting of every raw row."""

    tables: dict[str, pd.DataFrame]
    files: list[FileReport]
    exclusions: pd.DataFrame
    """One row per excluded raw row: ``file``, ``row``, ``reason``."""
    reference_totals: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    """Joins and fills worth reporting (re-keyed rows, schools described from KS2…)."""
    hashes: dict[str, str] = field(default_factory=dict)
    """SHA-256 of each source file, by path relative to the raw folder."""

    def excluded_by_reason(self, path: str) -> dict[str, int]:
        """Rows of the file at ``path`` (relative to the raw folder) excluded, by reason."""
        reasons = self.exclusions.loc[self.exclusions["file"] == path, "reason"]
        return {str(k): int(n) for k, n in reasons.value_counts().sort_index().items()}

    def _file_line(self, f: FileReport) -> str:
        if f.kind == "skipped":
            return f"  {f.path}: skipped ({'; '.join(f.notes)})"
        label = f" {f.label}" if f.label else ""
        text = f"  {f.path}: {f.kind}{label}, {f.rows_read} rows read, {f.rows_kept} kept"
        excluded = self.excluded_by_reason(f.path)
        if excluded:
            reasons = ", ".join(f"{reason}: {n}" for reason, n in excluded.items())
            text += f", {sum(excluded.values())} excluded ({reasons})"
        if f.rows_set_aside:
            text += f", {f.rows_set_aside} set aside"
        if f.notes:
            text += f" ({'; '.join(f.notes)})"
        return text

    def summary(self) -> str:
        """The printed summary: files, rows read/kept/excluded/set aside, tables, reasons."""
        lines = ["files:", *(self._file_line(f) for f in self.files)]
        lines.append("tables: " + ", ".join(f"{k} {len(v)}" for k, v in self.tables.items()))
        kinds = {f.kind for f in self.files}
        for name, frame in self.tables.items():
            if len(frame):
                continue
            sources = TABLE_SOURCES[name]
            why = (
                "its source files yielded no rows"
                if kinds.intersection(sources)
                else f"no {' or '.join(BY_NAME[k].description for k in sources)} file"
            )
            lines.append(f"  {name} is empty: {why}")
        by_reason = self.exclusions["reason"].value_counts().sort_index()
        lines.append(f"rows excluded: {int(by_reason.sum())}")
        lines += [f"  {reason}: {n}" for reason, n in by_reason.items()]
        lines += [f"{name}: {n}" for name, n in self.counts.items()]
        return "\n".join(lines)


def _excluded(file: str, rows: pd.Series, reason: str | pd.Series) -> pd.DataFrame:
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


def _schools(
    gias: pd.DataFrame, fallbacks: list[pd.DataFrame], needed: pd.Index, kept: list[pd.Series]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    counts: dict[str, int] = {}
    excluded = []
    if len(gias):
        gias = gias.sort_values(
            ["urn", "last_changed", "order"], ascending=[True, False, False], na_position="last"
        )
        older = gias.duplicated("urn")
        excluded.append(_excluded_rows(gias.loc[older], "older_extract"))
        gias = gias.loc[~older]
        not_school = gias["urn"] < MIN_URN
        excluded.append(_excluded_rows(gias.loc[not_school], "not_a_school_urn"))
        gias = gias.loc[~not_school]
        kept.append(gias["file"])
    missing = needed.difference(pd.Index(gias["urn"] if len(gias) else []))
    minimal = (
        pd.concat([f for f in fallbacks if len(f)], ignore_index=True)
        if any(len(f) for f in fallbacks)
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
        counts[f"schools described from {source} (no GIAS record)"] = int(n)
    counts["URNs with data but no school record anywhere"] = int(len(missing) - len(minimal))
    schools = pd.concat([gias, minimal], ignore_index=True)
    schools = schools.reindex(columns=SCHOOL_COLUMNS)
    return (
        _typed(schools, "schools"),
        pd.concat(excluded, ignore_index=True) if excluded else _no_exclusions(),
        counts,
    )


def _no_exclusions() -> pd.DataFrame:
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


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
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


def _walk(raw_dir: Path) -> list[Path]:
    return sorted(p for p in raw_dir.rglob("*") if p.is_file() and not p.name.startswith("."))


def ingest(raw_dir: str | Path, progress: Callable[[str], None] | None = None) -> IngestResult:
    """Load every recognised file under ``raw_dir`` into the canonical tables.

    Raises
    ------
    InputError
        A file cannot be read, is of no known kind, lacks a required column, holds an
        unparseable value, or conflicts with another file; the message names the file,
        row or column and the fix.

    Examples
    --------
    >>> result = ingest("data/raw")  # doctest: +SKIP
    >>> print(result.summary())  # doctest: +SKIP
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(
            "raw data folder not found",
            path=raw_dir,
            fix="give the folder holding the downloaded files",
        )
    paths = _walk(raw_dir)
    if not any(p.suffix.lower() in DATA_SUFFIXES for p in paths):
        raise InputError(
            "no csv or xlsx data files in this folder",
            path=raw_dir,
            fix="put the downloaded DfE KS2, GIAS and Ofsted files there, or give their folder",
        )
    say = progress or (lambda message: None)
    files: list[FileReport] = []
    kept: list[pd.Series] = []
    exclusions: list[pd.DataFrame] = []
    outcomes, ks2_schools, reference, gias, links, group_links, groups, inspections, details = (
        [] for _ in range(9)
    )
    phonics: list[pd.DataFrame] = []
    hashes: dict[str, str] = {}
    for order, path in enumerate(paths):
        rel = path.relative_to(raw_dir).as_posix()
        if path.suffix.lower() not in DATA_SUFFIXES:
            files.append(FileReport(rel, "skipped", notes=["not a csv or xlsx file"]))
            continue
        say(f"reading {rel}")
        kind, raw = read_known(path)
        hashes[rel] = sha256_file(path)
        report = FileReport(rel, kind.name, rows_read=len(raw.frame))
        files.append(report)
        long_rows = int((raw.extra_fields > 0).sum())
        if long_rows:
            report.notes.append(
                f"{long_rows} row(s) with unquoted fields beyond the header, ignored"
            )
        if kind.reference_only:
            report.rows_set_aside = report.rows_read
            report.notes.append("reference only")
        elif kind.name == "ks2":
            table = load_ks2(raw, root=raw_dir, source=rel)
            report.label = f"{table.year - 1}/{str(table.year)[2:]}"
            outcomes.append(
                table.outcomes.assign(file=rel, order=order, richness=table.measures_found)
            )
            ks2_schools.append(table.schools.assign(described_from="KS2 file", priority=0))
            reference.append(table.reference)
            report.rows_set_aside = len(table.reference)
            if len(table.reference):
                report.notes.append("LA/national totals set aside")
            exclusions.append(_excluded(rel, table.excluded["row"], table.excluded["reason"]))
        elif kind.name == "phonics":
            table = load_phonics(raw, source=rel)
            phonics.append(table.outcomes.assign(file=rel, order=order))
            reference.append(table.reference)
            report.rows_set_aside = len(table.reference)
            exclusions.append(_excluded(rel, table.excluded["row"], table.excluded["reason"]))
        elif kind.name == "gias_establishments":
            gias.append(load_establishments(raw).assign(file=rel, order=order))
        elif kind.name == "gias_links":
            links.append(load_links(raw))
            report.rows_set_aside = report.rows_read
            report.notes.append("used to join predecessor URNs")
        elif kind.name == "gias_group_links":
            g = load_group_links(raw).assign(file=rel)
            report.label = f"snapshot {g['snapshot'].iloc[0].date()}" if len(g) else ""
            other = g["kind"].isna()
            exclusions.append(_excluded(rel, g.loc[other, "row"], "not_a_school_partnership"))
            group_links.append(g.loc[~other])
        elif kind.name == "gias_groups":
            groups.append(load_groups(raw))
            report.rows_set_aside = report.rows_read
            report.notes.append("used for founding dates")
        elif kind.name in ("ofsted_history", "ofsted_mi"):
            loader = load_history if kind.name == "ofsted_history" else load_management_information
            result = loader(raw)
            priority = 1 if kind.name == "ofsted_history" else 0
            inspections.append(result.inspections.assign(file=rel, order=order, priority=priority))
            exclusions.append(_excluded(rel, result.excluded["row"], result.excluded["reason"]))
            if kind.name == "ofsted_mi":
                report.rows_read = len(result.inspections) + len(result.excluded)
                report.notes.append("rows read = latest and previous inspection of each row")
        elif kind.name == "ofsted_school_details":
            details.append(
                load_school_details(raw).assign(described_from="Ofsted school details", priority=1)
            )
            report.rows_set_aside = report.rows_read
            report.notes.append("used to describe schools missing from GIAS")
    say("joining files")
    counts: dict[str, int] = {}
    final = successors(pd.concat(links, ignore_index=True)) if links else None
    if final is not None:
        counts["predecessors with several successors (not re-keyed)"] = final.ambiguous
        counts["predecessors in cyclic links (not re-keyed)"] = final.cyclic

    outcome_frame = _outcomes(outcomes, final, exclusions, counts, kept)
    outcome_frame = _with_phonics(outcome_frame, phonics, final, exclusions, counts, kept)
    inspection_frame = _inspections(inspections, final, exclusions, counts, kept)
    memberships, partnerships = _trusts(group_links, groups, exclusions, counts, kept)
    needed = pd.Index(
        pd.concat([outcome_frame["urn"], inspection_frame["urn"], memberships["urn"]]).unique()
    )
    gias_frame = pd.concat(gias, ignore_index=True) if gias else pd.DataFrame(columns=["urn"])
    from_links = [
        g.sort_values("snapshot")
        .drop_duplicates("urn", keep="last")
        .assign(described_from="GIAS group links", priority=2)
        for g in group_links
    ]
    schools, school_excl, school_counts = _schools(
        gias_frame, [*ks2_schools, *details, *from_links], needed, kept
    )
    exclusions.append(school_excl)
    counts.update(school_counts)
    kept_by_file = pd.concat([pd.Series(dtype="object"), *kept]).value_counts()
    for report in files:
        report.rows_kept = int(kept_by_file.get(report.path, 0))
    tables = {
        "schools": schools,
        "outcomes": outcome_frame,
        "memberships": memberships,
        "partnerships": partnerships,
        "inspections": inspection_frame,
    }
    result = IngestResult(
        tables=tables,
        files=files,
        exclusions=pd.concat([_no_exclusions(), *exclusions], ignore_index=True).astype(
            {"row": "int64"}
        ),
        reference_totals=pd.concat(reference, ignore_index=True) if reference else pd.DataFrame(),
        counts=counts,
        hashes=hashes,
    )
    return result


def _outcomes(
    frames: list[pd.DataFrame],
    final: Successors | None,
    exclusions: list[pd.DataFrame],
    counts: dict[str, int],
    kept: list[pd.Series],
) -> pd.DataFrame:
    schema = TABLES["outcomes"]
    columns = [*schema.required, "ks2_rwm_high", "disadv_n", "source"]
    columns += [f"{m}_reason" for m in MEASURES]
    if not frames:
        return _typed(pd.DataFrame(columns=schema.required), "outcomes")
    merged, duplicates = _merge_ks2(pd.concat(frames, ignore_index=True))
    exclusions.append(duplicates)
    if final is not None:
        merged, clashes, moved = _rekey(
            merged, final.final, ["urn", "year"], list(MEASURES), ["cohort_n"], [False]
        )
        exclusions.append(clashes)
        counts["outcomes re-keyed from a predecessor URN"] = moved
    for measure in OUTCOME_MEASURES:
        if measure not in merged:
            merged[measure] = np.nan
    merged = merged.sort_values(["urn", "year"])
    kept.append(merged["file"])
    return _typed(merged[columns], "outcomes")


def _with_phonics(
    outcomes: pd.DataFrame,
    frames: list[pd.DataFrame],
    final: Successors | None,
    exclusions: list[pd.DataFrame],
    counts: dict[str, int],
    kept: list[pd.Series],
) -> pd.DataFrame:
    """Outcomes with the phonics results of phonics files joined on school and year.

    A school-year in several phonics files keeps the first file's row (the others are
    excluded as ``duplicate``); predecessor rows are re-keyed as KS2 rows are.
    """
    if not frames:
        return outcomes
    keys = ["urn", "year"]
    phonics = pd.concat(frames, ignore_index=True).sort_values([*keys, "order", "row"])
    dup = phonics.duplicated(keys)
    exclusions.append(_excluded_rows(phonics.loc[dup], "duplicate"))
    phonics = phonics.loc[~dup]
    if final is not None:
        phonics, clashes, moved = _rekey(
            phonics, final.final, keys, list(PHONICS_MEASURES), ["order"], [True]
        )
        exclusions.append(clashes)
        counts["phonics rows re-keyed from a predecessor URN"] = moved
    kept.append(phonics["file"])
    columns = [*keys, *PHONICS_MEASURES, *(f"{m}_reason" for m in PHONICS_MEASURES)]
    merged = outcomes.merge(phonics[columns], on=keys, how="outer")
    return _typed(merged.sort_values(keys), "outcomes")


def _inspections(
    frames: list[pd.DataFrame],
    final: Successors | None,
    exclusions: list[pd.DataFrame],
    counts: dict[str, int],
    kept: list[pd.Series],
) -> pd.DataFrame:
    columns = ["urn", "date", "grade", "kind", "source"]
    if not frames:
        return _typed(pd.DataFrame(columns=columns), "inspections")
    inspections, duplicates = _dedupe_inspections(pd.concat(frames, ignore_index=True))
    exclusions.append(duplicates)
    if final is not None:
        keys = ["urn", "date", "kind"]
        inspections, clashes, moved = _rekey(
            inspections, final.final, keys, ["grade"], ["priority"], [True]
        )
        exclusions.append(clashes)
        counts["inspections re-keyed from a predecessor URN"] = moved
    kept.append(inspections["file"])
    return _typed(inspections.sort_values(["urn", "date"])[columns], "inspections")


def _trusts(
    frames: list[pd.DataFrame],
    groups: list[pd.DataFrame],
    exclusions: list[pd.DataFrame],
    counts: dict[str, int],
    kept: list[pd.Series],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    membership_cols = TABLES["memberships"].required
    partnership_cols = [*TABLES["partnerships"].required, "source_id"]
    if not frames:
        return (
            _typed(pd.DataFrame(columns=membership_cols), "memberships"),
            _typed(pd.DataFrame(columns=partnership_cols), "partnerships"),
        )
    links = pd.concat(frames, ignore_index=True)
    not_school = links["urn"] < MIN_URN
    exclusions.append(_excluded_rows(links.loc[not_school], "not_a_school_urn"))
    links = links.loc[~not_school]
    # A school listed twice in one group in one snapshot counts once.
    repeated = links.duplicated(["urn", "uid", "snapshot"], keep="last")
    exclusions.append(_excluded_rows(links.loc[repeated], "duplicate"))
    links = links.loc[~repeated]
    kept.append(links["file"])
    history = membership_history(links, pd.concat(groups, ignore_index=True) if groups else None)
    counts["group-link snapshots"] = len(history.snapshots)
    counts["membership spells dated by first snapshot (no joining date)"] = (
        history.joined_from_snapshot
    )
    return (
        _typed(history.memberships[membership_cols], "memberships"),
        _typed(history.partnerships[partnership_cols], "partnerships"),
    )


def write_ingest(result: IngestResult, out_dir: str | Path) -> Path:
    """Write the canonical tables, their manifest, ``exclusions.csv`` and KS2 reference totals.

    Returns the path of the data manifest.
    """
    out = Path(out_dir)
    manifest = write_tables(
        result.tables, out, synthetic=False, provenance={"source_files": result.hashes}
    )
    result.exclusions.to_csv(out / EXCLUSIONS_NAME, index=False)
    result.reference_totals.to_csv(out / REFERENCE_TOTALS_NAME, index=False)
    return manifest
