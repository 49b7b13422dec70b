import nbformat

from partnership_eval.reporting.execute import normalise_notebook
from partnership_eval.reporting.reader import findings_html
from partnership_eval.reporting.render import render_html


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Title", id="title"))
    cell = nbformat.v4.new_code_cell("print('hi')", id="code")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    nb.cells.append(cell)
    return nb


def test_synthetic_banner_only_for_synthetic_data():
    kwargs = {"title": "t", "parameters": {"area": "Devon"}}
    assert "Synthetic demonstration data" in render_html(_notebook(), synthetic=True, **kwargs)
    assert "Synthetic demonstration data" not in render_html(_notebook(), synthetic=False, **kwargs)


def test_parameters_close_the_page_in_how_this_report_was_made():
    html = render_html(
        _notebook(),
        title="t",
        parameters={"area": "Devon", "outcome": "read_prog"},
        synthetic=False,
    )
    made = html.index('<details class="pe-made"')
    assert html.index("hi") < made
    assert "<code>area</code> = <code>'Devon'</code>" in html[made:]
    assert "<code>'read_prog'</code> (reading progress score)" in html[made:]


def test_findings_are_followed_by_a_contents_list_of_the_sections():
    nb = _notebook()
    box = nbformat.v4.new_code_cell("findings", id="findings")
    box.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": findings_html(["One.", "Two.", "Three."]).data}
        )
    ]
    nb.cells.insert(1, box)
    nb.cells.append(nbformat.v4.new_markdown_cell("## The estimate", id="estimate"))
    html = render_html(nb, title="t", parameters={}, synthetic=False)
    contents = html[html.index('aria-label="Contents"') :]
    assert '<a href="#The-estimate">The estimate</a>' in contents
    assert '<a href="#how-this-report-was-made">' in contents
    assert html.index("What we found") < html.index('aria-label="Contents"')


def test_page_has_no_script_loaded_from_elsewhere():
    html = render_html(_notebook(), title="t", parameters={}, synthetic=False, with_code=True)
    assert "require.js" not in html and "MathJax" not in html and "<script src" not in html


def test_normalising_drops_timing_and_gives_added_cells_stable_ids():
    nb = _notebook()
    injected = nbformat.v4.new_code_cell("area = 'Devon'")
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(1, injected)
    nb.metadata["papermill"] = {"start_time": "2024-01-01", "parameters": {"area": "Devon"}}
    nb.cells[2].metadata["papermill"] = {"duration": 1.2, "status": "completed"}
    nb.cells[2].metadata["execution"] = {"iopub.status.busy": "2024-01-01"}
    nb = normalise_notebook(nb, source_ids={"title", "code"})
    assert [c.id for c in nb.cells] == ["title", "injected-parameters-1", "code"]
    assert nb.metadata["papermill"] == {"parameters": {"area": "Devon"}}
    assert nb.cells[2].metadata == {"papermill": {"status": "completed"}}
