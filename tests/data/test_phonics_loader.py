"""Phonics screening check files (Explore Education Statistics layout) → outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnership_eval.data.ingest import ingest
from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.phonics import load_phonics
from partnership_eval.data.schema import MISSING_REASONS
from partnership_eval.errors import InputError

RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"
SCHOOLS = RAW / "phonics" / "phonics_y1_school_2017_to_2019.csv"


def _load(path: Path = SCHOOLS):
    kind, raw = read_known(path)
    assert kind.name == "phonics"
    return load_phonics(raw)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "phonics.csv"
    path.write_bytes(SCHOOLS.read_bytes().replace(old.encode(), new.encode(), 1))
    return path


def test_school_rows_become_outcomes_named_by_the_year_they_end():
    table = _load()
    alpha = table.outcomes.query("urn == 100001").set_index("year")
    assert alpha["phonics_pass"].to_dict() == {2017: 83.0, 2018: 87.0, 2019: 80.0}
    assert alpha.loc[2017, "phonics_n"] == 29


def test_explore_education_statistics_symbols_become_reasons():
    o = _load().outcomes.set_index(["urn", "year"])
    assert o.loc[(140004, 2019), "phonics_pass_reason"] == "suppressed"  # c
    assert o.loc[(100010, 2018), "phonics_pass_reason"] == "unavailable"  # x
    assert o.loc[(100003, 2019), "phonics_pass_reason"] == "not_applicable"  # z
    assert set(o["phonics_pass_reason"].dropna()) <= set(MISSING_REASONS)


def test_national_la_and_breakdown_rows_are_set_aside_as_reference():
    table = _load()
    assert sorted(table.reference["level"]) == [
        "breakdown",
        "local authority",
        "national",
        "national",
    ]
    national = table.reference.query("level == 'national'").set_index("year")
    assert national["phonics_pass"].to_dict() == {2017: 81.0, 2019: 82.0}
    assert table.excluded.empty


def test_a_bad_time_period_is_refused_naming_the_row_and_column(tmp_path):
    path = _broken(tmp_path, "201718,", "2017/18,")
    with pytest.raises(InputError, match=r"row 6, column 'time_period'.*201819"):
        _load(path)


def test_a_percentage_above_100_is_refused(tmp_path):
    path = _broken(tmp_path, ",24,80\r", ",24,180\r")
    with pytest.raises(InputError, match="pt_phonics_y1_met_expected_standard.*percentage"):
        _load(path)


def test_ingest_joins_phonics_onto_the_schools_ks2_rows():
    result = ingest(RAW)
    o = result.tables["outcomes"].set_index(["urn", "year"])
    assert o.loc[(100001, 2017), "ks2_rwm_exp"] == 70.0
    assert o.loc[(100001, 2017), "phonics_pass"] == 83.0
    assert o.loc[(100010, 2018), "phonics_pass_reason"] == "unavailable"
    report = next(f for f in result.files if f.kind == "phonics")
    assert (report.rows_read, report.rows_kept, report.rows_set_aside) == (11, 7, 4)
