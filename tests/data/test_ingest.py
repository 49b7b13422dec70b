"""`ingest`: a raw folder → canonical tables, summary and exclusions; bad input; real data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from partnership_eval.cli import main
from partnership_eval.data.ingest import EXCLUSIONS_NAME, ingest, write_ingest
from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.trusts import load_group_links
from partnership_eval.data.store import read_tables, table_metadata
from partnership_eval.errors import InputError

RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"


@pytest.fixture(scope="module")
def fixture_ingest():
    return ingest(RAW)


def _outcome(result, urn: int, year: int) -> pd.Series:
    o = result.tables["outcomes"]
    return o.loc[(o["urn"] == urn) & (o["year"] == year)].iloc[0]


def test_every_raw_row_is_kept_set_aside_or_excluded(fixture_ingest):
    for f in fixture_ingest.files:
        excluded = sum(fixture_ingest.excluded_by_reason(f.path).values())
        assert f.rows_read == f.rows_kept + excluded + f.rows_set_aside, f.path
    assert sum(f.rows_kept for f in fixture_ingest.files) > 0


def test_exclusions_are_counted_by_reason(fixture_ingest):
    assert fixture_ingest.exclusions["reason"].value_counts().to_dict() == {
        "duplicate": 3,
        "not_graded": 2,
        "not_a_school_partnership": 1,
        "not_a_school_urn": 1,
        "older_extract": 1,
        "predecessor_conflict": 1,
    }


def test_predecessor_outcomes_are_rekeyed_to_the_successor(fixture_ingest):
    o = fixture_ingest.tables["outcomes"]
    assert 100002 not in set(o["urn"])
    assert _outcome(fixture_ingest, 140002, 2017)["ks2_rwm_exp"] == 64.0
    assert fixture_ingest.counts["outcomes re-keyed from a predecessor URN"] == 3


def test_predecessor_conflict_keeps_the_row_with_results(fixture_ingest):
    row = _outcome(fixture_ingest, 140002, 2019)
    assert row["ks2_rwm_exp"] == 60.0  # the predecessor's results beat the academy's RE row
    excluded = fixture_ingest.exclusions.query("reason == 'predecessor_conflict'")
    assert excluded[["file", "row"]].values.tolist() == [["ks2/2018-2019/england_ks2final.csv", 3]]


def test_predecessor_inspections_are_rekeyed(fixture_ingest):
    i = fixture_ingest.tables["inspections"]
    assert set(i.loc[i["urn"] == 140002, "date"]) == {
        pd.Timestamp("2017-05-05"),
        pd.Timestamp("2019-03-14"),
    }


def test_schools_without_gias_rows_get_minimal_rows_and_are_counted(fixture_ingest):
    s = fixture_ingest.tables["schools"].set_index("urn")
    assert s.loc[100009, "la_name"] == "City of London"
    assert s.loc[100009, "region"] == "London"
    assert s.loc[140006, "name"] == "Zeta Academy"
    assert fixture_ingest.counts["schools described from KS2 file (no GIAS record)"] == 4
    assert fixture_ingest.counts["URNs with data but no school record anywhere"] == 2
    assert s.loc[100001, "pupils"] == 210  # newest extract wins


def test_summary_lists_files_kinds_years_and_reasons(fixture_ingest):
    text = fixture_ingest.summary()
    assert "ks2/2016-2017_908_ks2final.csv: ks2 2016/17, 8 rows read, 5 kept, 3 set aside" in text
    assert "gias_establishments, 7 rows read, 6 kept, 1 excluded (not_a_school_urn: 1)" in text
    assert "gias_group_links snapshot 2018-06-01" in text
    assert "  predecessor_conflict: 1" in text
    assert "rows excluded: 9" in text


def test_summary_lines_give_each_files_exclusions_by_reason(fixture_ingest):
    lines = fixture_ingest.summary().splitlines()
    assert (
        "  ofsted/ofsted_ratings_history.csv: ofsted_history, 6 rows read, 3 kept, "
        "3 excluded (duplicate: 3)" in lines
    )
    assert (
        "  ks2/2018-2019/england_ks2final.csv: ks2 2018/19, 9 rows read, 6 kept, "
        "1 excluded (predecessor_conflict: 1), 2 set aside (LA/national totals set aside)" in lines
    )


def test_summary_counts_gias_rows_with_fields_beyond_the_header(fixture_ingest):
    assert "(1 row(s) with unquoted fields beyond the header, ignored)" in fixture_ingest.summary()


def test_write_records_sources_and_exclusions(fixture_ingest, tmp_path):
    write_ingest(fixture_ingest, tmp_path)
    tables = read_tables(tmp_path)
    assert not tables.synthetic
    meta = table_metadata(tmp_path / "outcomes.parquet")
    assert "ks2/2016-2017_908_ks2final.csv" in meta["provenance"]["source_files"]
    exclusions = pd.read_csv(tmp_path / EXCLUSIONS_NAME)
    assert list(exclusions.columns) == ["file", "row", "reason"]
    assert len(exclusions) == 9


def _copy(tmp_path: Path, *names: str) -> Path:
    raw = tmp_path / "raw"
    for name in names:
        target = raw / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(RAW / name, target)
    return raw


@pytest.mark.parametrize("contents", [[], ["README.md"]], ids=["empty", "readme_only"])
def test_folder_without_data_files_is_an_error_naming_it(tmp_path, contents):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in contents:
        (raw / name).write_text("# notes\n")
    with pytest.raises(InputError, match=r"raw: no csv or xlsx data files in this folder"):
        ingest(raw)


@pytest.mark.parametrize(
    ("folder", "empty"),
    [
        ("ks2", {"memberships", "partnerships", "inspections"}),
        ("gias", {"outcomes", "memberships", "partnerships", "inspections"}),
        ("ofsted", {"schools", "outcomes", "memberships", "partnerships"}),
        ("trusts", {"outcomes", "inspections"}),
    ],
)
def test_folder_of_one_kind_ingests_and_writes_empty_tables(tmp_path, folder, empty):
    raw = tmp_path / "raw"
    shutil.copytree(RAW / folder, raw)
    result = ingest(raw)
    assert {name for name, frame in result.tables.items() if frame.empty} == empty
    write_ingest(result, tmp_path / "out")
    tables = read_tables(tmp_path / "out")
    assert all(getattr(tables, name).empty for name in empty)


def test_summary_says_why_a_table_is_empty(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "ofsted", raw)
    text = ingest(raw).summary()
    assert "  schools is empty: no GIAS establishments file" in text
    assert "  outcomes is empty: no DfE KS2 performance tables file" in text
    assert "inspections is empty" not in text


def test_conflicting_duplicate_school_year_is_an_error(tmp_path):
    raw = _copy(tmp_path, "ks2/2016-2017_908_ks2final.csv")
    (raw / "2016-2017_national.csv").write_text("URN,TELIG,PTRWM_EXP\n100001,30,55%\n")
    with pytest.raises(
        InputError,
        match=r"row 2: KS2 results for urn 100001, year 2017 conflicts with ks2/2016-2017_908_ks2final.csv row 2",
    ):
        ingest(raw)


def test_agreeing_duplicate_is_merged_and_counted(tmp_path):
    raw = _copy(tmp_path, "ks2/2016-2017_908_ks2final.csv")
    (raw / "2016-2017_national.csv").write_text("URN,TELIG,PTRWM_EXP\n100001,30,70%\n")
    result = ingest(raw)
    assert result.exclusions.to_dict("records") == [
        {"file": "2016-2017_national.csv", "row": 2, "reason": "duplicate"}
    ]
    assert _outcome(result, 100001, 2017)["disadv_rwm_exp"] == 50.0


def test_school_listed_twice_in_one_snapshot_counts_once(tmp_path):
    name = "trusts/grouplinks_edubaseallacademiesandfree20180601.csv"
    raw = _copy(tmp_path, name)
    lines = (raw / name).read_text().splitlines()
    (raw / name).write_text("\n".join([*lines, lines[1]]) + "\n")
    result = ingest(raw)
    assert result.exclusions.to_dict("records") == [{"file": name, "row": 2, "reason": "duplicate"}]
    assert len(result.tables["memberships"]) == len(lines) - 1


def test_file_of_no_known_kind_is_an_error(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notes.csv").write_text("Name,Comment\nA,B\n")
    with pytest.raises(
        InputError, match=r"notes.csv: not a file of any known kind \(first row: 'Name, Comment'\)"
    ):
        ingest(raw)


def test_truncated_file_is_an_error(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "2016-2017_ks2.csv").write_text("URN,TELIG,PTRWM_EXP\n100001,30,70%\n100002,2")
    with pytest.raises(
        InputError,
        match=r"2016-2017_ks2.csv, row 3: the last row stops after 2 of the 3 fields .* looks truncated",
    ):
        ingest(raw)


def test_unterminated_quote_is_an_error(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "2016-2017_ks2.csv").write_text('URN,TELIG,PTRWM_EXP\n100001,30,"70%\n')
    with pytest.raises(
        InputError, match="a quoted field never ends: the file is truncated or damaged"
    ):
        ingest(raw)


def test_binary_and_empty_files_are_errors(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "data.csv").write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(InputError, match=r"data.csv: not a text file"):
        ingest(raw)
    (raw / "data.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"data.csv: file is empty"):
        ingest(raw)


def test_cli_ingest_prints_summary_and_writes(tmp_path, capsys):
    assert main(["ingest", str(RAW), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "rows excluded: 9" in out
    assert (tmp_path / "out" / "schools.parquet").exists()


def test_cli_empty_folder_is_one_line_without_traceback(tmp_path, capsys):
    (tmp_path / "raw").mkdir()
    assert main(["ingest", str(tmp_path / "raw"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"partnership-eval: error: {tmp_path / 'raw'}: no csv or xlsx data files in this folder "
        "(put the downloaded DfE KS2, GIAS and Ofsted files there, or give their folder)"
    ]


def test_cli_bad_input_is_one_line_without_traceback(tmp_path, capsys):
    (tmp_path / "x.csv").write_text("Name\nA\n")
    assert main(["ingest", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        err[-1].startswith("partnership-eval: error: ")
        and "x.csv: not a file of any known kind" in err[-1]
    )
    assert not any("Traceback" in line for line in err)


@pytest.mark.real_data
def test_june_2019_snapshot_holds_published_mat_counts(real_data_dir):
    path = real_data_dir / "trusts" / "grouplinks_edubaseallacademiesandfree20190601.csv"
    links = load_group_links(read_known(path)[1])
    mats = links.loc[links["kind"] == "mat"]
    assert len(mats) == 7259
    assert mats["uid"].nunique() == 1422


@pytest.mark.real_data
def test_real_data_ingests_end_to_end(real_data_dir):
    result = ingest(real_data_dir)
    t = result.tables
    for f in result.files:
        excluded = sum(result.excluded_by_reason(f.path).values())
        assert f.rows_read == f.rows_kept + excluded + f.rows_set_aside, f.path
    o = t["outcomes"]
    assert o.groupby("year").size().loc[[2016, 2017, 2018]].between(15_500, 16_500).all()
    ok = o.dropna(subset=["cohort_n", "ks2_rwm_exp"])
    weighted = (ok["cohort_n"] * ok["ks2_rwm_exp"]).groupby(ok["year"]).sum() / ok.groupby("year")[
        "cohort_n"
    ].sum()
    # DfE's published national shares meeting the expected standard: 53%, 61%, 64%
    assert weighted.loc[2016] == pytest.approx(53.9, abs=0.5)
    assert weighted.loc[2017] == pytest.approx(61.7, abs=0.5)
    assert weighted.loc[2018] == pytest.approx(64.9, abs=0.5)
    # Surrey 2017/18: the national reduced file agrees with the LA file (no conflict error),
    # and its rows are merged as duplicates
    dup = result.exclusions.query("reason == 'duplicate'")
    assert (
        dup["file"] == "ks2/national_reduced/england_ks2final_2017-2018_reduced.csv"
    ).sum() >= 235 + 328 - 5
    assert set(t["inspections"]["grade"].dropna()) == {1, 2, 3, 4}
    assert len(t["inspections"]) > 59_000
    assert set(t["partnerships"]["kind"]) == {
        "mat",
        "sat",
        "sponsor",
        "federation",
        "umbrella_trust",
    }
    assert len(t["schools"]) > 20_000
