"""Every row accounted for: read = kept + excluded (by reason) + set aside, for every loader.

Each fixture file is ingested on its own: as published, as a workbook, and damaged (a
blank row, a blank key and, in group links, a membership that leaves before it joins).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from partnership_eval.data.ingest import ingest
from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.rawfile import decode
from partnership_eval.data.loaders.trusts import GROUP_KINDS

RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"
FIXTURES = sorted(p.relative_to(RAW).as_posix() for p in RAW.rglob("*.csv"))
KEYS = ("URN", "Group UID", "school_urn")


def _rows(path: Path) -> tuple[list[list[str]], int]:
    """The file's rows and the index of its header row."""
    rows = list(csv.reader(io.StringIO(decode(path.read_bytes()).text)))
    return rows, read_known(path)[1].header_row - 1


def _blank_row(rows: list[list[str]], h: int) -> str | None:
    rows.insert(h + 2, [""] * len(rows[h]))
    return "blank_row"


def _blank_key(rows: list[list[str]], h: int) -> str | None:
    key = next(rows[h].index(k) for k in KEYS if k in rows[h])
    rows[h + 1][key] = ""
    return None  # reference-only kinds set the row aside; others exclude it


def _left_before_joined(rows: list[list[str]], h: int) -> str | None:
    if "Joined date" not in rows[h]:
        return None
    joined = rows[h].index("Joined date")
    width = len(rows[h])
    rows[h].append("Date Left Group")
    for row in rows[h + 1 :]:
        row[:] = [*row, *[""] * (width - len(row)), ""]
    kind = rows[h].index("Group Type")
    target = next(r for r in reversed(rows) if r[kind].lower() in GROUP_KINDS)
    target[joined], target[-1] = "01-09-2018", "01-09-2017"
    return "left_before_joined"


DAMAGES = (_left_before_joined, _blank_key, _blank_row)


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _write_xlsx(path: Path, rows: list[list[str]]) -> None:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _assert_accounted(result) -> None:
    assert result.files
    for f in result.files:
        excluded = result.excluded_by_reason(f.path)
        assert f.rows_read == f.rows_kept + sum(excluded.values()) + f.rows_set_aside, (
            f.path,
            f.rows_read,
            f.rows_kept,
            excluded,
            f.rows_set_aside,
        )


def _ingest_one(folder: Path, fixture: str, rows: list[list[str]], xlsx: bool = False):
    path = folder / fixture
    if xlsx:
        _write_xlsx(path.with_suffix(".xlsx"), rows)
    else:
        _write_csv(path, rows)
    result = ingest(folder)
    _assert_accounted(result)
    (f,) = result.files
    return result, f


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_row_is_kept_excluded_or_set_aside(tmp_path, fixture):
    rows, h = _rows(RAW / fixture)
    _, published = _ingest_one(tmp_path / "csv", fixture, [list(r) for r in rows])
    _, workbook = _ingest_one(tmp_path / "xlsx", fixture, rows, xlsx=True)
    assert (workbook.rows_read, workbook.rows_kept, workbook.rows_set_aside) == (
        published.rows_read,
        published.rows_kept,
        published.rows_set_aside,
    )
    reasons = {damage(rows, h) for damage in DAMAGES} - {None}
    result, damaged = _ingest_one(tmp_path / "damaged", fixture, rows)
    excluded = result.excluded_by_reason(fixture)
    assert reasons <= set(excluded), fixture
    assert damaged.rows_read == published.rows_read + 1  # the blank row
    if not damaged.rows_set_aside:  # the blank key is excluded, not lost
        assert excluded.get("missing_urn", 0) + excluded.get("missing_group_uid", 0) >= 1
