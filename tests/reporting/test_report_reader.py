"""What readers get from reporting.reader: tables in words with their CSV, figures with alt text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnership_eval.disclosure import published, suppress
from partnership_eval.errors import InputError
from partnership_eval.plots import new_axes
from partnership_eval.reporting.reader import LONG_TABLE, figure_html, findings_html, table_html
from partnership_eval.reporting.results import RESULTS_ENV


@pytest.fixture
def beside(tmp_path, monkeypatch):
    """Reports write beside ``tmp_path/area.results.json``."""
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path / "devon.results.json"))
    return tmp_path


def _table(rows: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": ["mat", "cluster", "triad"][:rows] + ["federation"] * max(0, rows - 3),
            "ks2_rwm_exp": np.linspace(50, 60, rows),
            "cohort_n": [1200, 30, 40][:rows] + [20] * max(0, rows - 3),
            "read_prog": np.nan,
        }
    )


def test_a_table_speaks_in_words_and_names_what_is_not_published(beside):
    html = table_html(suppress(_table(), counts=["cohort_n"]), "chains").data
    assert "multi-academy trusts" in html and ">mat<" not in html
    assert "% meeting the expected standard in reading, writing and maths" in html
    assert "1,200" in html
    assert "Not published: reading progress score" in html
    assert "ks2_rwm_exp" not in html and "cohort_n" not in html


def test_a_table_writes_its_csv_beside_the_report_and_links_it(beside):
    html = table_html(published(_table(), counts=["cohort_n"]), "chains").data
    assert 'href="devon.chains.csv"' in html
    csv = pd.read_csv(beside / "devon.chains.csv")
    assert "reading progress score" not in csv.columns  # the empty column is left out
    assert csv["kind"].tolist() == ["multi-academy trusts", "clusters", "triads"]


def test_only_long_tables_are_sortable(beside):
    assert "pe-sortable" not in table_html(suppress(_table()), "short").data
    long = table_html(suppress(_table(LONG_TABLE + 1)), "long").data
    assert 'class="pe-table pe-sortable"' in long


def test_a_table_that_skipped_disclosure_control_is_refused(beside):
    with pytest.raises(InputError, match="disclosure"):
        table_html(_table(), "raw")


def test_a_figure_has_alt_text_read_off_its_axes(beside):
    ax = new_axes()
    ax.plot([2018, 2019], [1, 2], label="partnership schools")
    ax.set(title="Results", xlabel="year", ylabel="% meeting")
    ax.legend()
    html = figure_html(ax.figure, "results").data
    assert 'alt="Results: % meeting against year, for partnership schools."' in html
    assert "data:image/png;base64," in html


def test_findings_need_sentences():
    assert "What we found" in findings_html(["One."]).data
    with pytest.raises(InputError):
        findings_html([])


def test_a_table_without_rows_says_none(beside):
    html = table_html(suppress(_table().iloc[:0]), "nothing", caption="Left out").data
    assert "None." in html and "Not published" not in html and "<table" not in html
