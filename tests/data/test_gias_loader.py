"""GIAS establishments and establishment links: encodings, dates, predecessor chains."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.gias import load_establishments
from partnership_eval.data.loaders.links import load_links, successors
from partnership_eval.errors import InputError

RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"
ESTABLISHMENTS = RAW / "gias" / "edubasealldata20220401.csv"
LINKS = RAW / "gias" / "links_edubasealldata20220401.csv"


def _schools() -> pd.DataFrame:
    kind, raw = read_known(ESTABLISHMENTS)
    assert kind.name == "gias_establishments"
    return load_establishments(raw).set_index("urn")


def test_windows_1252_names_are_decoded():
    assert b"\xc9psilon" in ESTABLISHMENTS.read_bytes()
    assert _schools().loc[140005, "name"] == "Épsilon Académy"


def test_dd_mm_yyyy_dates_and_1900_placeholder():
    schools = _schools()
    assert schools.loc[100002, "close_date"] == pd.Timestamp("2018-08-31")
    assert schools.loc[140002, "open_date"] == pd.Timestamp("2018-09-01")
    assert pd.isna(schools.loc[100002, "open_date"])  # 01-01-1900 = not recorded


def test_unquoted_extra_linked_fields_do_not_shift_columns():
    schools = _schools()
    assert schools.loc[140002, "status"] == "Open"
    assert schools.loc[140002, "pupils"] == 195


def test_unquoted_extra_linked_fields_are_counted_per_row():
    raw = read_known(ESTABLISHMENTS)[1]
    assert dict(zip(raw.rows, raw.extra_fields, strict=True)) == {
        2: 0,
        3: 0,
        4: 2,
        5: 0,
        6: 0,
        7: 0,
        8: 0,
    }


def test_extra_fields_in_a_file_of_another_kind_are_an_error(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text("URN,LinkURN,LinkType\n100002,140002,Successor\n100003,1,2,Successor\n")
    with pytest.raises(
        InputError,
        match=r"links.csv, row 3: has 4 fields, header has 3 \(an unquoted comma\?\)",
    ):
        read_known(path)


def test_pupil_numbers_with_thousands_separators_are_read(tmp_path):
    text = ESTABLISHMENTS.read_bytes().replace(b'"195"', b'"1,195"')
    assert text != ESTABLISHMENTS.read_bytes()
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(text)
    assert load_establishments(read_known(path)[1]).set_index("urn").loc[140002, "pupils"] == 1195


def test_types_region_rural_and_academy_flags():
    schools = _schools()
    assert schools.loc[100001, "region"] == "South West"
    assert bool(schools.loc[100001, "rural"])
    assert schools.loc[100001, "urban_rural"] == "Rural village"
    assert pd.isna(schools.loc[140004, "rural"])
    assert bool(schools.loc[140002, "is_academy"]) and not bool(schools.loc[100001, "is_academy"])
    assert schools.loc[100001, "fsm_pct"] == 12.5


def test_bad_date_names_row_and_column(tmp_path):
    text = ESTABLISHMENTS.read_bytes().replace(b"31-08-2018", b"31/31/2018")
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(text)
    with pytest.raises(
        InputError,
        match=r"edubasealldata.csv, row 3, column 'CloseDate': '31/31/2018' is not a date \(dd-mm-yyyy",
    ):
        load_establishments(read_known(path)[1])


def test_predecessor_maps_to_successor_but_merges_and_splits_do_not():
    kind, raw = read_known(LINKS)
    assert kind.name == "gias_links"
    result = successors(load_links(raw))
    assert result.final.to_dict() == {100002: 140002}
    assert result.ambiguous == 0


def test_chains_are_followed_to_the_latest_urn():
    links = pd.DataFrame(
        {
            "urn": [1, 2, 3],
            "link_urn": [2, 3, 2],
            "link_type": ["Successor", "Successor", "Predecessor"],
        }
    )
    assert successors(links).final.to_dict() == {1: 3, 2: 3}


def test_several_successors_are_ambiguous_and_not_followed():
    links = pd.DataFrame(
        {"urn": [1, 1], "link_urn": [2, 3], "link_type": ["Successor", "Successor"]}
    )
    result = successors(links)
    assert result.final.empty
    assert result.ambiguous == 1


def test_cyclic_links_are_counted_not_followed():
    links = pd.DataFrame(
        {"urn": [1, 2], "link_urn": [2, 1], "link_type": ["Successor", "Successor"]}
    )
    result = successors(links)
    assert result.final.empty
    assert result.cyclic == 2
