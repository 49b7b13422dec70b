"""Data folders are written whole or not at all, and read only when they match their manifest."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest
from tables_factory import tiny_tables

from partnership_eval.cli import main
from partnership_eval.data.ingest import ingest, write_ingest
from partnership_eval.data.store import (
    MANIFEST_NAME,
    read_tables,
    sha256_file,
    write_table,
    write_tables,
)
from partnership_eval.errors import InputError, SchemaError

RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"


def _frames() -> dict[str, pd.DataFrame]:
    tables = asdict(tiny_tables())
    return {k: v for k, v in tables.items() if isinstance(v, pd.DataFrame)}


def _truth() -> pd.DataFrame:
    return pd.DataFrame({"programme": ["p"], "cohort": [2016], "year": [2017], "effect": [1.0]})


@pytest.fixture(scope="module")
def result():
    return ingest(RAW / "ks2")


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    out = tmp_path / "data"
    write_tables({**_frames(), "truth": _truth()}, out, synthetic=True)
    return out


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir())}


def test_ingest_into_a_demo_folder_leaves_no_truth_beside_real_tables(result, demo_dir):
    write_ingest(result, demo_dir)
    assert not (demo_dir / "truth.parquet").exists()
    tables = read_tables(demo_dir)
    assert tables.truth is None and tables.synthetic is False
    assert not [p for p in demo_dir.parent.iterdir() if p.name.startswith(".")]


def test_a_failed_write_leaves_the_folder_as_it_was(result, demo_dir):
    before = _hashes(demo_dir)
    bad = {**result.tables, "outcomes": result.tables["outcomes"].assign(year=1800)}
    broken = type(result)(**{**result.__dict__, "tables": bad})
    with pytest.raises(SchemaError, match="year"):
        write_ingest(broken, demo_dir)
    assert _hashes(demo_dir) == before
    assert not [p for p in demo_dir.parent.iterdir() if p.name.startswith(".")]


def test_a_folder_with_other_files_is_not_replaced(result, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(
        InputError, match=r"mine: holds files that are not data tables \(notes.txt\)"
    ):
        write_ingest(result, out)
    assert (out / "notes.txt").read_text() == "keep me"


def test_a_table_left_from_another_run_is_refused_naming_it(result, tmp_path):
    out = tmp_path / "data"
    write_ingest(result, out)
    write_table(_truth(), "truth", out, synthetic=True)
    with pytest.raises(InputError, match=r"truth.parquet: not listed in data_manifest.json"):
        read_tables(out)


def test_a_table_that_differs_from_its_manifest_is_refused(demo_dir, tmp_path):
    other = tmp_path / "other"
    write_tables(_frames(), other, synthetic=False)
    (demo_dir / "schools.parquet").write_bytes((other / "schools.parquet").read_bytes() + b"x")
    with pytest.raises(InputError, match=r"schools.parquet: contents differ from those recorded"):
        read_tables(demo_dir)


def test_a_truncated_table_is_a_clear_error_with_or_without_a_manifest(demo_dir):
    path = demo_dir / "outcomes.parquet"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(InputError, match="outcomes.parquet: contents differ"):
        read_tables(demo_dir)
    (demo_dir / MANIFEST_NAME).unlink()
    with pytest.raises(InputError, match="outcomes.parquet: cannot read as a parquet table"):
        read_tables(demo_dir)


def test_a_manifest_that_is_not_json_is_named(demo_dir):
    (demo_dir / MANIFEST_NAME).write_text("{")
    with pytest.raises(InputError, match="data_manifest.json: not a data manifest"):
        read_tables(demo_dir)


def test_cli_ingest_over_a_folder_of_other_files_exits_2_without_traceback(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("")
    assert main(["ingest", str(RAW / "ks2"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "holds files that are not data tables (report.html)" in err[-1]
    assert err[-1].startswith("partnership-eval: error: ") and "Traceback" not in "".join(err)
