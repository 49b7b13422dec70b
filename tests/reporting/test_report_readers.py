"""Reports as readers meet them: in a real browser, and in words rather than column names."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from browser import CHROMIUM, Browser

from partnership_eval.data.schema import OUTCOME_MEASURES, TABLES
from partnership_eval.disclosure import suppress
from partnership_eval.reporting.reader import LONG_TABLE, table_html
from partnership_eval.reporting.render import render_html
from partnership_eval.reporting.results import RESULTS_ENV
from partnership_eval.reporting.runner import run_reports

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CODE_NAMES = sorted(
    {c.name for t in TABLES.values() for c in (*t.columns, *t.optional) if "_" in c.name}
    | {f"{m}_reason" for m in OUTCOME_MEASURES}
)
"""Canonical column names that are code, not words (``ks2_rwm_exp``; ``year`` is a word)."""
CODE_NAME = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, CODE_NAMES)) + r")(?![\w-])")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (`apt-get install -y chromium`; .ci/run does it)"
)


class ReaderText(HTMLParser):
    """The text a reader of a policy-edition report sees: page text and alt text, without
    scripts, styles and the code of "How this report was made" (parameters to re-run it)."""

    SKIP = {"script", "style", "code"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def reader_text(html: str) -> str:
    """What a reader can read on the page (see :class:`ReaderText`)."""
    parser = ReaderText()
    parser.feed(html)
    return " ".join(parser.parts)


def code_names(html: str) -> dict[str, str]:
    """Canonical column names in a page's reader-facing text, each with where it first is."""
    text = reader_text(html)
    found: dict[str, str] = {}
    for m in CODE_NAME.finditer(text):
        found.setdefault(m.group(1), text[max(0, m.start() - 50) : m.end() + 50])
    return found


def _run(notebooks: list[str], areas: list[str], data_dir: Path, out: Path):
    result = run_reports(
        notebooks, areas, data_dir=data_dir, out_dir=out, run="readers", notebooks_dir=NOTEBOOKS
    )
    assert result.failed == 0, [r.error for r in result.records]
    return result.run_dir


@pytest.fixture(scope="module")
def overview_run(small_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The overview of Cumbria on small synthetic data, rendered with its index."""
    return _run(["00_overview"], ["Cumbria"], small_data_dir, tmp_path_factory.mktemp("run"))


def test_code_names_are_found_in_text_but_not_in_code():
    page = "<p>Mean ks2_rwm_exp by year</p><code>outcome = 'read_prog'</code><img alt='la_code'>"
    assert list(code_names(page)) == ["ks2_rwm_exp", "la_code"]
    assert not code_names("<p>the year, the name and the urn-style slug</p>")


def test_overview_speaks_in_words_not_column_names(overview_run):
    html = (overview_run / "00_overview" / "cumbria.html").read_text()
    assert not code_names(html)


def test_overview_opens_with_its_findings_then_contents(overview_run):
    html = (overview_run / "00_overview" / "cumbria.html").read_text()
    found, contents, made = (
        html.index("What we found"),
        html.index('aria-label="Contents"'),
        html.index("How this report was made</summary>"),
    )
    assert found < contents < made
    assert html.index("pe-synthetic") < found
    results = json.loads((overview_run / "00_overview" / "cumbria.results.json").read_text())
    assert 3 <= len(results["findings"]) <= 5


def test_every_table_links_its_csv_beside_the_report(overview_run):
    html = (overview_run / "00_overview" / "cumbria.html").read_text()
    links = re.findall(r'href="(cumbria\.[\w-]+\.csv)"', html)
    assert links and all((overview_run / "00_overview" / link).is_file() for link in links)
    assert html.count("<table") == len(set(links))


@needs_chromium
def test_index_and_report_load_cleanly_in_chromium(overview_run):
    with Browser() as browser:
        for page in (overview_run / "index.html", overview_run / "00_overview" / "cumbria.html"):
            report = browser.open(page)
            assert not report.problems(), "\n".join(report.problems())
        browser.open(overview_run / "index.html")
        shown = "document.querySelectorAll('tr.pe-report:not([hidden])').length"
        assert browser.evaluate(shown) == 1
        browser.evaluate(
            "const box = document.getElementById('pe-search'); box.value = 'no such area';"
            "box.dispatchEvent(new Event('input'))"
        )
        assert browser.evaluate(shown) == 0


@needs_chromium
def test_the_browser_check_catches_a_broken_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text(
        '<html><body><img alt="missing" src="nowhere.png"><a href="gone.csv">x</a>'
        '<a href="#nope">y</a><img alt="far" src="https://example.invalid/x.png"><script>console.error("boom")</script></body></html>'
    )
    with Browser() as browser:
        problems = "\n".join(browser.open(page).problems())
    expected_problems = (
        "image did not render: missing",
        "gone.csv",
        "#nope",
        "console error: boom",
        "network request: https://example.invalid/x.png",
    )
    for expected in expected_problems:
        assert expected in problems


@pytest.mark.slow
@pytest.mark.parametrize(
    ("notebook", "area"),
    [
        ("01_cluster_impact", "Cumbria"),
        ("02_chain_growth", "England"),
        ("03_inspection_transitions", "England"),
    ],
)  # 04-07 were clean when checked; add them here at about 30 s each
def test_demo_reports_speak_in_words_not_column_names(notebook, area, small_data_dir, tmp_path):
    run_dir = _run([notebook], [area], small_data_dir, tmp_path)
    pages = sorted((run_dir / notebook).glob("*.html"))
    assert pages
    for page in pages:
        found = code_names(page.read_text())
        assert not found, f"{page.name}: column names a reader sees: {found}"


@needs_chromium
def test_long_tables_sort_and_search_in_the_browser(tmp_path, monkeypatch):
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path / "page.results.json"))
    rows = LONG_TABLE + 5
    table = suppress(
        pd.DataFrame({"school": [f"S{i:02d}" for i in range(rows)], "pupils": range(rows)})
    )
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("table", id="table")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": table_html(table, "long").data})
    ]
    nb.cells.append(cell)
    page = tmp_path / "page.html"
    page.write_text(render_html(nb, title="t", parameters={}, synthetic=False))
    first = "document.querySelector('table.pe-sortable tbody tr td').textContent.trim()"
    with Browser() as browser:
        assert not browser.open(page).problems()
        assert browser.evaluate(first) == "S00"
        browser.evaluate("document.querySelectorAll('table.pe-sortable thead th')[1].click()")
        browser.evaluate("document.querySelectorAll('table.pe-sortable thead th')[1].click()")
        assert browser.evaluate(first) == f"S{rows - 1:02d}"  # pupils, largest first
        browser.evaluate(
            "const box = document.querySelector('.pe-search'); box.value = 'S03';"
            "box.dispatchEvent(new Event('input'))"
        )
        shown = "document.querySelectorAll('table.pe-sortable tbody tr:not([hidden])').length"
        assert browser.evaluate(shown) == 1
