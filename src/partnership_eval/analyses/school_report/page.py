"""The school report as page parts: plain sentences, HTML blocks, print CSS, figures with alt text.

The notebook shows :func:`page_style` once (the print hook: an A4 page holding only the
one-page summary), then :func:`summary_html` (the printable page, marked
``pe-print``), then the fuller web view (:func:`results_section`,
:func:`measure_section`, :func:`similar_section`, :func:`table_html`). The words come
from :mod:`.narrative`.

Print hook: in print, every notebook cell without a ``.pe-print`` element is hidden
(``.jp-Cell:not(:has(.pe-print))``), as is the parameters line, so the printout is
the summary page alone; on screen everything shows.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence

import pandas as pd

from partnership_eval.analyses.school_report.attainment import SCHOOL, SIMILAR
from partnership_eval.analyses.school_report.narrative import (
    Paragraph,
    page_paragraphs,
    sources,
)
from partnership_eval.analyses.school_report.report import SchoolReport
from partnership_eval.analyses.school_report.tables import results_table, similar_table
from partnership_eval.analyses.school_report.wording import LIMITS, TERMS, pct_words, year_words
from partnership_eval.plots import new_axes

INK, PAPER = "#1a1a1a", "#ffffff"
CAUTION_INK, CAUTION_PAPER = "#5c4300", "#fff4ce"
BOX_INK, BOX_PAPER = "#0b2a4a", "#e8f1fa"
MUTED = "#4d4d4d"
SUMMARY_FIGSIZE = (6.0, 3.4)
COLOUR_PAIRS = {
    "text": (INK, PAPER),
    "caution": (CAUTION_INK, CAUTION_PAPER),
    "box": (BOX_INK, BOX_PAPER),
    "source notes": (MUTED, PAPER),
}
"""Foreground and background of every text style on the page (tests check contrast)."""

PAGE_CSS = f"""
.pe-school {{ color: {INK}; background: {PAPER}; font-size: 1rem; line-height: 1.45; max-width: 60em; }}
.pe-school h1 {{ font-size: 1.6rem; margin: 0.2em 0; }}
.pe-school h2 {{ font-size: 1.2rem; margin: 0.8em 0 0.3em; }}
.pe-school h3 {{ font-size: 1.05rem; margin: 0.6em 0 0.2em; }}
.pe-caution {{ color: {CAUTION_INK}; background: {CAUTION_PAPER}; border-left: 5px solid #c99a00; padding: 0.4em 0.8em; }}
.pe-box {{ color: {BOX_INK}; background: {BOX_PAPER}; border: 2px solid {BOX_INK}; padding: 0.4em 0.9em; border-radius: 4px; }}
.pe-source {{ color: {MUTED}; font-size: 0.85em; }}
.pe-school figure {{ margin: 0.4em 0; }}
.pe-school figure img {{ max-width: 100%; height: auto; }}
.pe-columns {{ display: flex; gap: 1.5em; flex-wrap: wrap; }}
.pe-columns > div {{ flex: 1 1 20em; }}
@page {{ size: A4; margin: 12mm; }}
@media print {{
  .jp-Cell:not(:has(.pe-print)) {{ display: none !important; }}
  .jp-OutputArea-child:has(.pe-print) {{ break-inside: auto; }}
  body, .jp-Notebook, .jp-Cell {{ padding: 0 !important; margin: 0 !important; }}
  .pe-params {{ display: none; }}
  .pe-school {{ font-size: 9pt; line-height: 1.25; max-width: none; }}
  .pe-school h1 {{ font-size: 15pt; }}
  .pe-school h2 {{ font-size: 11pt; margin-top: 0.5em; }}
  .pe-school figure img {{ max-height: 60mm; }}
  .pe-school p {{ margin: 0.2em 0; }}
  .pe-box ul {{ columns: 2; margin: 0.2em 0; }}
  .pe-synthetic {{ padding: 0.2em 0.5em; margin: 0; }}
  .pe-box, .pe-caution {{ break-inside: avoid; }}
  .pe-web-only {{ display: none; }}
}}
"""


def page_style() -> str:
    """The page's CSS as a ``<style>`` element (screen and A4 print)."""
    return f"<style>{PAGE_CSS}</style>"


def _p(*sentences: str, cls: str = "") -> str:
    text = " ".join(s for s in sentences if s)
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{html.escape(text)}</p>" if text else ""


def _paragraphs(paragraphs: Iterable[Paragraph]) -> str:
    return "".join(_p(*sentences, cls=cls) for cls, sentences in paragraphs)


def figure_html(fig, alt: str, caption: str = "") -> str:
    """A figure as an ``<img>`` with alt text (and a caption), the PNG embedded."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode()
    cap = f"<figcaption class='pe-source'>{html.escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">{cap}</figure>'
    )


def section_html(
    title: str, paragraphs: Iterable[Paragraph], *, level: int = 2, source: str = "", cls: str = ""
) -> str:
    """A titled block of paragraphs (a source note under it when given)."""
    body = _paragraphs(paragraphs)
    note = _p(f"Source: {source}.", cls="pe-source") if source else ""
    return (
        f'<section class="pe-school {cls}"><h{level}>{html.escape(title)}</h{level}>'
        f"{body}{note}</section>"
    )


def limits_html(level: int = 2) -> str:
    """The "what these numbers can't tell you" box."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in LIMITS)
    return (
        f'<div class="pe-box" role="note"><h{level}>What these numbers can\'t tell you'
        f"</h{level}><ul>{items}</ul></div>"
    )


def chart_alt(report: SchoolReport) -> str:
    """Alt text of the results chart: what it shows and the latest numbers."""
    school = report.latest()
    years = sorted(report.results.loc[report.results["group"] == SCHOOL, "year"])
    if school is None or not years:
        return "No KS2 results to chart."
    text = (
        f"Line chart of the share of pupils meeting the expected standard, "
        f"{year_words(years[0])} to {year_words(years[-1])}, for this school and "
        "comparison groups."
    )
    if pd.notna(school["pct"]):
        text += f" In {year_words(report.spec.year)} the school had {pct_words(school['pct'])}"
        similar = report.latest(SIMILAR)
        if similar is not None and pd.notna(similar["pct"]):
            text += f" and similar schools {pct_words(similar['pct'])}"
        text += "."
    return text


def summary_html(report: SchoolReport, *, synthetic: bool) -> str:
    """The one printable page: the school, its latest results, inspections, partnerships,
    the limits box and the sources."""
    src = sources(report, synthetic)
    text = page_paragraphs(report)
    chart = (
        figure_html(report.plot(new_axes(SUMMARY_FIGSIZE)).figure, chart_alt(report))
        if report.has_results
        else ""
    )
    year = year_words(report.spec.year)
    name = html.escape(report.profile.name)
    rows = report.results.loc[report.results["group"] == SCHOOL, "year"]
    upto = f", with results up to {year_words(int(rows.max()))}" if len(rows) else ""
    return "".join(
        [
            f'<div class="pe-school pe-print"><h1>{name}: a guide for parents{upto}</h1>',
            section_html("About the school", text["about"], source=src["school"]),
            '<div class="pe-columns"><div>',
            section_html(
                f"Test results at the end of primary school, {year}",
                text["results"],
                source=f"{src['results']}; similar schools chosen by us from these data",
            ),
            f"</div><div>{chart}",
            section_html("How we chose similar schools", text["similar"]),
            section_html("Inspections", text["inspections"], source=src["inspections"]),
            section_html("Partnerships", text["partnerships"], source=src["partnerships"]),
            "</div></div>",
            limits_html(),
            "</div>",
        ]
    )


def table_html(table: pd.DataFrame, caption: str) -> str:
    """A table with a caption (tables are read by screen readers by their captions)."""
    body = table.to_html(index=False, border=0, na_rep="—")
    opening = body.index(">") + 1  # after the opening <table ...> tag
    return f"{body[:opening]}<caption>{html.escape(caption)}</caption>{body[opening:]}"


def explained(terms: Sequence[str]) -> str:
    """A definition list of terms (the glossary of the web view)."""
    items = "".join(f"<dt>{html.escape(t)}</dt><dd>{html.escape(TERMS[t])}</dd>" for t in terms)
    return f'<section class="pe-school"><h2>What the words mean</h2><dl>{items}</dl></section>'


def _note(text: str) -> str:
    return f'<div class="pe-school">{_p(text)}</div>'


def results_section(report: SchoolReport, synthetic: bool) -> str:
    """Results over time: the chart (with alt text) and the table with likely ranges."""
    if not report.has_results:
        return _note("There are no KS2 results for this school in these data.")
    src = sources(report, synthetic)["results"]
    chart = figure_html(
        report.plot().figure,
        chart_alt(report),
        f"Source: {src}. Bars show the school's likely range.",
    )
    return f'<div class="pe-school">{chart}</div>' + table_html(
        results_table(report),
        f"KS2 reading, writing and maths by year. Source: {src}. "
        "c = not published to protect pupils' privacy.",
    )


def measure_section(
    rows: pd.DataFrame | None, table: pd.DataFrame | None, what: str, caption: str, term: str
) -> str:
    """A measure's explanation and table, or a sentence saying it is not in the data."""
    explain = _p(TERMS[term])
    if rows is None or table is None or rows["value"].isna().all():
        return f'<div class="pe-school">{explain}{_p(f"{what} is not in these data.")}</div>'
    return f'<div class="pe-school">{explain}</div>' + table_html(table, caption)


def similar_section(report: SchoolReport) -> str:
    """How the similar schools were chosen, and the list of them."""
    if report.similar is None:
        return _note(
            "Similar schools could not be chosen: the school has no KS2 results or "
            "its size, setting and past results are not published in these data."
        )
    text = _p(
        TERMS["similar schools"],
        report.similar.method_sentence(),
        "This is the same idea as the Department for Education's own similar schools. "
        "Alike schools can still differ in ways the data do not show.",
    )
    return f'<div class="pe-school">{text}</div>' + table_html(
        similar_table(report), "The similar schools, closest first. Source: GIAS and DfE."
    )
