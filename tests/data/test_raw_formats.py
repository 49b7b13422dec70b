"""Files as users save them: encodings, line endings, repeated headers, Excel number formats."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from partnership_eval.data.ingest import ingest
from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.ks2 import load_ks2
from partnership_eval.data.loaders.rawfile import decode
from partnership_eval.data.loaders.trusts import load_group_links
from partnership_eval.errors import InputError

RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"
KS2_2019 = RAW / "ks2" / "2018-2019" / "england_ks2final.csv"


def _text() -> str:
    return KS2_2019.read_text(encoding="utf-8")


def _outcomes(path: Path) -> pd.DataFrame:
    result = ingest(path.parent)
    return result.tables["outcomes"].drop(columns="source")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("ref") / "2018-2019"
    folder.mkdir()
    (folder / "england_ks2final.csv").write_bytes(KS2_2019.read_bytes())
    return _outcomes(folder / "england_ks2final.csv")


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("cr_only", lambda t: t.replace("\n", "\r").encode("utf-8")),
        ("crlf", lambda t: t.replace("\n", "\r\n").encode("utf-8")),
        ("utf16_bom", lambda t: t.encode("utf-16")),
        ("utf16le_no_bom", lambda t: t.encode("utf-16-le")),
        ("utf8_bom", lambda t: "\ufeff".encode() + t.encode("utf-8")),
        ("cp1252", lambda t: t.encode("cp1252")),
    ],
)
def test_every_encoding_and_line_ending_gives_the_same_outcomes(tmp_path, reference, name, encode):
    path = tmp_path / "2018-2019" / "england_ks2final.csv"
    path.parent.mkdir()
    path.write_bytes(encode(_text()))
    pd.testing.assert_frame_equal(_outcomes(path), reference)


def test_cr_only_endings_and_encodings_are_noted(tmp_path):
    path = tmp_path / "2018-2019" / "england_ks2final.csv"
    path.parent.mkdir()
    path.write_bytes(_text().replace("\n", "\r").encode("utf-16"))
    kind, raw = read_known(path)
    assert (kind.name, raw.encoding) == ("ks2", "utf-16")
    assert raw.notes == ["CR-only line endings read as line breaks"]
    assert decode("Ésta".encode("cp1252")).encoding == "cp1252"


def test_stray_cp1252_bytes_are_repaired_line_by_line_and_counted(tmp_path):
    rows = _text().splitlines(keepends=True)
    lines = [("\ufeff" + rows[0]).encode("utf-8")]
    lines.append(rows[1].replace("Alpha", "Ésta").encode("utf-8"))
    lines.append(rows[2].replace("Beta", "Béta").encode("cp1252"))  # one pasted line
    lines += [r.encode("utf-8") for r in rows[3:]]
    path = tmp_path / "2018-2019" / "england_ks2final.csv"
    path.parent.mkdir()
    path.write_bytes(b"".join(lines))
    kind, raw = read_known(path)
    assert raw.notes == ["1 line(s) with Windows-1252 bytes in UTF-8 text repaired"]
    table = load_ks2(raw)
    names = table.schools.set_index("urn")["name"]
    assert names[100001] == "Ésta Primary School" and names[140002] == "Béta Academy"
    # RECTYPE is recognised behind the byte-order mark: totals set aside, not "missing URN"
    assert len(table.reference) == 2 and table.excluded.empty
    summary = ingest(path.parent).summary()
    assert "1 line(s) with Windows-1252 bytes in UTF-8 text repaired" in summary


def test_a_column_named_twice_is_refused_with_both_positions(tmp_path):
    path = tmp_path / "2018-2019" / "england_ks2final.csv"
    path.parent.mkdir()
    path.write_text(_text().replace("PTRWM_HIGH", "PTRWM_EXP", 1))
    with pytest.raises(
        InputError, match=r"row 1: column 'PTRWM_EXP' appears twice.*columns 8 and 9"
    ):
        read_known(path)


def _workbook(path: Path, header: list[str], rows: list[list], formats: dict[int, str]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Key stage 2 results, saved from Excel"])  # a title row above the header
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for col, fmt in formats.items():
            sheet.cell(row=sheet.max_row, column=col + 1).number_format = fmt
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def test_excel_percent_cells_are_read_as_0_to_100_and_text_codes_kept(tmp_path):
    path = _workbook(
        tmp_path / "2018-2019_908_ks2final.xlsx",
        ["RECTYPE", "LEA", "URN", "SCHNAME", "TELIG", "PTRWM_EXP", "READPROG"],
        [
            [1, 908, 100001, "Alpha", 30, 0.67, 1.5],
            [1, 908, 100002, "Beta", 12, "SUPP", "LOWCOV"],
            [1, "908", "100003", "Gamma", 25, 0.0, -0.25],
        ],
        formats={5: "0%", 6: "0.0"},
    )
    kind, raw = read_known(path)
    assert raw.header_row == 2
    o = load_ks2(raw).outcomes.set_index("urn")
    assert o.loc[100001, "ks2_rwm_exp"] == pytest.approx(67.0)
    assert o.loc[100003, "ks2_rwm_exp"] == 0.0 and o.loc[100003, "read_prog"] == -0.25
    assert pd.isna(o.loc[100002, "ks2_rwm_exp"])
    assert o.loc[100002, "ks2_rwm_exp_reason"] == "suppressed"
    assert o.loc[100002, "read_prog_reason"] == "low_coverage"


def test_excel_dates_are_dates_and_leading_zeros_of_text_codes_survive(tmp_path):
    path = _workbook(
        tmp_path / "grouplinks_20190601.xlsx",
        ["URN", "Linked UID", "Group Name", "Group Type", "Joined date", "Companies House Number"],
        [
            [
                100001,
                7001,
                "One Trust",
                "Multi-academy trust",
                datetime.datetime(2017, 9, 1),
                "01234567",
            ]
        ],
        formats={4: "dd/mm/yyyy"},
    )
    kind, raw = read_known(path)
    assert raw.text("Companies House Number").tolist() == ["01234567"]
    links = load_group_links(raw)
    assert links["joined"].tolist() == [pd.Timestamp("2017-09-01")]
    assert links["snapshot"].tolist() == [pd.Timestamp("2019-06-01")]
