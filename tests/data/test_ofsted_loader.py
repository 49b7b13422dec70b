"""Ofsted inspections: plain history and management-information layout (csv and xlsx)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.ofsted import load_history, load_management_information
from partnership_eval.errors import InputError

OFSTED = Path(__file__).resolve().parents[1] / "fixtures" / "raw" / "ofsted"
MI_CSV = OFSTED / "Management_information_-_state-funded_schools_-_as_at_31_March_2019.csv"

MI_ROWS = [
    ["Management information - state-funded schools - as at 31 March 2019", None, None, None],
    ["Data from Ofsted's school inspections", None, None, None],
    [None, None, None, None],
    [
        "URN",
        "Inspection start date",
        "Overall effectiveness",
        "Previous full inspection overall effectiveness",
    ],
    [140002, pd.Timestamp("2019-03-14"), 2, None],
    [140004, pd.Timestamp("2019-02-01"), 9, None],
    [100001, pd.Timestamp("2015-03-10"), 1, None],
]


def _xlsx(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["About this file"])
    sheet = wb.create_sheet("Data")
    for row in MI_ROWS:
        sheet.append(row)
    path = tmp_path / "Management_information.xlsx"
    wb.save(path)
    return path


def test_history_maps_words_to_grades_and_satisfactory_to_3():
    kind, raw = read_known(OFSTED / "ofsted_ratings_history.csv")
    assert kind.name == "ofsted_history"
    table = (
        load_history(raw).inspections.drop_duplicates(["urn", "date"]).set_index(["urn", "date"])
    )["grade"]
    assert table[(100001, pd.Timestamp("2010-01-01"))] == 3  # Satisfactory
    assert table[(100001, pd.Timestamp("2015-03-10"))] == 2
    assert table[(100002, pd.Timestamp("2017-05-05"))] == 3  # Requires Improvement
    assert table[(100003, pd.Timestamp("2016-11-11"))] == 4


def test_mi_csv_below_title_rows_with_previous_inspections():
    kind, raw = read_known(MI_CSV)
    assert kind.name == "ofsted_mi"
    assert raw.header_row == 4
    result = load_management_information(raw)
    got = result.inspections.set_index(["urn", "date"])["grade"].to_dict()
    assert got[(140002, pd.Timestamp("2019-03-14"))] == 2
    assert got[(140004, pd.Timestamp("2016-03-01"))] == 3  # previous inspection
    assert got[(100001, pd.Timestamp("2010-01-01"))] == 3


def test_not_graded_9_and_null_are_excluded_with_reason():
    result = load_management_information(read_known(MI_CSV)[1])
    assert result.excluded.to_dict("records") == [
        {"row": 6, "reason": "not_graded"},
        {"row": 8, "reason": "not_graded"},
    ]


def test_mi_xlsx_found_on_its_sheet_below_title_rows(tmp_path):
    kind, raw = read_known(_xlsx(tmp_path))
    assert kind.name == "ofsted_mi"
    assert raw.sheet == "Data"
    result = load_management_information(raw)
    assert result.inspections.set_index("urn")["grade"].to_dict() == {140002: 2, 100001: 1}
    assert result.inspections["date"].min() == pd.Timestamp("2015-03-10")
    assert result.excluded.to_dict("records") == [{"row": 6, "reason": "not_graded"}]


def test_unknown_rating_names_row_and_column(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("URN,Rating,Inspection Date\n100001,Good,20150310\n100002,Brilliant,20150311\n")
    with pytest.raises(
        InputError,
        match=r"history.csv, row 3, column 'Rating': 'Brilliant' is not an inspection grade",
    ):
        load_history(read_known(path)[1])


def test_damaged_xlsx_is_a_clear_error(tmp_path):
    path = tmp_path / "Management_information.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(
        InputError, match=r"Management_information.xlsx: cannot open as an Excel workbook"
    ):
        read_known(path)
