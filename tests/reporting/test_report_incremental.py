"""Incremental runs: unchanged reports are kept; a stopped batch finishes the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from partnership_eval.cli import main
from partnership_eval.reporting.runner import run_reports

AREAS = ["Cumbria", "Devon", "Norfolk", "Suffolk"]


@pytest.fixture
def slow_notebook(tmp_path, write_notebook):
    """Takes a second per report and writes results."""
    return write_notebook(
        tmp_path, "slow", 'area: str = "Cumbria"  # area\npause: float = 1.0  # seconds',
        "import time\ntime.sleep(pause)",
        "from partnership_eval.reporting import save_results\nsave_results(report='slow', "
        "area=area, parameters={'area': area}, synthetic=False, "
        "headline={'label': 'x', 'estimate': 1.0})",
    )  # fmt: skip


def _manifest(run_dir):
    return json.loads((run_dir / "manifest.json").read_text())


def _cli(notebook, out, *extra):
    args = ["report", "--notebook", str(notebook), "--out", str(out), "--run", "r"]
    return [*args, *(a for area in AREAS for a in ("--la", area)), *extra]


def test_killing_a_batch_half_way_and_rerunning_finishes_only_the_rest(slow_notebook, tmp_path):
    command = [sys.executable, "-m", "partnership_eval.cli", *_cli(slow_notebook, tmp_path)]
    proc = subprocess.Popen([*command, "--workers", "1"], stderr=subprocess.DEVNULL)
    run_dir = tmp_path / "r"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            done = len(_manifest(run_dir)["reports"])
        except (OSError, ValueError, KeyError):
            done = 0
        if done >= 2:
            break
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)  # no chance to tidy up: the manifest must suffice
    proc.wait()
    first = {r["slug"]: r for r in _manifest(run_dir)["reports"] if r["status"] == "ok"}
    assert 2 <= len(first) < len(AREAS)
    stamps = {slug: (run_dir / "slow" / f"{slug}.html").stat().st_mtime_ns for slug in first}

    assert main([*_cli(slow_notebook, tmp_path), "--workers", "1"]) == 0
    manifest = _manifest(run_dir)
    assert manifest["state"] == "complete"
    assert [r["status"] for r in manifest["reports"]] == ["ok"] * len(AREAS)
    reused = {r["slug"] for r in manifest["reports"] if r["reused"]}
    assert reused == set(first)
    for slug, stamp in stamps.items():
        assert (run_dir / "slow" / f"{slug}.html").stat().st_mtime_ns == stamp


def test_an_unchanged_rerun_runs_nothing_and_force_runs_everything(ok_notebook, tmp_path):
    first = run_reports([ok_notebook], ["Cumbria", "Devon"], out_dir=tmp_path, run="r")
    again = run_reports([ok_notebook], ["Cumbria", "Devon"], out_dir=tmp_path, run="r")
    assert all(r.reused for r in again.records)
    assert [r.results for r in again.records] == [r.results for r in first.records]
    forced = run_reports([ok_notebook], ["Cumbria", "Devon"], out_dir=tmp_path, run="r", force=True)
    assert not any(r.reused for r in forced.records)


def test_a_changed_parameter_reruns_only_that_notebooks_reports(ok_notebook, tmp_path):
    run_reports([ok_notebook], ["Cumbria"], out_dir=tmp_path, run="r")
    again = run_reports(
        [ok_notebook], ["Cumbria"], parameters={"count": 4}, out_dir=tmp_path, run="r"
    )
    assert not again.records[0].reused
    assert again.records[0].results["headline"]["estimate"] == 44.0


def test_a_report_failing_with_unchanged_inputs_is_kept_failed_and_counted(
    failing_notebook, tmp_path
):
    first = run_reports([failing_notebook], ["Cumbria"], out_dir=tmp_path, run="r")
    again = run_reports([failing_notebook], ["Cumbria"], out_dir=tmp_path, run="r")
    assert again.records[0].reused and again.failed == 1
    assert again.records[0].error == first.records[0].error
