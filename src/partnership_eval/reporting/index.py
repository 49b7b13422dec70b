"""``index.html`` of a report run: every report with its status and headline numbers.

A single self-contained page (inline CSS, no scripts) linking each report's HTML
editions, executed notebook and ``results.json``. It carries no timestamps; the run
manifest records time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from partnership_eval.reporting.records import ReportRecord

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.4em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #1b6e20; font-weight: 600; }
.failed { color: #b3261e; font-weight: 600; }
.banner { padding: 0.6em 1em; margin: 0.5em 0 1em; border-radius: 4px; font-weight: 600;
          background: #fff4ce; border: 2px solid #c99a00; color: #5c4300; }
.error { color: #6b0f0a; font-size: 0.9em; }
.caution { color: #8a4b00; font-size: 0.9em; font-weight: 600; }
"""


def _number(value: object, digits: int = 1) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


FEW_TREATED = 10
"""An estimate (with an interval) resting on fewer treated schools is flagged in the index."""


def _headline_cells(record: ReportRecord) -> str:
    """Table cells: label, estimate, interval, truth, sample sizes."""
    head = (record.results or {}).get("headline") or {}
    low, high = head.get("ci_low"), head.get("ci_high")
    interval = f"{_number(low)} to {_number(high)}" if low is not None and high is not None else "—"
    sizes = f"{_number(head.get('n_treated'))} / {_number(head.get('n_comparison'))}"
    label = escape(str(head.get("label", "—")))
    n_treated = head.get("n_treated")
    if (
        head.get("estimate") is not None
        and low is not None  # an inferential estimate, not a descriptive share
        and isinstance(n_treated, int)
        and not isinstance(n_treated, bool)
        and n_treated < FEW_TREATED
    ):
        label += (
            f'<br><span class="caution">Caution: rests on only {n_treated} treated '
            "school(s); read it as an anecdote, not an estimate.</span>"
        )
    numbers = (_number(head.get("estimate")), interval, _number(head.get("truth")), sizes)
    return f"<td>{label}</td>" + "".join(f'<td class="num">{n}</td>' for n in numbers)


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


# --- The methods primer link (issue 19): a run that holds the primer points students to it.
PRIMER = "90_methods_primer"


def _primer_link(records: Sequence[ReportRecord]) -> str:
    """A line linking the methods primer's edition with code (else its report), if in the run."""
    for record in records:
        outputs = record.outputs if record.notebook == PRIMER else {}
        path = outputs.get("code_html") or outputs.get("html")
        if path is not None:
            return (
                '<p>New to these methods? <a href="'
                f'{escape(path.as_posix())}">The methods primer</a> shows, on data where the '
                "truth is known, why naive comparisons of partnership schools mislead.</p>\n"
            )
    return ""


# --- end of the methods primer link


def render_index(run: str, records: Sequence[ReportRecord]) -> str:
    """The index page of a run."""
    rows = []
    for r in records:
        error = f'<div class="error">{escape(r.error)}</div>' if r.error else ""
        rows.append(
            f"<tr><td>{escape(r.notebook)}</td><td>{escape(r.area or '—')}</td>"
            f'<td><span class="{r.status}">{r.status}</span>{error}</td>'
            f"{_headline_cells(r)}<td>{_links(r)}</td></tr>"
        )
    synthetic = any((r.results or {}).get("synthetic") for r in records)
    banner = (
        '<div class="banner" role="note">Synthetic demonstration data: reports in this run '
        "use a simulated England with planted effects, not real schools.</div>"
        if synthetic
        else ""
    )
    failed = sum(r.failed for r in records)
    summary = f"{len(records)} report(s), {failed} failed"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Reports: {escape(run)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>Reports: {escape(run)}</h1>\n{banner}\n{_primer_link(records)}<p>{summary}. "
        'Parameters, data hashes, software versions and timings: <a href="manifest.json">manifest.json</a>.</p>\n'
        "<table>\n<thead><tr><th>Report</th><th>Area</th><th>Status</th><th>Headline</th>"
        "<th>Estimate</th><th>95% CI</th><th>Truth</th><th>n treated / comparison</th>"
        "<th>Files</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        "</body>\n</html>\n"
    )
