"""The command line around reports: exit codes, one-line errors, --debug anywhere."""

from __future__ import annotations

import pytest

from partnership_eval import cli
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting import runner


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_unwritable_output_is_one_line_with_its_own_exit_code(ok_notebook, capsys):
    code = cli.main(["report", "--notebook", str(ok_notebook), "--out", "/dev/null/x"])
    assert code == cli.EXIT_OS
    line = _error_line(capsys)
    assert line.startswith("partnership-eval: error: Not a directory: /dev/null/x")
    assert "--debug" in line


def test_unexpected_error_is_one_line_suggesting_debug(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(runner, "run_reports", broken)
    assert cli.main(["report"]) == cli.EXIT_INTERNAL
    assert _error_line(capsys) == (
        "partnership-eval: error: unexpected RuntimeError: something broke "
        "(rerun with --debug for the traceback)"
    )


def test_input_error_exit_code_differs_from_failed_report_codes(ok_notebook, capsys):
    code = cli.main(["report", "--notebook", str(ok_notebook), "-p", "count=three"])
    assert code == cli.EXIT_INPUT
    assert code not in range(cli.EXIT_FAILED_REPORTS + 1, cli.EXIT_FAILED_REPORTS + 26)
    assert "parameter 'count' must be int" in _error_line(capsys)


@pytest.mark.parametrize("argv", [["--debug", "report"], ["report", "--debug"]])
def test_debug_before_or_after_the_subcommand_shows_the_traceback(argv, ok_notebook):
    with pytest.raises(PartnershipEvalError, match="must be int"):
        cli.main([*argv, "--notebook", str(ok_notebook), "-p", "count=three"])


def test_exit_codes_are_documented_in_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["batch", "--help"])
    assert "101-125  report/batch: 100 + the number of failed reports" in capsys.readouterr().out


def test_notebooks_dir_option_is_where_names_are_looked_up(ok_notebook, capsys):
    code = cli.main(["report", "--notebooks-dir", str(ok_notebook.parent), "--notebook", "nope"])
    assert code == cli.EXIT_INPUT
    assert "available: failing_report, ok_report" in _error_line(capsys)
