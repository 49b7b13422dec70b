"""Render an executed notebook as a self-contained HTML report.

Two editions: the policy edition hides code and prompts; the student edition
(``with_code=True``) shows them. Both are single files: CSS is inlined, figures are
embedded as data URIs, and the page template (``templates/report``) drops every script
nbconvert would fetch from a CDN (require.js, MathJax, mermaid, widgets), so opening a
report makes no network request. A header above the notebook shows a banner when the
data are synthetic and the error when the run failed; the contents list (the notebook's
section headings) fills the placeholder after the report's findings
(:func:`partnership_eval.reporting.reader.findings_html`), and the run's parameters close
the page in a collapsed "How this report was made". Long tables get an inline script
that sorts and searches them.
Output depends only on the notebook and these arguments: no timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from html import escape
from pathlib import Path

from nbconvert import HTMLExporter
from nbformat import NotebookNode

from partnership_eval.labels import value_label
from partnership_eval.reporting.reader import FINDINGS_ID

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
        "report": {"synthetic": synthetic, "error": error, "made": made_html(parameters)},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return add_contents(body)


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


PLACEHOLDER = re.compile(r'<nav[^>]*class="pe-contents"[^>]*></nav>')
HEADING = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.S)


def add_contents(body: str) -> str:
    """``body`` with the contents placeholder replaced by links to its section headings."""
    if not PLACEHOLDER.search(body):
        return body
    items = [
        f'<li><a href="#{anchor}">{re.sub(r"<[^>]+>", "", text).strip()}</a></li>'
        for anchor, text in HEADING.findall(body)
        if anchor != FINDINGS_ID
    ]
    items.append('<li><a href="#how-this-report-was-made">How this report was made</a></li>')
    nav = (
        '<nav class="pe-contents" aria-label="Contents"><strong>Contents</strong><ul>'
        + "".join(items)
        + "</ul></nav>"
    )
    return PLACEHOLDER.sub(lambda _: nav, body, count=1)


def _value(value: object) -> str:
    words = value_label(value)
    text = f"<code>{escape(repr(value) if isinstance(value, str) else str(value))}</code>"
    return text + (f" ({escape(str(words))})" if words != value else "")


def made_html(parameters: Mapping[str, object]) -> str:
    """The collapsed "How this report was made": every parameter the report ran with."""
    rows = "".join(
        f"<li><code>{escape(name)}</code> = {_value(value)}</li>"
        for name, value in parameters.items()
    )
    return (
        '<details class="pe-made" id="how-this-report-was-made"><summary>How this report was '
        "made</summary><p>The report is a notebook run with these parameters; run it again "
        "with the same data and parameters (<code>partnership-eval report --notebook ... "
        "-p name=value</code>) to get the same numbers.</p>"
        f"<ul>{rows}</ul></details>"
    )
