"""Runs that never look complete when they are not, and errors that name the thing."""

from __future__ import annotations

import json
import shutil

import pytest

from partnership_eval import cli
from partnership_eval.errors import InputError, PartnershipEvalError
from partnership_eval.reporting.lock import RunLockedError, run_lock
from partnership_eval.reporting.parameters import ParameterError
from partnership_eval.reporting.reportset import read_report_set
from partnership_eval.reporting.runner import run_reports


def _set(tmp_path, content: bytes | str):
    path = tmp_path / "set.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_a_second_run_into_a_folder_in_use_is_refused_naming_the_holder(ok_notebook, tmp_path):
    busy = pytest.raises(RunLockedError, match=r"busy: run folder in use by process \d+")
    with run_lock(tmp_path / "busy"), busy:
        run_reports([ok_notebook], ["Cumbria"], out_dir=tmp_path, run="busy")
    assert not (tmp_path / "busy" / "index.html").exists()


def test_the_lock_is_released_when_the_run_ends(tmp_path):
    with run_lock(tmp_path / "r"):
        pass
    with run_lock(tmp_path / "r"):
        assert (tmp_path / "r" / ".lock").exists()
    assert not (tmp_path / "r" / ".lock").exists()


def test_report_set_with_a_non_utf8_byte_names_the_file_line_and_fix(tmp_path):
    path = _set(
        tmp_path, b'[[report]]\nnotebook = "00_overview"\nareas = ["Bury St Edmunds \xe9"]\n'
    )
    with pytest.raises(
        InputError, match=r"set.toml: not UTF-8 text \(byte 0xe9 on line 3\).*UTF-8"
    ):
        read_report_set(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("notebook = 3", r"report 1: key 'notebook' must be text, got a whole number 3"),
        ('notebook = "x"\nareas = {a = 1}', r"report 1: key 'areas' must be a list, got a table"),
        ('notebook = "x"\nparameters = "kind=mat"', r"key 'parameters' must be a table"),
        ('notebook = "x"\nareas = [true]', r"key 'areas' holds True"),
        (
            'notebook = "x"\nby = "county"',
            r"key 'by' is 'county'; choose one of la, region, school",
        ),
    ],
)
def test_report_set_values_of_the_wrong_type_name_the_report_and_key(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_report_set(_set(tmp_path, f"[[report]]\n{text}\n"))


def test_report_set_run_options_are_checked(tmp_path):
    path = _set(tmp_path, 'workers = "two"\n[[report]]\nnotebook = "x"\n')
    with pytest.raises(InputError, match="key 'workers' must be a whole number"):
        read_report_set(path)


def test_a_notebook_that_is_not_json_is_named_before_anything_runs(tmp_path, capsys):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ this is not a notebook")
    code = cli.main(["report", "--notebook", str(broken), "--out", str(tmp_path), "--run", "x"])
    assert code == cli.EXIT_INPUT
    err = capsys.readouterr().err
    assert "broken.ipynb: not a notebook" in err and "jupytext --to ipynb" in err
    assert not (tmp_path / "x").exists()


def test_a_truncated_parquet_under_data_is_named_before_a_kernel_starts(
    tmp_path, synthetic_data_dir, write_notebook
):
    data = tmp_path / "data"
    shutil.copytree(synthetic_data_dir, data)
    schools = data / "schools.parquet"
    schools.write_bytes(schools.read_bytes()[:-40])
    notebook = write_notebook(tmp_path, "reads", 'data_dir: str = ""  # data', "print(1)")
    with pytest.raises(
        InputError, match=r"schools.parquet: not a readable parquet file.*demo-data"
    ):
        run_reports([notebook], data_dir=data, out_dir=tmp_path, run="x")
    assert not (tmp_path / "x").exists()


def test_an_la_name_close_to_a_real_one_gets_did_you_mean(ok_notebook, tmp_path):
    with pytest.raises(PartnershipEvalError, match="did you mean 'Cumbria'"):
        run_reports([ok_notebook], ["Cumbira"], out_dir=tmp_path, run="x")


def test_an_unknown_partnership_kind_is_refused_before_a_kernel_starts(tmp_path, write_notebook):
    notebook = write_notebook(tmp_path, "kinds", 'kind: str = "cluster"  # kind', "print(kind)")
    with pytest.raises(ParameterError, match="unknown partnership kind 'mats'; did you mean 'mat'"):
        run_reports([notebook], parameters={"kind": "mats"}, out_dir=tmp_path, run="x")
    assert not (tmp_path / "x").exists()


def test_sigterm_during_a_run_marks_it_interrupted_with_its_own_exit_code(tmp_path, write_notebook):
    notebook = write_notebook(
        tmp_path, "slow", 'area: str = "Cumbria"  # area', "import os, signal, time",
        "if area == 'Devon':\n    os.kill(os.getppid(), signal.SIGTERM)\n    time.sleep(30)",
    )  # fmt: skip
    code = cli.main(
        ["report", "--notebook", str(notebook), "--la", "Cumbria", "--la", "Devon",
         "--la", "Norfolk", "--out", str(tmp_path), "--run", "r", "--workers", "1"]
    )  # fmt: skip
    assert code == cli.EXIT_INTERRUPTED
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["state"] == "interrupted"
    assert [r["status"] for r in manifest["reports"]] == ["ok", "interrupted", "interrupted"]
    assert "Run interrupted: 2 of 3" in (tmp_path / "r" / "index.html").read_text()


def test_exit_codes_in_help_include_interrupted(capsys):
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    assert "130      interrupted (Ctrl-C or SIGTERM)" in capsys.readouterr().out
