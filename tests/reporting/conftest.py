"""Fixtures for the reporting tests: tiny notebooks that need no data, and runs of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnership_eval.cli import main

NOTEBOOKS = Path(__file__).parent / "notebooks"
OK = NOTEBOOKS / "ok_report.ipynb"
FAILING = NOTEBOOKS / "failing_report.ipynb"


@pytest.fixture(scope="session")
def ok_notebook() -> Path:
    """Needs no data: a figure, a table with a 3-pupil cell, headline numbers."""
    return OK


@pytest.fixture(scope="session")
def failing_notebook() -> Path:
    """Prints a line, then raises ValueError in its second code cell."""
    return FAILING


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """`partnership-eval report` on a working and a failing notebook: (run dir, exit code)."""
    out = tmp_path_factory.mktemp("reports")
    code = main(
        [
            "report",
            "--notebook", str(OK),
            "--notebook", str(FAILING),
            "--la", "Cumbria",
            "--out", str(out),
            "--run", "first",
            "--with-code",
        ]
    )  # fmt: skip
    return out / "first", code
