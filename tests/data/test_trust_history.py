"""The trust history reproduces every group-links snapshot it was built from."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from partnership_eval.data.ingest import ingest
from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.trusts import load_group_links, members_on

HEADER = ["URN", "Linked UID", "Group Name", "Group Type", "Joined date", "LA (code)"]
MAT, SAT = "Multi-academy trust", "Single-academy trust"


def _snapshot(path: Path, rows: list[tuple], header: list[str] = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _pairs(path: Path) -> set[tuple[int, str, str]]:
    links = load_group_links(read_known(path)[1])
    links = links.loc[links["kind"].notna() & (links["urn"] >= 100000)]
    return set(zip(links["urn"], links["uid"].astype(str), links["kind"], strict=True))


def _open_on(tables: dict[str, pd.DataFrame], date: pd.Timestamp) -> set[tuple[int, str, str]]:
    m = members_on(tables["memberships"], tables["partnerships"], date)
    return set(zip(m["urn"], m["source_id"], m["kind"], strict=True))


def _snapshot_date(path: Path) -> pd.Timestamp:
    return load_group_links(read_known(path)[1])["snapshot"].iloc[0]


@pytest.fixture
def history(tmp_path):
    """Three monthly snapshots and a later undated national file.

    Trust 7001 is single-academy (school 100001) until its third snapshot, when school
    100002 joins and it becomes multi-academy. The later file lists school 100004 in
    trust 7002 with a joining date before the snapshots that lack it.
    """
    raw = tmp_path / "raw"
    s1 = [(100001, 7001, "One Trust", SAT, "01-09-2015", 908)]
    s1 += [(100003, 7002, "Two Trust", MAT, "01-09-2016", 908)]
    paths = [
        _snapshot(raw / "grouplinks_edubaseallacademiesandfree20190101.csv", s1),
        _snapshot(raw / "grouplinks_edubaseallacademiesandfree20190201.csv", s1),
        _snapshot(
            raw / "grouplinks_edubaseallacademiesandfree20190301.csv",
            [
                (100001, 7001, "One Trust", MAT, "01-09-2015", 908),
                (100002, 7001, "One Trust", MAT, "15-02-2019", 908),
                s1[1],
            ],
        ),
        _snapshot(
            raw / "group_links_2022.csv",
            [
                (100001, 7001, "One Trust", MAT, "01-09-2015", 908),
                (100003, 7002, "Two Trust", MAT, "01-09-2016", 908),
                (100004, 7002, "Two Trust", MAT, "01-09-2017", 908),
                (100005, 7002, "Two Trust", MAT, "01-01-2022", 908),
            ],
        ),
    ]
    return ingest(raw), paths


def test_every_snapshot_is_reproduced_exactly(history):
    result, paths = history
    for path in paths:
        assert _open_on(result.tables, _snapshot_date(path)) == _pairs(path), path.name


def test_a_single_academy_trust_that_grows_is_a_sat_then_a_mat(history):
    result, _ = history
    p = result.tables["partnerships"].set_index("partnership_id")
    assert p.loc["gias-7001", "kind"] == "mat"
    assert p.loc["gias-7001-sat", "kind"] == "sat"
    assert set(p.loc[["gias-7001", "gias-7001-sat"], "source_id"]) == {"7001"}
    m = result.tables["memberships"].query("urn == 100001").set_index("partnership_id")
    assert m.loc["gias-7001-sat", "joined"] == pd.Timestamp("2015-09-01")
    assert m.loc["gias-7001-sat", "left"] == pd.Timestamp("2019-03-01")
    assert m.loc["gias-7001", "joined"] == pd.Timestamp("2019-03-01")
    assert pd.isna(m.loc["gias-7001", "left"])
    joined = result.tables["memberships"].query("urn == 100002")["joined"]
    assert joined.tolist() == [pd.Timestamp("2019-02-15")]


def test_a_later_file_does_not_back_date_a_link_over_snapshots_without_it(history):
    result, _ = history
    m = result.tables["memberships"].set_index("urn")
    assert m.loc[100004, "joined"] == pd.Timestamp("2022-01-01")  # the later file's date
    assert m.loc[100005, "joined"] == pd.Timestamp("2022-01-01")  # its own date, uncontested
    assert (
        result.counts["membership spells dated by first snapshot (an earlier snapshot lacks them)"]
        == 2  # 100004 in 7002, 100001 in 7001 as a MAT
    )


def test_header_only_and_non_school_snapshots_do_not_crash(tmp_path):
    raw = tmp_path / "raw"
    _snapshot(raw / "grouplinks_edubaseallacademiesandfree20190101.csv", [])
    _snapshot(
        raw / "grouplinks_childrens_centres.csv",
        [(20003, 80637, "Central", "Children's Centres Group", "", 852)],
    )
    result = ingest(raw)
    assert len(result.tables["memberships"]) == 0
    assert result.excluded_by_reason("grouplinks_childrens_centres.csv") == {
        "not_a_school_partnership": 1
    }
    assert "no school links" in result.summary()


def test_blank_urn_and_leaving_before_joining_are_excluded_and_counted(tmp_path):
    raw = tmp_path / "raw"
    header = [*HEADER, "Date Left Group"]
    _snapshot(
        raw / "grouplinks_edubaseallacademiesandfree20190101.csv",
        [
            (100001, 7001, "One Trust", MAT, "01-09-2015", 908, ""),
            ("", 7001, "One Trust", MAT, "01-09-2016", 908, ""),
            (100002, 7001, "One Trust", MAT, "01-09-2018", 908, "01-09-2017"),
        ],
        header,
    )
    result = ingest(raw)
    (f,) = result.files
    assert result.excluded_by_reason(f.path) == {"left_before_joined": 1, "missing_urn": 1}
    assert f.rows_read == 3 and f.rows_kept == 1
    assert result.tables["memberships"]["urn"].tolist() == [100001]


@pytest.mark.slow
@pytest.mark.real_data
def test_every_shipped_snapshot_is_reproduced_by_the_memberships(real_data_dir):
    result = ingest(real_data_dir / "trusts")
    paths = sorted((real_data_dir / "trusts").glob("*group_links*.csv"))
    paths += sorted((real_data_dir / "trusts").glob("grouplinks*.csv"))
    assert len(paths) == 13
    for path in paths:
        assert _open_on(result.tables, _snapshot_date(path)) == _pairs(path), path.name
    june = members_on(
        result.tables["memberships"], result.tables["partnerships"], pd.Timestamp("2019-06-01")
    )
    mats = june.loc[june["kind"] == "mat"]
    assert (len(mats), mats["source_id"].nunique()) == (7259, 1422)
