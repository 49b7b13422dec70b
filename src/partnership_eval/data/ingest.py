"""Raw DfE/GIAS/Ofsted files → the canonical tables, with every set-aside row accounted for.

:func:`ingest` runs in named steps: walk the raw folder, read each file and recognise its
kind by its header (:func:`~partnership_eval.data.loaders.detect.read_known`), hand it
to the handler registered for that kind (:data:`HANDLERS`), then join across files
(:mod:`~partnership_eval.data.joins`):

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
* **Trusts**: group-link snapshots → membership spells that reproduce every snapshot
  (see :mod:`~partnership_eval.data.loaders.trusts`).

Every row read is kept, set aside as reference, or excluded with a reason (blank rows
and rows with a blank key included); exclusions are written one per row to
``exclusions.csv`` next to the tables. A file's kept rows are counted from the tables
themselves, so the summary's read = kept + excluded + set aside for each file is a
check, not a definition. A folder holding only some kinds of file ingests what it has;
tables without a source are written empty and the summary says why.

A new file kind registers in two places: a :class:`~partnership_eval.data.loaders.detect.FileKind`
in ``detect.KINDS`` (how to recognise it) and a handler here::

    @handles("phonics")
    def _phonics(src: Source, c: Collected) -> None:
        c.add("phonics", load_phonics(src.raw).assign(file=src.rel))

Frames added under a part named like a table in ``schema.TABLES`` that no join builds
(:data:`JOINED_TABLES`) are concatenated into that table as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from partnership_eval.data import joins
from partnership_eval.data.joins import Collected
from partnership_eval.data.loaders.detect import BY_NAME, FileKind, read_known
from partnership_eval.data.loaders.gias import load_establishments
from partnership_eval.data.loaders.ks2 import Ks2Dictionary, load_ks2, load_ks2_meta
from partnership_eval.data.loaders.links import load_links, successors
from partnership_eval.data.loaders.ofsted import (
    load_history,
    load_management_information,
    load_school_details,
)
from partnership_eval.data.loaders.phonics import load_phonics
from partnership_eval.data.loaders.rawfile import DATA_SUFFIXES, RawTable
from partnership_eval.data.loaders.trusts import load_group_links, load_groups
from partnership_eval.data.schema import TABLES
from partnership_eval.data.store import replace_dir, sha256_file, write_tables
from partnership_eval.errors import InputError

EXCLUSIONS_NAME = "exclusions.csv"
REFERENCE_TOTALS_NAME = "ks2_reference_totals.csv"
OUTPUT_FILES = (EXCLUSIONS_NAME, REFERENCE_TOTALS_NAME)
"""Files ``write_ingest`` writes beside the tables and their manifest."""

TABLE_SOURCES = {
    "schools": ("gias_establishments",),
    "outcomes": ("ks2",),
    "memberships": ("gias_group_links",),
    "partnerships": ("gias_group_links",),
    "inspections": ("ofsted_history", "ofsted_mi"),
}
"""Canonical table → the file kinds that feed it (schools also get minimal rows from others)."""
JOINED_TABLES = ("schools", "outcomes", "memberships", "partnerships", "inspections")


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
class Source:
    """One recognised raw file on its way through a handler."""

    path: Path
    rel: str
    """Path relative to the raw folder (how the summary and exclusions name it)."""
    order: int
    kind: FileKind
    raw: RawTable
    report: FileReport
    root: Path

    def set_aside(self, note: str) -> None:
        """Count every row of the file as set aside (used as reference), saying what for."""
        self.report.rows_set_aside = len(self.raw.frame)
        self.report.notes.append(note)


Handler = Callable[[Source, Collected], None]
HANDLERS: dict[str, tuple[int, Handler]] = {}
"""File kind → (stage, handler). Stage 0 handlers (dictionaries) run before stage 1;
reference-only kinds without a handler are set aside."""


def handles(*kinds: str, stage: int = 1) -> Callable[[Handler], Handler]:
    """Register a handler for one or more file kinds (see the module docstring)."""

    def register(handler: Handler) -> Handler:
        for kind in kinds:
            if kind not in BY_NAME:
                raise AssertionError(f"no FileKind named {kind!r} in detect.KINDS")
            HANDLERS[kind] = (stage, handler)
        return handler

    return register


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
            if len(frame) or name not in TABLE_SOURCES:
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


# --- handlers, one per file kind ---------------------------------------------------------


def _without_blank(src: Source, c: Collected, columns: tuple[str, ...], reason: str) -> None:
    """Exclude rows whose key (any of ``columns`` present in the file) is blank."""
    present = [col for col in columns if src.raw.has(col)]
    if not present:
        return
    blank = pd.concat([src.raw.text(col).eq("") for col in present], axis=1).any(axis=1)
    if not blank.any():
        return
    c.exclude(src.rel, src.raw.rows[blank.to_numpy()], reason)
    src.raw = src.raw.subset(~blank)


@handles("ks2_meta", stage=0)
def _ks2_meta(src: Source, c: Collected) -> None:
    c.add("ks2_meta", load_ks2_meta(src.raw))
    src.set_aside("DfE column definitions, used to map KS2 headers")


@handles("ks2")
def _ks2(src: Source, c: Collected) -> None:
    meta = c.frames("ks2_meta")
    dictionary = Ks2Dictionary(pd.concat(meta, ignore_index=True) if meta else None)
    table = load_ks2(src.raw, root=src.root, source=src.rel, dictionary=dictionary)
    src.report.label = f"{table.year - 1}/{str(table.year)[2:]}"
    src.report.notes.extend(table.notes)
    c.add(
        "ks2",
        table.outcomes.assign(file=src.rel, order=src.order, richness=table.measures_found),
    )
    c.add("school_fallbacks", table.schools.assign(described_from="KS2 file", priority=0))
    c.add("ks2_reference", table.reference)
    src.report.rows_set_aside = len(table.reference)
    if len(table.reference):
        src.report.notes.append("LA/national totals set aside")
    c.exclude(src.rel, table.excluded["row"], table.excluded["reason"])


@handles("phonics")
def _phonics(src: Source, c: Collected) -> None:
    table = load_phonics(src.raw, source=src.rel)
    c.add("phonics", table.outcomes.assign(file=src.rel, order=src.order))
    c.add("ks2_reference", table.reference)
    src.report.rows_set_aside = len(table.reference)
    if len(table.reference):
        src.report.notes.append("national, regional and LA rows set aside")
    c.exclude(src.rel, table.excluded["row"], table.excluded["reason"])


@handles("gias_establishments")
def _gias(src: Source, c: Collected) -> None:
    _without_blank(src, c, ("URN",), "missing_urn")
    _without_blank(src, c, ("LA (code)",), "missing_la_code")
    c.add("gias", load_establishments(src.raw).assign(file=src.rel, order=src.order))


@handles("gias_links")
def _gias_links(src: Source, c: Collected) -> None:
    c.add("links", load_links(src.raw))
    src.set_aside("used to join predecessor URNs")


@handles("gias_group_links")
def _group_links(src: Source, c: Collected) -> None:
    _without_blank(src, c, ("URN",), "missing_urn")
    _without_blank(src, c, ("Linked UID", "Group UID"), "missing_group_uid")
    links = load_group_links(src.raw).assign(file=src.rel)
    if links["snapshot"].notna().any():
        src.report.label = f"snapshot {links['snapshot'].dropna().iloc[0].date()}"
    other = links["kind"].isna()
    c.exclude(src.rel, links.loc[other, "row"], "not_a_school_partnership")
    links = links.loc[~other]
    backwards = links["left_group"] < links["joined"]
    c.exclude(src.rel, links.loc[backwards, "row"], "left_before_joined")
    links = links.loc[~backwards]
    if not len(links):
        src.report.notes.append("no school links: not used as a snapshot of the trust history")
    c.add("group_links", links)


@handles("gias_groups")
def _groups(src: Source, c: Collected) -> None:
    c.add("groups", load_groups(src.raw))
    src.set_aside("used for founding dates")


@handles("ofsted_history", "ofsted_mi")
def _ofsted(src: Source, c: Collected) -> None:
    rows = len(src.raw.frame)
    _without_blank(src, c, ("URN",), "missing_urn")
    history = src.kind.name == "ofsted_history"
    result = (load_history if history else load_management_information)(src.raw)
    c.add(
        "inspections",
        result.inspections.assign(file=src.rel, order=src.order, priority=1 if history else 0),
    )
    c.exclude(src.rel, result.excluded["row"], result.excluded["reason"])
    if not history:
        unread = len(src.raw.blank_rows) + rows - len(src.raw.frame)
        src.report.rows_read = unread + len(result.inspections) + len(result.excluded)
        src.report.notes.append("rows read = latest and previous inspection of each row")


@handles("ofsted_school_details")
def _school_details(src: Source, c: Collected) -> None:
    details = load_school_details(src.raw)
    c.add("school_fallbacks", details.assign(described_from="Ofsted school details", priority=1))
    src.set_aside("used to describe schools missing from GIAS")


# --- the steps of ingest -----------------------------------------------------------------


def _walk(raw_dir: Path) -> list[Path]:
    """Every visible file under the raw folder, in a stable order."""
    if not raw_dir.is_dir():
        raise InputError(
            "raw data folder not found",
            path=raw_dir,
            fix="give the folder holding the downloaded files",
        )
    paths = sorted(p for p in raw_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not any(p.suffix.lower() in DATA_SUFFIXES for p in paths):
        raise InputError(
            "no csv or xlsx data files in this folder",
            path=raw_dir,
            fix="put the downloaded DfE KS2, GIAS and Ofsted files there, or give their folder",
        )
    return paths


def _read(path: Path, rel: str, order: int, root: Path) -> Source:
    """Read and recognise one file; note what reading repaired."""
    kind, raw = read_known(path)
    report = FileReport(rel, kind.name, rows_read=len(raw.frame) + len(raw.blank_rows))
    report.notes.extend(raw.notes)
    long_rows = int((raw.extra_fields > 0).sum())
    if long_rows:
        report.notes.append(f"{long_rows} row(s) with unquoted fields beyond the header, ignored")
    if kind.name not in HANDLERS and not kind.reference_only:
        raise AssertionError(f"no ingest handler registered for file kind {kind.name!r}")
    return Source(path, rel, order, kind, raw, report, root)


def _handle(src: Source, c: Collected) -> None:
    """Count blank rows as excluded, then run the file's handler (reference files: none)."""
    c.exclude(src.rel, src.raw.blank_rows, "blank_row")
    if src.kind.name in HANDLERS:
        HANDLERS[src.kind.name][1](src, c)
    else:
        src.set_aside("reference only")


def _read_all(
    raw_dir: Path, say: Callable[[str], None]
) -> tuple[list[Source], list[FileReport], dict[str, str]]:
    sources, files, hashes = [], [], {}
    for order, path in enumerate(_walk(raw_dir)):
        rel = path.relative_to(raw_dir).as_posix()
        if path.suffix.lower() not in DATA_SUFFIXES:
            files.append(FileReport(rel, "skipped", notes=["not a csv or xlsx file"]))
            continue
        say(f"reading {rel}")
        src = _read(path, rel, order, raw_dir)
        hashes[rel] = sha256_file(path)
        sources.append(src)
        files.append(src.report)
    return sources, files, hashes


def _join(c: Collected, say: Callable[[str], None]) -> dict[str, pd.DataFrame]:
    """The canonical tables from everything the handlers collected."""
    say("joining files")
    final = (
        successors(pd.concat(c.frames("links"), ignore_index=True)) if c.frames("links") else None
    )
    if final is not None:
        c.counts["predecessors with several successors (not re-keyed)"] = final.ambiguous
        c.counts["predecessors in cyclic links (not re-keyed)"] = final.cyclic
    outcomes = joins.with_phonics(joins.outcomes_table(c, final), c, final)
    inspections = joins.inspections_table(c, final)
    memberships, partnerships = joins.trust_tables(c)
    needed = pd.Index(pd.concat([outcomes["urn"], inspections["urn"], memberships["urn"]]).unique())
    for links in c.frames("group_links"):
        c.add(
            "school_fallbacks",
            links.sort_values("snapshot")
            .drop_duplicates("urn", keep="last")
            .assign(described_from="GIAS group links", priority=2),
        )
    tables = {
        "schools": joins.schools_table(c, needed),
        "outcomes": outcomes,
        "memberships": memberships,
        "partnerships": partnerships,
        "inspections": inspections,
    }
    for name in TABLES:
        if name not in JOINED_TABLES and c.frames(name):
            frames = c.frames(name)
            c.kept.extend(f["file"] for f in frames if "file" in f)
            table = pd.concat(frames, ignore_index=True)
            tables[name] = joins.typed(table.drop(columns=["file", "row"], errors="ignore"), name)
    return tables


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
    say = progress or (lambda message: None)
    sources, files, hashes = _read_all(raw_dir, say)
    c = Collected()
    for src in sorted(sources, key=lambda s: (HANDLERS.get(s.kind.name, (1,))[0], s.order)):
        _handle(src, c)
    tables = _join(c, say)
    kept_by_file = pd.concat([pd.Series(dtype="object"), *c.kept]).value_counts()
    for report in files:
        report.rows_kept = int(kept_by_file.get(report.path, 0))
    reference = c.frames("ks2_reference")
    return IngestResult(
        tables=tables,
        files=files,
        exclusions=c.exclusion_frame(),
        reference_totals=pd.concat(reference, ignore_index=True) if reference else pd.DataFrame(),
        counts=c.counts,
        hashes=hashes,
    )


def write_ingest(result: IngestResult, out_dir: str | Path) -> Path:
    """Write the canonical tables, their manifest, ``exclusions.csv`` and KS2 reference totals.

    All of it is written into a temporary folder beside ``out_dir``, checked by reading it
    back, and only then swapped in for ``out_dir`` as a whole: a failure leaves
    ``out_dir`` as it was, and nothing from an earlier run (a demo ``truth.parquet``)
    survives beside the new tables. Returns the path of the data manifest.

    Raises
    ------
    InputError
        ``out_dir`` holds files that are not data tables (it would be replaced).
    """

    def write(folder: Path) -> None:
        write_tables(
            result.tables, folder, synthetic=False, provenance={"source_files": result.hashes}
        )
        result.exclusions.to_csv(folder / EXCLUSIONS_NAME, index=False)
        result.reference_totals.to_csv(folder / REFERENCE_TOTALS_NAME, index=False)

    return replace_dir(Path(out_dir), write, also=OUTPUT_FILES)
