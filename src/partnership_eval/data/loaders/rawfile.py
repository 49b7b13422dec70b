"""Read a raw DfE/GIAS/Ofsted file (csv or xlsx) as text cells, whatever its quirks.

Published files come with a byte-order mark or none, CRLF or LF line endings, UTF-8 or
Windows-1252 text, title rows above the header (Ofsted), rows shorter than the header
(DfE) and unquoted extra fields after the last column (GIAS "Linked establishments").
:func:`read_raw` absorbs all of these and hands loaders a :class:`RawTable` of strings
whose header row has already been found by :mod:`~partnership_eval.data.loaders.detect`.
Fields beyond the header are counted per row (``RawTable.extra_fields``) rather than
judged here: only the file's kind can say whether they are tolerable.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from partnership_eval.errors import InputError

HEADER_SEARCH_ROWS = 30
"""How many rows from the top are searched for the header (Ofsted puts titles above it)."""

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DATA_SUFFIXES = (".csv", ".txt", *EXCEL_SUFFIXES)


@dataclass
class RawTable:
    """The cells of one raw file below its header, all as strings.

    ``rows`` maps each frame row to its row number in the file (the header's row number
    plus its position below it), so errors can point at the row a user sees in a
    spreadsheet.
    """

    path: Path
    frame: pd.DataFrame
    header_row: int
    encoding: str
    sheet: str | None = None
    rows: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    extra_fields: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    """How many fields each row carries beyond the header (dropped from ``frame``)."""

    @property
    def columns(self) -> list[str]:
        """Header names (made unique; blank ones named ``_unnamed_<position>``)."""
        return [str(c) for c in self.frame.columns]

    def text(self, column: str) -> pd.Series:
        """Stripped text of one column ("" where empty)."""
        return self.frame[column].fillna("").astype(str).str.strip()

    def has(self, column: str) -> bool:
        """Whether the header has ``column`` (exact name)."""
        return column in self.frame.columns


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name.strip() or f"_unnamed_{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _find_header(rows: list[list[str]], is_header: Callable[[list[str]], bool], path: Path) -> int:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if is_header([c.strip() for c in row]):
            return i
    first = next((r for r in rows if any(c.strip() for c in r)), [])
    preview = ", ".join(c.strip() for c in first[:6])
    raise InputError(
        f"not a file of any known kind (first row: {preview!r})",
        path=path,
        fix="keep only DfE KS2, GIAS and Ofsted files as downloaded in the raw folder",
    )


def _read_csv(path: Path, is_header: Callable[[list[str]], bool]) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        raise InputError("file is empty", path=path, fix="download it again")
    if b"\x00" in data[:4096]:
        raise InputError(
            "not a text file (binary content)", path=path, fix="save it as csv or xlsx"
        )
    text, encoding = decode(data)
    head = list(csv.reader(io.StringIO(text[: 1 << 20])))
    h = _find_header(head, is_header, path)
    header = _unique(head[h])
    widths = np.fromiter(map(len, csv.reader(io.StringIO(text))), dtype=np.int64)[h + 1 :]
    extra = np.clip(widths - len(header), 0, None)
    names = header + [f"_extra_{i}" for i in range(int(extra.max(initial=0)))]
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            skiprows=h + 1,
            header=None,
            names=names,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as exc:
        message = str(exc)
        if "EOF inside string" in message:
            raise InputError(
                "a quoted field never ends: the file is truncated or damaged",
                path=path,
                fix="download it again",
            ) from exc
        raise InputError(
            f"rows do not split into columns ({message.removeprefix('Error tokenizing data. C error: ')})",
            path=path,
            fix="download it again; do not edit raw files",
        ) from exc
    _check_not_truncated(text, path, h + 1 + len(frame))
    if len(frame) != len(extra):
        raise InputError(
            "rows do not split into columns consistently (stray quotes or line breaks)",
            path=path,
            fix="download it again; do not edit raw files",
        )
    return _finish(path, frame, header, h, encoding, extra=extra)


def _check_not_truncated(text: str, path: Path, last_row: int) -> None:
    # Some publishers omit the final line break; a truncated download also lacks it and
    # its last row is shorter than the row before.
    if text.endswith(("\n", "\r")):
        return
    *_, before, last = ["", *text.splitlines()[-2:]]
    n_before, n_last = (len(next(csv.reader([line]), [])) for line in (before, last))
    if n_last < n_before:
        raise InputError(
            f"the last row stops after {n_last} of the {n_before} fields of the row before "
            "and the file has no final line break: it looks truncated",
            path=path,
            row=last_row,
            fix="download it again",
        )


def _read_excel(path: Path, is_header: Callable[[list[str]], bool]) -> RawTable:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str)
    except (zipfile.BadZipFile, ValueError, OSError, KeyError) as exc:
        raise InputError(
            f"cannot open as an Excel workbook ({exc})",
            path=path,
            fix="download it again, or save it as .xlsx",
        ) from exc
    last_error: InputError | None = None
    for name, sheet in sheets.items():
        cells = sheet.fillna("").astype(str)
        rows = cells.head(HEADER_SEARCH_ROWS).to_numpy().tolist()
        try:
            h = _find_header(rows, is_header, path)
        except InputError as exc:
            last_error = exc
            continue
        header = _unique([str(c) for c in rows[h]])
        frame = cells.iloc[h + 1 :].reset_index(drop=True)
        frame.columns = header
        extra = np.zeros(len(frame), dtype=np.int64)
        return _finish(path, frame, header, h, "xlsx", extra=extra, sheet=str(name))
    assert last_error is not None
    raise last_error


def _finish(
    path: Path,
    frame: pd.DataFrame,
    header: list[str],
    h: int,
    encoding: str,
    *,
    extra: np.ndarray,
    sheet: str | None = None,
) -> RawTable:
    blank = frame.apply(lambda s: s.astype(str).str.strip().eq("")).all(axis=1).to_numpy()
    frame = frame.drop(columns=[c for c in frame.columns if c not in header])
    frame = frame.loc[~blank].reset_index(drop=True)
    rows = pd.Series(np.arange(h + 2, h + 2 + len(blank))[~blank], dtype="int64")
    extra_fields = pd.Series(extra[~blank], dtype="int64")
    return RawTable(path, frame, h + 1, encoding, sheet, rows, extra_fields)


def read_raw(path: str | Path, is_header: Callable[[list[str]], bool]) -> RawTable:
    """Read a csv or xlsx file below the first row that ``is_header`` accepts.

    Raises
    ------
    InputError
        The file is empty, binary, truncated, malformed, or has no recognisable header.
    """
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path, is_header)
    return _read_csv(path, is_header)
