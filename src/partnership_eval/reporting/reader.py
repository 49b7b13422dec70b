"""What a reader sees of a report: findings first, tables in words, figures with alt text.

A notebook shows its results through these instead of bare DataFrames and figures:

* :func:`findings_html` — the "What we found" box that opens the report (sentences come
  from the room's ``findings()``), with the placeholder where :mod:`.render` puts the
  contents list;
* :func:`table_html` — a disclosure-controlled table with its columns in words
  (:mod:`partnership_eval.labels`), all-empty columns dropped and named as "not
  published", long tables sortable and searchable (the page's inline script), and its
  data written as CSV beside the report and linked under it (:func:`save_table`);
* :func:`figure_html` — a figure as an ``<img>`` with alt text, and a link to the CSV
  of its data.

Each returns an :class:`IPython.display.HTML`, so a cell ending with one shows it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from html import escape

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from partnership_eval.disclosure import DISCLOSURE_ATTR
from partnership_eval.errors import InputError
from partnership_eval.labels import column_label, value_label
from partnership_eval.reporting.results import save_table

FINDINGS_ID = "what-we-found"
CONTENTS_MARK = '<nav class="pe-contents" aria-label="Contents"></nav>'
"""Placeholder :func:`partnership_eval.reporting.render.render_html` fills with the contents."""
LONG_TABLE = 15
"""Tables with more rows are sortable and searchable."""
EMPTY = {"", "–", "—", "nan", "None", "<NA>"}


def findings_html(sentences: Sequence[str]) -> HTML:
    """The "What we found" box: three to five plain sentences, then the contents list."""
    if not sentences:
        raise InputError(
            "findings_html: no sentences to show",
            fix="pass the room's findings(), three to five plain sentences",
        )
    body = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    return HTML(
        f'<section class="pe-findings" id="{FINDINGS_ID}"><h2>What we found</h2>'
        f"<ul>{body}</ul></section>{CONTENTS_MARK}"
    )


def _cell(value: object, decimals: int = 1) -> str:
    """A cell of an object column: numbers with thousands separators, codes in words."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{value:,}"
    if isinstance(value, float | np.floating):
        return "–" if not np.isfinite(value) else f"{value:,.{decimals}f}"
    if value is None or value is pd.NA:
        return "–"
    return str(value_label(value))


def _is_empty(column: pd.Series) -> bool:
    return bool(column.isna().all() or column.astype(str).isin(EMPTY).all())


def _csv_link(table: pd.DataFrame, name: str) -> str:
    path = save_table(table, name)
    if path is None:
        return ""
    return (
        f'<p class="pe-download"><a href="{escape(path.name)}" download>Download the data '
        "(CSV)</a></p>"
    )


def table_html(
    table: Styler | pd.DataFrame,
    name: str,
    *,
    caption: str = "",
    empty_reason: str = "no data for this selection",
    decimals: int = 1,
) -> HTML:
    """A published table as the reader sees it (see the module docstring).

    ``table`` is a :func:`~partnership_eval.disclosure.published` Styler or a
    :func:`~partnership_eval.disclosure.suppress` DataFrame; ``name`` names its CSV
    (letters, digits and hyphens); ``decimals`` formats a DataFrame's numbers (a Styler
    keeps its own). Only long tables with one level of row labels are sortable.
    """
    if isinstance(table, pd.DataFrame):
        table = table.copy()  # the row labels are renamed below
    styler = (
        table
        if isinstance(table, Styler)
        else table.style.format(precision=decimals, thousands=",", na_rep="–")
    )
    data = styler.data
    if DISCLOSURE_ATTR not in data.attrs:
        raise InputError(
            f"table {name!r} has not been through disclosure control",
            fix="pass published(table, ...) or suppress(table, ...) from partnership_eval.disclosure",
        )
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    if data.empty:
        return HTML(f'<figure class="pe-tablebox">{cap}<p class="pe-note">None.</p></figure>')
    empty = [c for c in data.columns if _is_empty(data[c])]
    styler.index.names = [column_label(n) for n in styler.index.names]
    labels = [column_label(c) for c in data.columns]
    styler = styler.relabel_index(labels, axis="columns")
    if empty:
        styler = styler.hide(subset=empty, axis="columns")
    for col in data.columns:
        if not pd.api.types.is_float_dtype(data[col]):
            styler = styler.format(lambda v: _cell(v, decimals), subset=[col])
    if data.index.name is not None or not isinstance(data.index, pd.RangeIndex):
        styler = styler.format_index(value_label, axis="index")
    sortable = len(data) > LONG_TABLE and data.index.nlevels == 1
    classes = "pe-table pe-sortable" if sortable else "pe-table"
    html = styler.set_table_attributes(f'class="{classes}"').to_html()
    notes = ""
    if empty:
        names = ", ".join(str(column_label(c)) for c in empty)
        notes = f'<p class="pe-note">Not published: {escape(names)} ({escape(empty_reason)}).</p>'
    csv = data.drop(columns=empty)
    if not isinstance(csv.index, pd.RangeIndex) or csv.index.name is not None:
        csv = csv.reset_index()
    csv = csv.rename(columns=column_label).map(value_label)
    csv.attrs = {DISCLOSURE_ATTR: data.attrs[DISCLOSURE_ATTR]}
    return HTML(f'<figure class="pe-tablebox">{cap}{html}{notes}{_csv_link(csv, name)}</figure>')


def describe(fig: Figure) -> str:
    """Alt text read off a figure: each panel's title, axes and the series in its legend."""
    parts = []
    for ax in fig.axes:
        title = ax.get_title() or "A chart"
        y, x = ax.get_ylabel(), ax.get_xlabel()
        text = f"{title}: {y or 'values'}" + (f" against {x}" if x else "")
        legend = ax.get_legend()
        if legend is not None:
            names = [t.get_text() for t in legend.get_texts() if t.get_text()]
            if names:
                text += ", for " + ", ".join(names)
        parts.append(text + ".")
    return " ".join(parts) or "A chart."


def figure_html(
    fig: Figure,
    name: str,
    alt: str | None = None,
    *,
    data: pd.DataFrame | None = None,
    caption: str = "",
) -> HTML:
    """A figure with alt text (``alt``, else :func:`describe`), its PNG embedded, and its
    (suppressed) data as CSV beside it."""
    alt = alt if alt is not None else describe(fig)
    if not alt.strip():
        raise InputError(f"figure {name!r} has no alt text", fix="describe what it shows in alt=")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, metadata={"Software": None})
    src = base64.b64encode(buffer.getvalue()).decode()
    link = ""
    if data is not None:
        csv = data.rename(columns=column_label).map(value_label)
        csv.attrs = dict(data.attrs)
        link = _csv_link(csv, name)
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return HTML(
        f'<figure class="pe-figure"><img alt="{escape(alt)}" '
        f'src="data:image/png;base64,{src}">{cap}{link}</figure>'
    )


def text_html(text: str) -> HTML:
    """Preformatted library text (a summary) as paragraphs, not monospace print output."""
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    return HTML("".join(f'<p class="pe-text">{escape(p)}</p>' for p in paragraphs))
