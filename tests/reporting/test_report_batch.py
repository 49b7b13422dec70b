"""Report sets: several notebooks, each with its own areas and parameters, in one run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partnership_eval.cli import main
from partnership_eval.data.geography import resolve_las
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting.reportset import ReportRequest, read_report_set
from partnership_eval.reporting.runner import run_batch

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path, text):
    path = tmp_path / "set.toml"
    path.write_text(text)
    return path


def test_report_set_lists_notebooks_areas_and_parameters(tmp_path, ok_notebook):
    path = _write(
        tmp_path,
        f'[[report]]\nnotebook = "{ok_notebook}"\nareas = ["Cumbria", 909]\n'
        "[report.parameters]\nthreshold = 3\n"
        '[[report]]\nnotebook = "00_overview"\n',
    )
    requests = read_report_set(path).requests
    assert requests[0] == ReportRequest(str(ok_notebook), ("Cumbria", "909"), {"threshold": 3})
    assert requests[1] == ReportRequest("00_overview", (), {})


def test_report_set_with_an_unknown_key_names_the_entry(tmp_path):
    path = _write(tmp_path, '[[report]]\nnotebook = "00_overview"\narea = "Devon"\n')
    with pytest.raises(PartnershipEvalError, match=r"report 1: unknown key\(s\) \['area'\]"):
        read_report_set(path)


def test_report_set_without_reports_says_what_to_write(tmp_path):
    with pytest.raises(PartnershipEvalError, match=r"no \[\[report\]\] entries"):
        read_report_set(_write(tmp_path, "title = 'x'\n"))


def test_invalid_toml_names_the_file(tmp_path):
    path = _write(tmp_path, "[[report]\n")
    with pytest.raises(PartnershipEvalError, match="set.toml: not valid TOML"):
        read_report_set(path)


def test_the_same_report_twice_is_refused_before_anything_runs(tmp_path, ok_notebook):
    requests = [ReportRequest(ok_notebook, ("Devon",)), ReportRequest(ok_notebook, ("devon",))]
    with pytest.raises(PartnershipEvalError, match="requested twice"):
        run_batch(requests, out_dir=tmp_path, run="dup")
    assert not (tmp_path / "dup").exists()


def test_batch_runs_every_request_into_one_index_and_counts_failures(
    tmp_path, ok_notebook, failing_notebook
):
    path = _write(
        tmp_path,
        f'[[report]]\nnotebook = "{ok_notebook}"\nareas = ["Devon", "Norfolk"]\n'
        f'[[report]]\nnotebook = "{failing_notebook}"\nareas = ["Devon"]\n',
    )
    code = main(["batch", str(path), "--out", str(tmp_path), "--run", "set"])
    manifest = json.loads((tmp_path / "set" / "manifest.json").read_text())
    statuses = sorted((r["notebook"], r["area"], r["status"]) for r in manifest["reports"])
    assert code == 101
    assert statuses == [
        ("failing_report", "Devon", "failed"),
        ("ok_report", "Devon", "ok"),
        ("ok_report", "Norfolk", "ok"),
    ]


def test_the_demo_report_set_names_existing_notebooks_and_areas():
    notebooks = ROOT / "notebooks"
    requests = read_report_set(notebooks / "demo_reports.toml").requests
    assert requests
    for request in requests:
        assert (notebooks / f"{request.notebook}.ipynb").is_file(), request.notebook
        resolve_las([a for a in request.areas if a.lower() != "england"])
