"""Read a raw DfE/GIAS/Ofsted file (csv or xlsx) as text cells, whatever its quirks.

Published files come with a byte-order mark or none, CRLF or LF line endings, UTF-8 or
Windows-1252 text, title rows above the header (Ofsted), rows shorter than the header
(DfE) and unquoted extra fields after the last column (GIAS "Linked establishments").
Files users re-save add UTF-16 ("Unicode text"), CR-only line endings ("CSV
(Macintosh)"), UTF-8 with a few Windows-1252 bytes pasted in (decoded line by line and
counted), and Excel workbooks whose cells carry number formats (percent cells are read
as 0–100, dates as ISO dates, text cells as typed). :func:`read_raw` absorbs all of
these and hands loaders a :class:`RawTable` of strings whose header row has already
been found by :mod:`~partnership_eval.data.loaders.detect`; a header naming a column
twice is refused.
Fields beyond the header are counted per row (``RawTable.extra_fields``) rather than
judged here: only the file's kind can say whether they are tolerable.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import openpyxl
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
    notes: list[str] = field(default_factory=list)
    """What reading had to repair (encoding, line endings), for the ingest summary."""
    blank_rows: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    """Row numbers of rows below the header with no content (dropped from ``frame``)."""

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

    def subset(self, keep: pd.Series) -> RawTable:
        """The same file with only the rows where ``keep`` holds."""
        mask = keep.to_numpy(dtype=bool)
        return replace(
            self,
            frame=self.frame.loc[mask].reset_index(drop=True),
            rows=self.rows[mask].reset_index(drop=True),
            extra_fields=self.extra_fields[mask].reset_index(drop=True),
        )


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding it was read with and what had to be repaired."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()


_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > len(head) // 4 and even == 0:
        return "utf-16-le"
    if even > len(head) // 4 and odd == 0:
        return "utf-16-be"
    return None


def _line_by_line(data: bytes) -> Decoded:
    """UTF-8 lines as UTF-8, the others as Windows-1252 (Latin-1 for its five gaps)."""
    lines, repaired = [], 0
    for line in data.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            repaired += 1
            try:
                lines.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                lines.append(line.decode("latin-1"))
    text = "".join(lines)
    utf8_lines = sum(not line.isascii() for line in data.splitlines()) - repaired
    if utf8_lines <= 0:
        return Decoded(text, "cp1252")
    return Decoded(
        text,
        "utf-8",
        (f"{repaired} line(s) with Windows-1252 bytes in UTF-8 text repaired",),
    )


def decode(data: bytes) -> Decoded:
    """Text of a file's bytes, choosing the encoding per file.

    A byte-order mark decides (UTF-8, UTF-16); UTF-16 without one is told by its zero
    bytes; otherwise UTF-8, and where some lines are not UTF-8 those lines alone are
    read as Windows-1252 (a file that is Windows-1252 throughout is read as such).
    """
    if data.startswith(_UTF16_BOMS):
        return Decoded(data.decode("utf-16", errors="replace"), "utf-16")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return Decoded(data.decode(utf16, errors="replace"), utf16)
    bom = data.startswith(_UTF8_BOM)
    body = data[len(_UTF8_BOM) :] if bom else data
    try:
        return Decoded(body.decode("utf-8"), "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        return _line_by_line(body)


def _normalise_line_endings(text: str) -> tuple[str, tuple[str, ...]]:
    """Text with CR-only line endings ("CSV (Macintosh)") turned into LF."""
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n"), ("CR-only line endings read as line breaks",)
    return text, ()


def _clean(name: object) -> str:
    return str(name).replace("\ufeff", "").strip()


def _unique(names: list[str], path: Path, header_row: int) -> list[str]:
    """Header names, blank ones named ``_unnamed_<position>``; a repeated name is an error."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = _clean(name) or f"_unnamed_{i}"
        key = name.lower()
        if key in seen:
            raise InputError(
                f"column {name!r} appears twice in the header (columns {seen[key] + 1} "
                f"and {i + 1}); which one holds the data cannot be told",
                path=path,
                row=header_row,
                fix="delete or rename one of the two columns, or download the file again",
            )
        seen[key] = i
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
    utf16 = data.startswith(_UTF16_BOMS) or _utf16_without_bom(data)
    if b"\x00" in data[:4096] and not utf16:
        raise InputError(
            "not a text file (binary content)", path=path, fix="save it as csv or xlsx"
        )
    decoded = decode(data)
    text, endings = _normalise_line_endings(decoded.text)
    head = list(csv.reader(io.StringIO(text[: 1 << 20])))
    h = _find_header(head, is_header, path)
    header = _unique(head[h], path, h + 1)
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
    raw = _finish(path, frame, header, h, decoded.encoding, extra=extra)
    raw.notes.extend([*decoded.notes, *endings])
    return raw


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


def _cell_text(cell: object) -> str:
    """A cell as the text a user sees: percent cells 0–100, dates ISO, text as typed."""
    value = cell.value  # type: ignore[attr-defined]
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float):
        if "%" in str(cell.number_format):  # type: ignore[attr-defined]
            value = round(value * 100, 10)
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    return str(value)


def _sheets(path: Path) -> dict[str, list[list[str]]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, ValueError, OSError, KeyError) as exc:
        raise InputError(
            f"cannot open as an Excel workbook ({exc})",
            path=path,
            fix="download it again, or save it as .xlsx",
        ) from exc
    try:
        return {
            sheet.title: [[_cell_text(c) for c in row] for row in sheet.iter_rows()]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def _read_excel(path: Path, is_header: Callable[[list[str]], bool]) -> RawTable:
    last_error: InputError | None = None
    for name, rows in _sheets(path).items():
        try:
            h = _find_header(rows, is_header, path)
        except InputError as exc:
            last_error = exc
            continue
        header = _unique(rows[h], path, h + 1)
        body = [(r + [""] * len(header))[: len(header)] for r in rows[h + 1 :]]
        frame = pd.DataFrame(body, columns=header, dtype=object)
        extra = np.zeros(len(frame), dtype=np.int64)
        return _finish(path, frame, header, h, "xlsx", extra=extra, sheet=str(name))
    if last_error is None:
        raise InputError("workbook has no sheets", path=path, fix="download it again")
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
    numbers = np.arange(h + 2, h + 2 + len(blank))
    return RawTable(
        path,
        frame,
        h + 1,
        encoding,
        sheet,
        pd.Series(numbers[~blank], dtype="int64"),
        pd.Series(extra[~blank], dtype="int64"),
        blank_rows=pd.Series(numbers[blank], dtype="int64"),
    )


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
