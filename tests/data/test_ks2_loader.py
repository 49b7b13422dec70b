"""KS2 performance tables → outcomes: codes, encodings, header drift, record types, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from partnership_eval.data.loaders.codes import SPECIAL_CODES
from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.ks2 import load_ks2
from partnership_eval.data.schema import MISSING_REASONS
from partnership_eval.errors import InputError

RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"
LA_2017 = RAW / "ks2" / "2016-2017_908_ks2final.csv"
NATIONAL_2019 = RAW / "ks2" / "2018-2019" / "england_ks2final.csv"
REDUCED_2018 = RAW / "ks2" / "national" / "england_ks2final_2017-2018_reduced.csv"


def _load(path: Path):
    kind, raw = read_known(path)
    assert kind.name == "ks2"
    return load_ks2(raw, root=RAW)


def _row(table, urn: int):
    return table.outcomes.set_index("urn").loc[urn]


def test_every_special_code_maps_to_a_known_reason():
    assert set(SPECIAL_CODES.values()) <= set(MISSING_REASONS)
    assert set(SPECIAL_CODES) == {
        "SUPP",
        "NE",
        "NA",
        "NP",
        "LOWCOV",
        "SP",
        "RE",
        "NEW",
        "UNAVAIL",
        "",
    }


def test_fixtures_use_every_special_code():
    seen = set()
    for path in (LA_2017, NATIONAL_2019, REDUCED_2018):
        reasons = _load(path).outcomes.filter(like="_reason")
        seen |= set(reasons.stack().dropna())
    assert seen - {"not_in_file"} == set(SPECIAL_CODES.values())


def test_bom_and_crlf_are_read_and_percent_signs_stripped():
    assert LA_2017.read_bytes().startswith(b"\xef\xbb\xbf")
    alpha = _row(_load(LA_2017), 100001)
    assert alpha["cohort_n"] == 30
    assert alpha["ks2_rwm_exp"] == 70.0
    assert alpha["ks2_rwm_high"] == 10.0
    assert alpha["disadv_rwm_exp"] == 50.0
    assert alpha["non_disadv_rwm_exp"] == 80.0
    assert alpha["disadv_n"] == 10


def test_suppressed_value_is_missing_with_its_reason():
    gamma = _row(_load(LA_2017), 100003)
    assert np.isnan(gamma["ks2_rwm_exp"])
    assert gamma["ks2_rwm_exp_reason"] == "suppressed"
    assert gamma["cohort_n"] == 4


def test_each_code_is_kept_per_measure():
    beta = _row(_load(LA_2017), 100002)
    assert beta["read_prog_reason"] == "low_coverage"
    assert beta["mat_prog_reason"] == "not_published"
    assert beta["writ_prog"] == 0.4
    assert pd.isna(beta["writ_prog_reason"])
    eta = _row(_load(LA_2017), 100007)
    assert eta["ks2_rwm_exp_reason"] == "no_entries"
    assert eta["read_prog_reason"] == "not_applicable"


def test_short_ragged_row_is_kept_with_blank_reasons():
    theta = _row(_load(LA_2017), 100008)
    assert np.isnan(theta["ks2_rwm_exp"])
    assert theta["ks2_rwm_exp_reason"] == "blank"


def test_later_year_codes_sp_re_new_unavail():
    table = _load(NATIONAL_2019)
    assert _row(table, 100001)["disadv_rwm_exp_reason"] == "small_cohort"
    assert _row(table, 140002)["ks2_rwm_exp_reason"] == "results_withheld"
    assert _row(table, 140004)["ks2_rwm_exp_reason"] == "new_school"
    assert _row(table, 140005)["ks2_rwm_exp_reason"] == "unavailable"
    assert _row(table, 140005)["writ_prog_reason"] == "blank"


def test_header_drift_maps_renamed_disadvantaged_columns():
    older = _row(_load(LA_2017), 100001)  # PTRWM_EXP_NotFSM6CLA1A
    newer = _row(_load(NATIONAL_2019), 100001)  # PTRWM_EXP_NOTFSM6CLA1A, other order
    assert older["non_disadv_rwm_exp"] == 80.0
    assert newer["non_disadv_rwm_exp"] == 81.0
    assert newer["cohort_n"] == 31


def test_measures_absent_from_a_file_are_missing_with_the_reason_not_in_file():
    row = _row(_load(REDUCED_2018), 100001)
    assert np.isnan(row["disadv_rwm_exp"])
    assert row["disadv_rwm_exp_reason"] == "not_in_file"
    assert row["ks2_rwm_exp"] == 72.0


def test_year_from_file_name_folder_and_reduced_name():
    assert _load(LA_2017).year == 2017
    assert _load(NATIONAL_2019).year == 2019
    assert _load(REDUCED_2018).year == 2018
    assert set(_load(NATIONAL_2019).outcomes["year"]) == {2019}


def test_school_rows_kept_and_summary_rows_set_aside():
    table = _load(LA_2017)
    assert sorted(table.outcomes["urn"]) == [100001, 100002, 100003, 100007, 100008]
    assert sorted(table.reference["level"]) == ["la", "national_all", "national_state_funded"]
    la = table.reference.set_index("level").loc["la"]
    assert la["la_code"] == 908
    assert la["ks2_rwm_exp"] == 66.0
    assert table.excluded.empty


def test_minimal_school_rows_come_from_the_file():
    schools = _load(NATIONAL_2019).schools.set_index("urn")
    assert schools.loc[100010, "name"] == "Kappa Primary, Truro"
    assert schools.loc[100009, "la_code"] == 201
    assert schools.loc[140002, "school_type"] == "Academy converter"
    assert bool(schools.loc[140002, "is_academy"])
    assert not bool(schools.loc[100001, "is_academy"])


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


HEADER = "RECTYPE,LEA,URN,SCHNAME,TELIG,PTRWM_EXP\n"


def test_unknown_record_type_is_excluded_and_counted(tmp_path):
    path = _write(
        tmp_path,
        "2017-2018_908_ks2final.csv",
        HEADER + "1,908,100001,A,10,50%\n7,908,100002,B,5,40%\n",
    )
    table = load_ks2(read_known(path)[1])
    assert list(table.outcomes["urn"]) == [100001]
    assert table.excluded.to_dict("records") == [{"row": 3, "reason": "unknown_record_type"}]


def test_unknown_code_names_file_row_and_column(tmp_path):
    path = _write(
        tmp_path,
        "2017-2018_908_ks2final.csv",
        HEADER + "1,908,100001,A,10,50%\n1,908,100002,B,5,XX\n",
    )
    with pytest.raises(
        InputError,
        match=r"2017-2018_908_ks2final.csv, row 3, column 'PTRWM_EXP': 'XX' is neither a number nor a DfE code",
    ):
        load_ks2(read_known(path)[1])


def test_unquoted_comma_in_a_name_is_a_field_count_error(tmp_path):
    path = _write(
        tmp_path,
        "2017-2018_908_ks2final.csv",
        HEADER + "1,908,100001,A,10,50%\n1,908,100002,Beta, Truro,CY,5,40%\n",
    )
    with pytest.raises(
        InputError,
        match=r"2017-2018_908_ks2final.csv, row 3: has 8 fields, header has 6 "
        r"\(an unquoted comma\?\); 1 such row\(s\)",
    ):
        read_known(path)


def test_thousands_separators_in_summary_rows_are_numbers(tmp_path):
    path = _write(
        tmp_path,
        "2017-2018_908_ks2final.csv",
        HEADER + '1,908,100001,A,10,50%\n4,,,England,"600,000",64%\n',
    )
    table = load_ks2(read_known(path)[1])
    assert table.reference.set_index("level").loc["national_all", "cohort_n"] == 600_000


def test_misplaced_comma_in_a_number_is_still_an_error(tmp_path):
    path = _write(tmp_path, "2017-2018_908_ks2final.csv", HEADER + '1,908,100001,A,"1,00",50%\n')
    with pytest.raises(InputError, match=r"row 2, column 'TELIG': '1,00' is neither a number"):
        load_ks2(read_known(path)[1])


def test_percentage_above_100_is_an_error(tmp_path):
    path = _write(tmp_path, "2017-2018_908_ks2final.csv", HEADER + "1,908,100001,A,10,150%\n")
    with pytest.raises(InputError, match=r"row 2, column 'PTRWM_EXP': '150%' is not a percentage"):
        load_ks2(read_known(path)[1])


def test_missing_required_column_is_named(tmp_path):
    path = _write(tmp_path, "2017-2018_908_ks2final.csv", "RECTYPE,URN,PTRWM_EXP\n1,100001,50%\n")
    with pytest.raises(
        InputError, match=r"row 1: DfE KS2 performance tables file lacks required column 'TELIG'"
    ):
        read_known(path)


def test_year_that_cannot_be_told_is_an_error(tmp_path):
    path = _write(tmp_path, "england_ks2final.csv", HEADER + "1,908,100001,A,10,50%\n")
    with pytest.raises(
        InputError,
        match=r"england_ks2final.csv: cannot tell which academic year.*folder named for its year",
    ):
        load_ks2(read_known(path)[1], root=tmp_path)


def test_year_from_previous_year_columns(tmp_path):
    path = _write(
        tmp_path,
        "england_ks2final.csv",
        "URN,TELIG,PTRWM_EXP,PTRWM_EXP_17,PTRWM_EXP_18\n100001,10,50%,40%,45%\n",
    )
    assert load_ks2(read_known(path)[1]).year == 2019


def test_name_and_columns_disagreeing_is_an_error(tmp_path):
    path = _write(
        tmp_path,
        "2016-2017_england_ks2final.csv",
        "URN,TELIG,PTRWM_EXP,PTRWM_EXP_17\n100001,10,50%,40%\n",
    )
    with pytest.raises(
        InputError,
        match="name says academic year 2016/2017 but the previous-year columns say 2017/2018",
    ):
        load_ks2(read_known(path)[1])


@pytest.mark.real_data
def test_surrey_2017_18_national_reduced_matches_la_file(real_data_dir):
    ks2 = real_data_dir / "ks2"
    la = load_ks2(read_known(ks2 / "la_files" / "2017-2018_936_ks2final.csv")[1]).outcomes
    national = load_ks2(
        read_known(ks2 / "national_reduced" / "england_ks2final_2017-2018_reduced.csv")[1]
    ).outcomes
    both = la.merge(national, on=["urn", "year"], suffixes=("_la", "_nat"))
    assert len(both) == 235
    for measure in (
        "cohort_n",
        "ks2_rwm_exp",
        "ks2_rwm_high",
        "read_prog",
        "writ_prog",
        "mat_prog",
    ):
        a, b = both[f"{measure}_la"].astype("float64"), both[f"{measure}_nat"].astype("float64")
        assert ((a - b).abs().fillna(0) < 1e-9).all(), measure
        assert (a.isna() == b.isna()).all(), measure
