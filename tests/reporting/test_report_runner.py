import hashlib
import json
import re

import nbformat
import pytest

from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting.execute import check_kernel
from partnership_eval.reporting.runner import (
    ReportRequest,
    find_notebooks_dir,
    run_batch,
    run_reports,
    slugify,
)

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


def test_exit_code_is_100_plus_the_number_of_failed_reports(cli_run):
    _, code = cli_run
    assert code == 101


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
    assert report["seconds"] > 0
    assert manifest["packages"]["papermill"]
    assert manifest["started"] <= manifest["finished"]


def test_manifest_records_every_parameter_including_defaults(cli_run):
    run_dir, _ = cli_run
    report = json.loads((run_dir / "manifest.json").read_text())["reports"][0]
    assert report["parameters"] == {"area": "Cumbria", "count": 3}


def test_manifest_records_the_notebook_hash_and_git_commit(cli_run, ok_notebook):
    run_dir, _ = cli_run
    report = json.loads((run_dir / "manifest.json").read_text())["reports"][0]
    assert report["notebook_sha256"] == hashlib.sha256(ok_notebook.read_bytes()).hexdigest()
    assert report["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", report["git_commit"])


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


@pytest.fixture(scope="module")
def reused_run(tmp_path_factory, ok_notebook, synthetic_data_dir):
    """ok_report given synthetic data it does not declare, into a folder an earlier run
    left files in: (run result, the earlier run's leftovers, a file of the user's)."""
    out = tmp_path_factory.mktemp("reused")
    folder = out / "again" / "ok_report"
    folder.mkdir(parents=True)
    stale = [folder / "devon.html", folder / "devon.results.json", folder / "devon.ipynb"]
    for path in stale:
        path.write_text("from an earlier run")
    own = folder / "notes.txt"
    own.write_text("mine")
    result = run_reports(
        [ok_notebook], ["Cumbria"], data_dir=synthetic_data_dir, out_dir=out, run="again",
        with_code=True,
    )  # fmt: skip
    return result, stale, own


def test_data_a_notebook_does_not_declare_leaves_its_report_unchanged(cli_run, reused_run):
    run_dir, _ = cli_run  # run without data
    result, _, _ = reused_run  # run with synthetic data the notebook does not read
    for name in ("cumbria.html", "cumbria.code.html", "cumbria.ipynb", "cumbria.results.json"):
        first = (run_dir / "ok_report" / name).read_bytes()
        assert (result.run_dir / "ok_report" / name).read_bytes() == first, name


def test_data_a_notebook_does_not_declare_gives_no_banner_and_no_hashes(reused_run):
    result, _, _ = reused_run
    assert (
        "Synthetic demonstration data"
        not in (result.run_dir / "ok_report" / "cumbria.html").read_text()
    )
    manifest = json.loads(result.manifest.read_text())
    assert manifest["data_dir"] is None and manifest["data_hashes"] == {}


def test_reused_run_folder_keeps_only_what_its_index_lists(reused_run):
    result, stale, own = reused_run
    assert not any(path.exists() for path in stale)
    assert own.read_text() == "mine"  # not a file the runner writes


def test_notebook_declaring_data_gets_banner_and_hashes_without_the_path_in_its_header(
    ok_notebook, synthetic_data_dir, tmp_path
):
    nb = nbformat.read(ok_notebook, as_version=4)
    nb.cells[0].source += '\ndata_dir: str = ""  # data'
    path = tmp_path / "with_data.ipynb"
    nbformat.write(nb, path)
    result = run_reports([path], ["Cumbria"], data_dir=synthetic_data_dir, out_dir=tmp_path)
    page = (result.run_dir / "with_data" / "cumbria.html").read_text()
    assert "Synthetic demonstration data" in page
    assert "data_dir" not in page
    manifest = json.loads(result.manifest.read_text())
    assert set(manifest["data_hashes"]) == {"schools.parquet"}
    assert "data_dir" in manifest["reports"][0]["parameters"]


def test_unknown_area_fails_before_anything_runs(failing_notebook, tmp_path):
    with pytest.raises(PartnershipEvalError, match="unknown area 'Atlantis'"):
        run_reports([failing_notebook], ["Atlantis"], out_dir=tmp_path, run="x")
    assert not (tmp_path / "x").exists()


def test_unknown_area_given_as_a_parameter_fails_before_anything_runs(failing_notebook, tmp_path):
    with pytest.raises(PartnershipEvalError, match="unknown area 'Atlantis'"):
        run_reports([failing_notebook], parameters={"area": "Atlantis"}, out_dir=tmp_path, run="x")
    assert not (tmp_path / "x").exists()


def test_area_codes_are_reports_titled_by_the_area_name(ok_notebook, tmp_path):
    requests = [ReportRequest(ok_notebook, ("909",)), ReportRequest(ok_notebook, ("Cumbria",))]
    with pytest.raises(PartnershipEvalError, match="'ok_report · Cumbria' is requested twice"):
        run_batch(requests, out_dir=tmp_path, run="dup")


def test_notebooks_are_found_from_below_the_project_root(ok_notebook):
    root = ok_notebook.parents[3]
    assert find_notebooks_dir(root / "src" / "partnership_eval") == root / "notebooks"


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


def test_a_school_notebook_is_named_by_its_urn_and_an_area_by_its_slug():
    from partnership_eval.reporting.runner import report_slug

    assert report_slug(None, {"urn": 118076}) == "urn-118076"
    assert report_slug("Isle of Wight", {"urn": 118076}) == "isle-of-wight"
    assert report_slug(None, {"urn": 0}) == "report"
    assert report_slug(None, {}) == "report"
