"""Every notebook in notebooks/: stored clean, paired with its py:percent text, and checked."""

import json
from pathlib import Path

import jupytext
import nbformat
import pytest

from partnership_eval.reporting.parameters import notebook_parameters
from partnership_eval.reporting.runner import run_reports

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
each_notebook = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def test_there_are_notebooks():
    assert NOTEBOOKS


@each_notebook
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: clear the outputs of cells {dirty}"


@each_notebook
def test_jupytext_pair_is_in_sync(path):
    pair = path.with_suffix(".py")
    assert pair.exists(), f"pair {path.name} with `jupytext --set-formats ipynb,py:percent`"
    expected = jupytext.writes(nbformat.read(path, as_version=4), fmt="py:percent")
    assert pair.read_text() == expected, f"run `jupytext --sync {pair.relative_to(ROOT)}`"


@each_notebook
def test_notebook_declares_typed_parameters_including_data_dir(path):
    assert "data_dir" in notebook_parameters(path)


# Where each notebook is run on small synthetic data and its results.json checked (its
# headline against the planted truth, or a hand count, where there is one). This replaces
# an nbval run that checked no output; a new notebook must say here where it is checked.
HEADLINE_CHECKED = {
    "00_overview": "test_notebooks.py::test_overview_runs_with_non_default_parameters",
    "01_cluster_impact": "test_end_to_end.py::test_headline_estimate_is_within_3_5_se_of_the_planted_truth",
    "02_chain_growth": "test_end_to_end.py::test_headline_estimate_is_within_3_5_se_of_the_planted_truth",
    "03_inspection_transitions": "test_end_to_end.py::test_inspection_report_headline_matches_its_tables",
    "04_performance_clinic": "analyses/test_clinic_notebook.py::test_headline_is_the_share_of_schools_red_or_amber",
    "05_school_report": "test_notebooks.py::test_school_report_results_carry_the_school_the_group_and_the_range",
    "06_area_network": "test_notebooks.py::test_area_network_headline_holds_the_planted_effect",
    "07_peer_review": "test_notebooks.py::test_peer_review_report_names_the_planted_blind_spot",
    "90_methods_primer": "test_notebooks.py::test_methods_primer_renders_with_code_and_every_lesson_holds",
}


@each_notebook
def test_notebook_results_are_checked_by_a_test(path):
    assert path.stem in HEADLINE_CHECKED, (
        f"{path.name}: add a test that renders it on small data and checks its results.json "
        "headline, and name it in HEADLINE_CHECKED"
    )
    where, test = HEADLINE_CHECKED[path.stem].split("::")
    assert f"def {test}(" in (ROOT / "tests" / where).read_text(), HEADLINE_CHECKED[path.stem]


def test_overview_runs_with_non_default_parameters(small_data_dir, tmp_path):
    result = run_reports(
        ["00_overview"],
        ["879"],  # Plymouth's LA code
        data_dir=small_data_dir,
        out_dir=tmp_path,
        run="custom",
        parameters={"first_year": 2015, "kinds": ["triad", "collaborative"]},
        notebooks_dir=NOTEBOOK_DIR,
    )
    assert result.failed == 0, result.records[0].error
    results = json.loads((result.run_dir / "00_overview" / "plymouth.results.json").read_text())
    assert results["parameters"]["kinds"] == ["triad", "collaborative"]
    assert results["synthetic"] is True
    assert min(row["year"] for row in results["coverage"]) == 2015
    assert {row["kind"] for row in results["coverage"]} == {
        "triad",
        "collaborative",
        "any partnership",
    }
    html = (result.run_dir / "00_overview" / "plymouth.html").read_text()
    assert "Synthetic demonstration data" in html
    assert "Plymouth: schools, partnerships and KS2 results, 2015 to 2024" in html


def test_peer_review_report_names_the_planted_blind_spot(small_data_dir, tmp_path):
    result = run_reports(
        ["07_peer_review"],
        ["England"],
        data_dir=small_data_dir,
        out_dir=tmp_path,
        run="peer",
        parameters={"n_boot": 199},
        notebooks_dir=NOTEBOOK_DIR,
    )
    assert result.failed == 0, result.records[0].error
    results = json.loads((result.run_dir / "07_peer_review" / "england.results.json").read_text())
    head = results["headline"]
    assert results["blind_spot"] == "leadership"
    assert head["ci_low"] <= head["truth"] <= head["ci_high"]
    html = " ".join((result.run_dir / "07_peer_review" / "england.html").read_text().split())
    assert "agreed between the school and the review team" in html


def test_area_network_headline_holds_the_planted_effect(small_data_dir, tmp_path):
    result = run_reports(
        ["06_area_network"],
        ["Plymouth"],
        data_dir=small_data_dir,
        out_dir=tmp_path,
        run="area",
        notebooks_dir=NOTEBOOK_DIR,
    )
    assert result.failed == 0, result.records[0].error
    results = json.loads((result.run_dir / "06_area_network" / "plymouth.results.json").read_text())
    head = results["headline"]
    assert abs(head["estimate"] - head["truth"]) < 3.5 * head["se"]  # one area: see validation
    assert results["verdict"].startswith("**What this can support: a description")
    html = (result.run_dir / "06_area_network" / "plymouth.html").read_text()
    assert html.index("Verdict") < html.index("Synthetic control")


@pytest.fixture(scope="module")
def school_run(small_data_dir, tmp_path_factory):
    """05_school_report rendered for a small school with a published result under 15 pupils."""
    import pandas as pd

    outcomes = pd.read_parquet(small_data_dir / "outcomes.parquet")
    last = outcomes[outcomes["year"] == outcomes["year"].max()]
    small = last[last["ks2_rwm_exp"].notna() & last["cohort_n"].between(6, 14)]
    urn = int(small["urn"].min())
    result = run_reports(
        ["05_school_report"],
        data_dir=small_data_dir,
        out_dir=tmp_path_factory.mktemp("school"),
        run="school",
        parameters={"urn": urn},
        notebooks_dir=NOTEBOOK_DIR,
    )
    assert result.failed == 0, result.records[0].error
    row = small[small["urn"] == urn].iloc[0]
    return result.run_dir / "05_school_report", urn, row


def test_school_report_is_named_by_the_school(school_run):
    folder, urn, _ = school_run
    assert {p.name for p in folder.iterdir()} == {
        f"urn-{urn}.html",
        f"urn-{urn}.ipynb",
        f"urn-{urn}.results.json",
    }


def test_school_report_results_carry_the_school_the_group_and_the_range(school_run):
    from partnership_eval.analyses.school_report import wilson_interval

    folder, urn, row = school_run
    results = json.loads((folder / f"urn-{urn}.results.json").read_text())
    headline = results["headline"]
    low, high = wilson_interval(row["ks2_rwm_exp"], row["cohort_n"])
    assert headline["estimate"] == pytest.approx(row["ks2_rwm_exp"])
    assert (headline["ci_low"], headline["ci_high"]) == pytest.approx((float(low), float(high)))
    assert headline["n_comparison"] == results["similar_group"]["n_schools"] == 50
    assert results["similar_group"]["estimate"] is not None
    assert "one pupil is" in results["caution"]
    assert results["school"]["urn"] == urn


def test_school_report_html_headings_are_in_order_and_figures_have_alt_text(school_run):
    from bs4 import BeautifulSoup

    folder, urn, _ = school_run
    soup = BeautifulSoup((folder / f"urn-{urn}.html").read_text(), "html.parser")
    levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    images = soup.find_all("img")
    assert images and all(img.get("alt", "").strip() for img in images)
    assert all(t.find("caption") for t in soup.find_all("table"))


def test_methods_primer_renders_with_code_and_every_lesson_holds(small_data_dir, tmp_path):
    result = run_reports(
        ["90_methods_primer"],
        data_dir=small_data_dir,
        out_dir=tmp_path,
        run="primer",
        with_code=True,
        notebooks_dir=NOTEBOOK_DIR,
    )
    assert result.failed == 0, result.records[0].error
    folder = result.run_dir / "90_methods_primer"
    results = json.loads((folder / "report.results.json").read_text())
    head = results["headline"]
    assert head["estimate"] == head["truth"] == 8
    code = (folder / "report.code.html").read_text()
    assert "methods_primer" in code and "Remember:" in code  # the code is shown
    index = (result.run_dir / "index.html").read_text()
    assert "90_methods_primer/report.code.html" in index
