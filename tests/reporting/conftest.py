"""Fixtures for the reporting tests: tiny notebooks that need no data, and runs of them."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from partnership_eval.cli import main
from partnership_eval.data.store import write_table

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


@pytest.fixture(scope="session")
def synthetic_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose (one-school) schools table is marked synthetic."""
    out = tmp_path_factory.mktemp("synthetic")
    school = {
        "urn": 100001, "name": "A School", "la_code": 909, "la_name": "Cumbria",
        "region": "North West", "phase": "Primary", "school_type": "Community school",
        "is_academy": False, "pupils": 50, "rural": True, "urban_rural": "Rural village",
        "fsm_pct": 10.0, "open_date": pd.Timestamp("2000-09-01"), "close_date": pd.NaT,
    }  # fmt: skip
    write_table(pd.DataFrame([school]), "schools", out, synthetic=True)
    return out


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """`partnership-eval report` on a working and a failing notebook: (run dir, exit code).

    ``--data`` names a folder that does not exist, so the run does not depend on any
    data in the working directory (the notebooks declare no ``data_dir``).
    """
    out = tmp_path_factory.mktemp("reports")
    code = main(
        [
            "report",
            "--notebook", str(OK),
            "--notebook", str(FAILING),
            "--la", "Cumbria",
            "--data", str(out / "no-data"),
            "--out", str(out),
            "--run", "first",
            "--with-code",
        ]
    )  # fmt: skip
    return out / "first", code


@pytest.fixture(scope="session")
def write_notebook():
    """``write_notebook(folder, name, parameters, *cells)``: a notebook with a
    ``parameters`` cell and further code cells."""
    return _write_notebook


def _write_notebook(folder: Path, name: str, parameters: str, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "partnership-eval",
        "display_name": "x",
        "language": "python",
    }
    first = nbformat.v4.new_code_cell(parameters)
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first, *(nbformat.v4.new_code_cell(cell) for cell in cells)]
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path
