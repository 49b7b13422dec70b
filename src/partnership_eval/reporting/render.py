"""Render an executed notebook as a self-contained HTML report.

Two editions: the policy edition hides code and prompts; the student edition
(``with_code=True``) shows them. Both are single files: CSS is inlined, figures are
embedded as data URIs, and the page template (``templates/report``) drops every script
nbconvert would fetch from a CDN (require.js, MathJax, mermaid, widgets), so opening a
report makes no network request. A header above the notebook shows the run's
parameters, a banner when the data are synthetic, and the error when the run failed.
Output depends only on the notebook and these arguments: no timestamps.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from nbconvert import HTMLExporter
from nbformat import NotebookNode

TEMPLATES = Path(__file__).parent / "templates"


def render_html(
    nb: NotebookNode,
    *,
    title: str,
    parameters: Mapping[str, object],
    synthetic: bool,
    error: str | None = None,
    with_code: bool = False,
) -> str:
    """The report page for an executed notebook.

    Parameters
    ----------
    nb
        Executed (possibly partially executed) notebook.
    title
        Page title, e.g. ``"00_overview · Cumbria"``.
    parameters
        Parameter values shown in the header.
    synthetic
        Show the synthetic-demonstration-data banner.
    error
        The failure, shown in a banner, when the notebook did not run to the end.
    with_code
        Student edition (code shown) instead of the policy edition.
    """
    exporter = _exporter(with_code)
    resources = {
        "metadata": {"name": title},
        "report": {"synthetic": synthetic, "error": error, "parameters": dict(parameters)},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


@lru_cache(maxsize=2)
def _exporter(with_code: bool) -> HTMLExporter:
    """One exporter per edition and process: compiling the templates costs about 0.3 s,
    more than the rest of rendering a report."""
    return HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=not with_code,
        exclude_input_prompt=not with_code,
        exclude_output_prompt=not with_code,
        embed_images=True,
    )
