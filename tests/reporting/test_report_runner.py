import json
import re

import nbformat
import pytest

from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting.execute import check_kernel
from partnership_eval.reporting.runner import run_reports, slugify

SCRIPT_OR_STYLE_URL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def test_run_writes_notebook_html_results_index_and_manifest(cli_run):
    run_dir, _ = cli_run
    for name in ("cumbria.ipynb", "cumbria.html", "cumbria.code.html", "cumbria.results.json"):
        assert (run_dir / "ok_report" / name).is_file()
    assert (run_dir / "index.html").is_file()
    assert (run_dir / "manifest.json").is_file()


def test_results_json_carries_the_notebook_headline(cli_run):
    run_dir, _ = cli_run
    results = json.loads((run_dir / "ok_report" / "cumbria.results.json").read_text())
    assert results["report"] == "ok_report"
    assert results["area"] == "Cumbria"
    assert results["headline"]["estimate"] == 43.0


def test_exit_code_counts_failed_reports(cli_run):
    _, code = cli_run
    assert code == 1


def test_failing_notebook_leaves_partial_notebook_with_its_error(cli_run):
    run_dir, _ = cli_run
    nb = nbformat.read(run_dir / "failing_report" / "cumbria.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any(o.get("text", "").startswith("before the failure") for o in outputs)
    assert any(o.output_type == "error" and o.ename == "ValueError" for o in outputs)


def test_failing_notebook_html_shows_the_error(cli_run):
    run_dir, _ = cli_run
    html = (run_dir / "failing_report" / "cumbria.html").read_text()
    assert "This report failed" in html
    assert "deliberate failure for tests" in html


def test_index_and_manifest_mark_the_failed_report(cli_run):
    run_dir, _ = cli_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    status = {r["notebook"]: r["status"] for r in manifest["reports"]}
    assert status == {"ok_report": "ok", "failing_report": "failed"}
    assert manifest["failed"] == 1
    index = (run_dir / "index.html").read_text()
    assert re.search(r"failing_report.*?class=\"failed\"", index, re.DOTALL)


def test_manifest_records_parameters_versions_and_timings(cli_run):
    run_dir, _ = cli_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    report = manifest["reports"][0]
    assert report["parameters"] == {"area": "Cumbria"}
    assert report["seconds"] > 0
    assert manifest["packages"]["papermill"]
    assert manifest["started"] <= manifest["finished"]


def test_three_pupil_cell_shows_c(cli_run):
    run_dir, _ = cli_run
    html = (run_dir / "ok_report" / "cumbria.html").read_text()
    row = re.search(r"<th>cluster</th>(.*?)</tr>", html, re.DOTALL).group(1)
    assert re.findall(r"<td>(.*?)</td>", row) == ["c", "c"]


def test_policy_edition_hides_code_and_student_edition_shows_it(cli_run):
    run_dir, _ = cli_run
    policy = (run_dir / "ok_report" / "cumbria.html").read_text()
    student = (run_dir / "ok_report" / "cumbria.code.html").read_text()
    assert "save_results" not in policy
    assert "save_results" in student


def test_reports_and_index_request_nothing_from_the_network(cli_run):
    run_dir, _ = cli_run
    pages = sorted(run_dir.rglob("*.html"))
    assert len(pages) == 5
    for page in pages:
        assert not SCRIPT_OR_STYLE_URL.search(page.read_text()), page


def test_figures_are_embedded(cli_run):
    run_dir, _ = cli_run
    html = (run_dir / "ok_report" / "cumbria.html").read_text()
    assert 'src="data:image/png;base64,' in html


def test_two_runs_give_byte_identical_reports(cli_run, ok_notebook, tmp_path):
    run_dir, _ = cli_run
    again = run_reports([ok_notebook], ["Cumbria"], out_dir=tmp_path, run="second", with_code=True)
    for name in ("cumbria.html", "cumbria.code.html", "cumbria.ipynb", "cumbria.results.json"):
        first = (run_dir / "ok_report" / name).read_bytes()
        assert (again.run_dir / "ok_report" / name).read_bytes() == first, name


def test_unknown_area_fails_before_anything_runs(failing_notebook, tmp_path):
    with pytest.raises(PartnershipEvalError, match="unknown area 'Atlantis'"):
        run_reports([failing_notebook], ["Atlantis"], out_dir=tmp_path, run="x")
    assert not (tmp_path / "x").exists()


def test_unknown_notebook_lists_the_available_ones(ok_notebook, tmp_path):
    with pytest.raises(PartnershipEvalError, match="available: failing_report, ok_report"):
        run_reports(["nope"], notebooks_dir=ok_notebook.parent, out_dir=tmp_path)


def test_missing_data_directory_is_a_clear_error(ok_notebook, tmp_path):
    nb = nbformat.read(ok_notebook, as_version=4)
    nb.cells[0].source += '\ndata_dir: str = ""  # data'
    path = tmp_path / "with_data.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(PartnershipEvalError, match="no canonical tables"):
        run_reports([path], data_dir=tmp_path / "empty", out_dir=tmp_path)


def test_unregistered_kernel_is_a_clear_error():
    with pytest.raises(PartnershipEvalError, match="ipykernel install --sys-prefix --name nope"):
        check_kernel("nope")


def test_area_slugs_are_file_names():
    assert slugify("Herefordshire, County of") == "herefordshire-county-of"
    assert slugify("South West") == "south-west"
