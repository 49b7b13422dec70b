"""KS2 header drift: column names mapped through DfE's metadata files and known aliases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from partnership_eval.data.ingest import ingest

HEADER = (
    "RECTYPE,LEA,URN,SCHNAME,TELIG,PTRWM_EXP,READ_PROG,WRIT_PROG,MATHS_PROG,PT_RWM_DISADV,ZZ_NEW"
)
ROWS = [
    "1,908,100001,Alpha Primary School,30,70%,1.5,-0.5,0.2,50%,7",
    "1,908,100002,Beta Primary School,28,64%,LOWCOV,0.4,NP,SUPP,8",
]
META = """Column,Field Name,Label/Description
1,RECTYPE,Record type (1=Mainstream school; 2=Special school)
2,LEA,Local authority number
3,URN,School unique reference number
4,SCHNAME,School name
5,TELIG,Published eligible pupil number
6,PTRWM_EXP,"Percentage of pupils reaching the expected standard in reading, writing and maths"
7,READ_PROG,Reading progress measure
8,WRIT_PROG,Writing progress measure
9,MATHS_PROG,Maths progress measure
10,PT_RWM_DISADV,"Percentage of disadvantaged pupils reaching the expected standard in reading, writing and maths"
"""


@pytest.fixture
def raw(tmp_path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "2016-2017_908_ks2final.csv").write_text("\n".join([HEADER, *ROWS]) + "\n")
    return folder


def _file_line(result) -> str:
    return next(line for line in result.summary().splitlines() if "ks2final" in line)


def test_without_metadata_unmapped_measures_are_listed_with_their_look_alikes(raw):
    result = ingest(raw)
    o = result.tables["outcomes"].set_index("urn")
    assert o["read_prog"].isna().all()
    assert (o["read_prog_reason"] == "not_in_file").all()
    line = _file_line(result)
    assert "measures not in this file: ks2_rwm_high, read_prog, writ_prog, mat_prog" in line
    assert "columns with similar names: MATHS_PROG, READ_PROG, WRIT_PROG" in line


def test_the_years_metadata_maps_drifted_names(raw):
    (raw / "ks2_meta_2016-2017.csv").write_text(META)
    result = ingest(raw)
    o = result.tables["outcomes"].set_index("urn")
    assert o.loc[100001, ["read_prog", "writ_prog", "mat_prog"]].tolist() == [1.5, -0.5, 0.2]
    assert o.loc[100001, "disadv_rwm_exp"] == 50.0
    assert o.loc[100002, "read_prog_reason"] == "low_coverage"
    assert o.loc[100002, "disadv_rwm_exp_reason"] == "suppressed"
    line = _file_line(result)
    assert "1 column(s) described by no DfE metadata file, not read: ZZ_NEW" in line
    assert "measures not in this file: ks2_rwm_high, non_disadv_rwm_exp, disadv_n" in line


def test_another_years_metadata_is_used_when_the_files_own_is_absent(raw):
    (raw / "ks2_meta_2018-2019.csv").write_text(META)
    o = ingest(raw).tables["outcomes"].set_index("urn")
    assert o.loc[100001, "read_prog"] == 1.5


def test_an_alias_beats_a_description(raw):
    text = (raw / "2016-2017_908_ks2final.csv").read_text()
    (raw / "2016-2017_908_ks2final.csv").write_text(
        text.replace("ZZ_NEW", "READPROG").replace(",7\n", ",2.5\n").replace(",8\n", ",3.5\n")
    )
    (raw / "ks2_meta_2016-2017.csv").write_text(META + "11,READPROG,Reading progress measure\n")
    o = ingest(raw).tables["outcomes"].set_index("urn")
    assert o["read_prog"].tolist() == [2.5, 3.5]
    assert not pd.isna(o["read_prog"]).any()
