"""``index.html`` of a report run: every report with its status and headline numbers.

A single self-contained landing page (inline CSS and a small inline search script, no
network) grouping the reports by the question they answer, then by area, each with its
first finding in plain words, headline numbers and status, and linking each report's HTML
editions, executed notebook and ``results.json``. It carries no timestamps; the run
manifest records time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from partnership_eval.labels import number
from partnership_eval.reporting.records import ReportRecord

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.4em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #1b6e20; font-weight: 600; }
.failed { color: #b3261e; font-weight: 600; }
.interrupted { color: #8a4b00; font-weight: 600; }
.banner { padding: 0.6em 1em; margin: 0.5em 0 1em; border-radius: 4px; font-weight: 600;
          background: #fff4ce; border: 2px solid #c99a00; color: #5c4300; }
.error { color: #6b0f0a; font-size: 0.9em; }
.caution { color: #8a4b00; font-size: 0.9em; font-weight: 600; }
section.pe-question { margin: 1.5em 0; }
section.pe-question h2 { margin-bottom: 0.2em; }
.about { color: #4d4d4d; margin-top: 0; }
.name { font-size: 0.85em; }
.primer { font-size: 1.1em; background: #e8f1fa; border: 2px solid #0b2a4a; padding: 0.5em 1em; border-radius: 4px; }
td p { margin: 0 0 0.3em; }
.label { color: #4d4d4d; font-size: 0.85em; }
#pe-search { padding: 0.3em 0.5em; width: 22em; max-width: 100%; }
@media print { #pe-search, label[for="pe-search"] { display: none; } }
"""


def _number(value: object, digits: int = 1) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    return number(value, digits) if isinstance(value, float) else f"{value:,}"


FEW_TREATED = 10
"""An estimate (with an interval) resting on fewer treated schools is flagged in the index."""


def _label(record: ReportRecord) -> str:
    """The headline's label, with a caution when it rests on few treated schools."""
    head = (record.results or {}).get("headline") or {}
    label = escape(str(head.get("label", "—")))
    n_treated = head.get("n_treated")
    if (
        head.get("estimate") is not None
        and head.get("ci_low") is not None  # an inferential estimate, not a descriptive share
        and isinstance(n_treated, int)
        and not isinstance(n_treated, bool)
        and n_treated < FEW_TREATED
    ):
        label += (
            f'<br><span class="caution">Caution: rests on only {n_treated} treated '
            "school(s); read it as an anecdote, not an estimate.</span>"
        )
    return label


def _numbers(record: ReportRecord, *, truth: bool) -> str:
    """Table cells: estimate, interval, planted truth (when shown), sample sizes."""
    head = (record.results or {}).get("headline") or {}
    low, high = head.get("ci_low"), head.get("ci_high")
    interval = f"{_number(low)} to {_number(high)}" if low is not None and high is not None else "—"
    sizes = f"{_number(head.get('n_treated'))} / {_number(head.get('n_comparison'))}"
    numbers = [_number(head.get("estimate")), interval]
    numbers += [_number(head.get("truth"))] if truth else []
    return "".join(f'<td class="num">{n}</td>' for n in [*numbers, sizes])


def _links(record: ReportRecord) -> str:
    names = {
        "html": "report",
        "code_html": "with code",
        "ipynb": "notebook",
        "results": "results.json",
    }
    return " · ".join(
        f'<a href="{escape(path.as_posix())}">{names[kind]}</a>'
        for kind, path in record.outputs.items()
        if kind in names
    )


def _summary(records: Sequence[ReportRecord], state: str) -> str:
    failed = sum(r.failed for r in records)
    text = f"{len(records)} report(s), {failed} failed"
    if state == "interrupted":
        stopped = sum(r.interrupted for r in records)
        text = (
            f'<span class="interrupted">Run interrupted: {stopped} of {len(records)} '
            "report(s) not finished</span> (run the same command again to finish them); " + text
        )
    elif state == "running":
        done = sum(r.finished for r in records)
        text = f"Running: {done} of {len(records)} report(s) done so far; {text}"
    return text


QUESTIONS = {
    "00_overview": (
        "What do the area's schools and partnerships look like?",
        "How big and rural the schools are, how many are in partnerships, and their KS2 results.",
    ),
    "01_cluster_impact": (
        "Did joining a partnership raise KS2 results?",
        "The effect of joining, against similar schools that did not join.",
    ),
    "02_chain_growth": (
        "How fast do academy chains grow, and does fast growth hurt?",
        "Chain growth against the US benchmark, and existing schools' results in a year of heavy intake.",
    ),
    "03_inspection_transitions": (
        "Do partnership schools' Ofsted grades improve more often?",
        "How grades move between consecutive inspections, partnership schools against others.",
    ),
    "04_performance_clinic": (
        "Which schools need support now?",
        "Red, amber and green ratings of every school from the area's rules.",
    ),
    "05_school_report": (
        "How is this school doing? (for parents)",
        "One printable page per school, with similar schools beside it.",
    ),
    "06_area_network": (
        "Did an area-wide network change the area's results?",
        "The area against a synthetic comparison and its statistical neighbours.",
    ),
    "07_peer_review": (
        "Do self-reviews and peer reviews agree?",
        "Agreement between the grades schools give themselves and their peers give them.",
    ),
}
"""The question each report answers, and a line on how, for the index."""

PRIMER = "90_methods_primer"

SEARCH = """
<script>
(function () {
  var box = document.getElementById("pe-search");
  box.addEventListener("input", function () {
    var query = box.value.toLowerCase();
    document.querySelectorAll("tr.pe-report").forEach(function (row) {
      row.hidden = query !== "" && row.textContent.toLowerCase().indexOf(query) < 0;
    });
    document.querySelectorAll("section.pe-question").forEach(function (section) {
      section.hidden = !section.querySelector("tr.pe-report:not([hidden])");
    });
  });
})();
</script>
"""


def _headline(record: ReportRecord) -> str:
    """The headline in plain words (the report's first finding), the label beneath."""
    results = record.results or {}
    findings = results.get("findings") or []
    first = f"<p>{escape(str(findings[0]))}</p>" if findings else ""
    return first + (f'<span class="label">{_label(record)}</span>' if first else _label(record))


def _row(record: ReportRecord, synthetic: bool) -> str:
    error = f'<div class="error">{escape(record.error)}</div>' if record.error else ""
    numbers = _numbers(record, truth=synthetic)
    where = record.area or record.slug
    return (
        f'<tr class="pe-report"><td>{escape(where or "—")}</td><td>{_headline(record)}</td>'
        f"{numbers}"
        f'<td><span class="{record.status}">{record.status}</span>{error}</td>'
        f"<td>{_links(record)}</td></tr>"
    )


def render_index(run: str, records: Sequence[ReportRecord], state: str = "complete") -> str:
    """The index page of a run: reports grouped by question, then area, with a search box
    (``state``: ``running``, ``complete`` or ``interrupted``; while running, reports not
    yet finished are left out)."""
    shown = [r for r in records if state != "running" or r.finished]
    synthetic = any((r.results or {}).get("synthetic") for r in records)
    banner = (
        '<div class="banner" role="note">Synthetic demonstration data: reports in this run '
        "use a simulated England with planted effects, not real schools.</div>"
        if synthetic
        else ""
    )
    primer = [r for r in records if r.notebook == PRIMER and "html" in r.outputs]
    # students read the primer with its code: link that edition when the run made it
    primer_page = primer[0].outputs.get("code_html", primer[0].outputs["html"]) if primer else None
    primer_link = (
        f'<p class="primer">New to these methods? Read the <a href="'
        f'{escape(primer_page.as_posix())}">methods primer</a> first.</p>'
        if primer_page is not None
        else ""
    )
    groups: dict[str, list[ReportRecord]] = {}
    for r in sorted(shown, key=lambda r: (r.notebook, r.area or r.slug)):
        if r.notebook != PRIMER:
            groups.setdefault(r.notebook, []).append(r)
    truth = "<th>Planted truth</th>" if synthetic else ""
    sections = []
    for notebook, rows in groups.items():
        question, about = QUESTIONS.get(notebook, (notebook, ""))
        sections.append(
            f'<section class="pe-question"><h2>{escape(question)}</h2>'
            f'<p class="about">{escape(about)} <span class="name">({escape(notebook)})</span></p>'
            "<table><thead><tr><th>Area</th><th>What we found</th><th>Estimate</th>"
            f"<th>Interval</th>{truth}<th>Schools (partnership / comparison)</th>"
            "<th>Status</th><th>Files</th></tr></thead><tbody>"
            + "".join(_row(r, synthetic) for r in rows)
            + "</tbody></table></section>"
        )
    summary = _summary(records, state)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Reports: {escape(run)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>Reports: {escape(run)}</h1>\n{banner}\n{primer_link}\n<p>{summary}. "
        "Each report opens with what it found; its tables can be downloaded as CSV. "
        'Parameters, data hashes, software versions and timings: <a href="manifest.json">manifest.json</a>.</p>\n'
        '<p><label for="pe-search">Search the reports </label><input type="search" id="pe-search" '
        'placeholder="an area, a question, a word"></p>\n'
        + "\n".join(sections)
        + f"\n{SEARCH}</body>\n</html>\n"
    )
