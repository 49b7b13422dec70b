"""End to end on small data: demo data → a report set → index, manifest, results.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from partnership_eval.cli import main

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

REPORT_SET = """
[[report]]
notebook = "00_overview"
areas = ["Devon"]

[[report]]
notebook = "01_cluster_impact"
areas = ["Cumbria"]

[[report]]
notebook = "02_chain_growth"
[report.parameters]
radius_km = 20.0

[[report]]
notebook = "03_inspection_transitions"
"""


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """`demo-data --scale small` then `batch` over one report of every notebook."""
    root = tmp_path_factory.mktemp("e2e")
    assert main(["demo-data", "--scale", "small", "--out", str(root / "data")]) == 0
    report_set = root / "set.toml"
    report_set.write_text(REPORT_SET)
    code = main(_batch(report_set, root, "e2e"))
    return root / "e2e", code


def _batch(report_set: Path, root: Path, run: str) -> list[str]:
    return [
        "batch", str(report_set), "--data", str(root / "data"), "--out", str(root),
        "--run", run, "--notebooks-dir", str(NOTEBOOKS),
    ]  # fmt: skip


def test_every_report_of_the_demo_set_renders(demo_run):
    run_dir, code = demo_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert code == 0
    assert [r["status"] for r in manifest["reports"]] == ["ok"] * 4
    assert (run_dir / "index.html").is_file()


def test_manifest_records_the_data_hashes(demo_run):
    run_dir, _ = demo_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert set(manifest["data_hashes"]) >= {"schools.parquet", "outcomes.parquet"}


@pytest.mark.parametrize(
    "results_file",
    ["01_cluster_impact/cumbria.results.json", "02_chain_growth/england.results.json"],
)
def test_headline_estimate_is_within_3_5_se_of_the_planted_truth(demo_run, results_file):
    run_dir, _ = demo_run
    results = json.loads((run_dir / results_file).read_text())
    head = results["headline"]
    assert results["synthetic"] is True
    assert head["truth"] is not None and head["se"] > 0
    assert abs(head["estimate"] - head["truth"]) < 3.5 * head["se"], head
    assert head["ci_low"] < head["estimate"] < head["ci_high"]
    assert head["n_treated"] > 0 and head["n_comparison"] > 0


def test_inspection_report_headline_matches_its_tables(demo_run):
    """Moves up from requires improvement, counted by hand from the MAT pairs."""
    from partnership_eval.analyses.inspections.transitions import inspection_pairs
    from partnership_eval.data.store import read_tables

    run_dir, _ = demo_run
    head = json.loads((run_dir / "03_inspection_transitions" / "england.results.json").read_text())[
        "headline"
    ]
    tables = read_tables(run_dir.parent / "data")
    pairs = inspection_pairs(
        tables.inspections, tables.memberships, tables.partnerships, kind="mat"
    ).table
    after_ri = pairs[pairs["prior_grade"] == 3]
    up = (after_ri["grade"] <= 2).groupby(after_ri["group"]).mean() * 100
    assert head["estimate"] == pytest.approx(up["partnership"] - up["comparison"])
    assert head["n_treated"] == (after_ri["group"] == "partnership").sum()


def test_chain_report_publishes_the_spread_of_chains_and_the_compact_comparison(demo_run):
    run_dir, _ = demo_run
    results = json.loads((run_dir / "02_chain_growth" / "england.results.json").read_text())
    geography = results["chain_geography"]
    assert geography["spread"] and "median km to the chain's centre" in geography["spread"][0]
    difference = geography["comparison"][-1]
    assert difference["ci_low"] < difference["estimate"] < difference["ci_high"]
    assert "chains choose where to grow" in geography["summary"]


def test_reports_from_synthetic_data_carry_the_banner(demo_run):
    run_dir, _ = demo_run
    page = (run_dir / "00_overview" / "devon.html").read_text()
    assert "Synthetic demonstration data" in page


def test_rerunning_the_impact_report_gives_identical_bytes(demo_run):
    run_dir, _ = demo_run
    root = run_dir.parent
    again = root / "again.toml"
    again.write_text('[[report]]\nnotebook = "01_cluster_impact"\nareas = ["Cumbria"]\n')
    assert main(_batch(again, root, "again")) == 0
    for name in ("cumbria.html", "cumbria.ipynb", "cumbria.results.json"):
        first = (run_dir / "01_cluster_impact" / name).read_bytes()
        assert (root / "again" / "01_cluster_impact" / name).read_bytes() == first, name


def test_cli_error_is_one_line_on_stderr_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "partnership_eval.cli", "report", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("partnership-eval: error:")
    assert "Traceback" not in proc.stderr
