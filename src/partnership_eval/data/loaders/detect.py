"""Recognise a raw file by its header row, never by its name.

Each :class:`FileKind` lists the columns whose presence identifies it (``signature``) and
the columns a loader needs (``required``; a tuple of alternatives where publishers renamed
a column between releases). Matching ignores case and spaces (``Field Name`` = ``FieldName``).
A row with more fields than the header is an error (an unquoted comma has shifted its
columns) except in kinds known to carry unquoted trailing fields (``extra_fields_ok``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from partnership_eval.data.loaders.rawfile import RawTable, read_raw
from partnership_eval.errors import InputError


def normalise(name: str) -> str:
    """Column name in lower case without spaces or byte-order mark (how headers are compared)."""
    return "".join(str(name).replace("\ufeff", "").split()).lower()


@dataclass(frozen=True)
class FileKind:
    """A kind of published file: how to recognise it and which columns it must have."""

    name: str
    description: str
    signature: tuple[str, ...]
    required: tuple[tuple[str, ...], ...] = ()
    absent: tuple[str, ...] = ()
    reference_only: bool = False
    extra_fields_ok: bool = False
    """Whether rows may carry unquoted fields beyond the header (they are ignored)."""

    def matches(self, header: list[str]) -> bool:
        """Whether ``header`` has every signature column and none of the ``absent`` ones."""
        cells = {normalise(c) for c in header}
        return all(normalise(c) in cells for c in self.signature) and not any(
            normalise(c) in cells for c in self.absent
        )


KINDS: tuple[FileKind, ...] = (
    FileKind(
        "ks2",
        "DfE KS2 performance tables",
        signature=("URN", "PTRWM_EXP"),
        required=(("URN",), ("TELIG",), ("PTRWM_EXP",)),
    ),
    FileKind(
        "phonics",
        "DfE phonics screening check (Explore Education Statistics)",
        signature=("time_period", "geographic_level", "pt_phonics_y1_met_expected_standard"),
        required=(
            ("time_period",),
            ("geographic_level",),
            ("pt_phonics_y1_met_expected_standard",),
        ),
    ),
    FileKind(
        "gias_group_links",
        "GIAS academy trust and sponsor links",
        signature=("URN", "Group Name", "Group Type"),
        required=(
            ("URN",),
            ("Linked UID", "Group UID"),
            ("Group Name",),
            ("Group Type",),
            ("Joined date", "Date Joined Group"),
        ),
    ),
    FileKind(
        "gias_groups",
        "GIAS groups (trusts, sponsors, federations)",
        signature=("Group UID", "Group Name", "Group Type"),
        absent=("URN",),
        required=(("Group UID",), ("Group Name",), ("Group Type",)),
    ),
    FileKind(
        "gias_establishments",
        "GIAS establishments",
        signature=("URN", "EstablishmentName", "EstablishmentStatus (name)"),
        required=(
            ("URN",),
            ("LA (code)",),
            ("LA (name)",),
            ("EstablishmentName",),
            ("TypeOfEstablishment (name)",),
            ("PhaseOfEducation (name)",),
            ("OpenDate",),
            ("CloseDate",),
        ),
        # "Linked establishments" lists each link as its own unquoted field.
        extra_fields_ok=True,
    ),
    FileKind(
        "gias_links",
        "GIAS establishment links",
        signature=("URN", "LinkURN", "LinkType"),
        required=(("URN",), ("LinkURN",), ("LinkType",)),
    ),
    FileKind(
        "ofsted_history",
        "Ofsted inspection history",
        signature=("URN", "Rating", "Inspection Date"),
        required=(("URN",), ("Rating",), ("Inspection Date",)),
    ),
    FileKind(
        "ofsted_mi",
        "Ofsted management information (school inspections)",
        signature=("URN", "Overall effectiveness"),
        required=(
            ("URN",),
            ("Overall effectiveness",),
            ("Inspection start date", "Inspection end date", "Publication date"),
        ),
    ),
    FileKind(
        "ofsted_school_details",
        "Ofsted school details",
        signature=("URN", "Name", "Rating", "Inspect Date", "Local Authority"),
        required=(("URN",), ("Name",), ("Local Authority",)),
    ),
    FileKind(
        "ks2_meta",
        "DfE KS2 column definitions",
        signature=("Column", "FieldName"),
        reference_only=True,
    ),
    FileKind(
        "la_region_codes",
        "DfE LA and region codes",
        signature=("LEA", "LA Name", "REGION NAME"),
        reference_only=True,
    ),
)
BY_NAME = {k.name: k for k in KINDS}


def recognise(header: list[str]) -> FileKind | None:
    """The kind whose signature the header row carries, if any."""
    return next((k for k in KINDS if k.matches(header)), None)


def _canonical_columns(raw: RawTable, kind: FileKind) -> RawTable:
    known = {normalise(c): c for group in kind.required for c in group}
    known.update({normalise(c): c for c in kind.signature})
    rename = {c: known[normalise(c)] for c in raw.columns if normalise(c) in known}
    raw.frame = raw.frame.rename(columns=rename)
    return raw


def check_required(raw: RawTable, kind: FileKind) -> None:
    """Raise :class:`InputError` naming the first required column the file lacks."""
    for group in kind.required:
        if not any(raw.has(c) for c in group):
            wanted = " or ".join(repr(c) for c in group)
            raise InputError(
                f"{kind.description} file lacks required column {wanted}",
                path=raw.path,
                row=raw.header_row,
                fix="use the file as published; columns must not be removed or renamed",
            )


def check_field_counts(raw: RawTable, kind: FileKind) -> None:
    """Raise :class:`InputError` at the first row with more fields than the header.

    Kinds with ``extra_fields_ok`` pass; their extra fields are counted in
    ``raw.extra_fields``.
    """
    long = raw.extra_fields.to_numpy() > 0
    if kind.extra_fields_ok or not long.any():
        return
    i = int(np.flatnonzero(long)[0])
    width = len(raw.columns)
    raise InputError(
        f"has {width + int(raw.extra_fields.iloc[i])} fields, header has {width} "
        f"(an unquoted comma?); {int(long.sum())} such row(s)",
        path=raw.path,
        row=int(raw.rows.iloc[i]),
        fix="use the file as published; a field containing a comma must be in double quotes",
    )


def read_known(path: str | Path) -> tuple[FileKind, RawTable]:
    """Read a raw file, recognise its kind, and check its columns and row widths."""
    raw = read_raw(path, lambda cells: recognise(cells) is not None)
    kind = recognise(raw.columns)
    assert kind is not None
    raw = _canonical_columns(raw, kind)
    check_required(raw, kind)
    check_field_counts(raw, kind)
    return kind, raw
