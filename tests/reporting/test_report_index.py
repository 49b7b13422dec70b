from pathlib import Path

from partnership_eval.reporting.index import render_index
from partnership_eval.reporting.records import ReportRecord


def _record(**kwargs) -> ReportRecord:
    base = {"notebook": "01_cluster_impact", "area": "Devon", "slug": "devon", "parameters": {}}
    return ReportRecord(**{**base, **kwargs})


def test_index_shows_headline_with_interval_and_sizes():
    results = {
        "synthetic": False,
        "headline": {"label": "ATT (pp)", "estimate": 2.345, "ci_low": 1.0, "ci_high": 3.5,
                     "n_treated": 120, "n_comparison": 1500},
    }  # fmt: skip
    html = render_index("demo", [_record(results=results)])
    assert "ATT (pp)" in html
    assert "2.3" in html and "1.0 to 3.5" in html and "120 / 1,500" in html


def test_index_flags_a_headline_resting_on_few_treated_schools():
    head = {"label": "dip", "estimate": 1.3, "ci_low": -0.9, "ci_high": 3.5, "n_comparison": 90}
    few = {"headline": {**head, "n_treated": 2}}
    many = {"headline": {**head, "n_treated": 40}}
    share = {"headline": {"label": "% in a partnership", "estimate": 40.0, "n_treated": 2}}
    assert "only 2 treated school(s)" in render_index("demo", [_record(results=few)])
    assert "Caution" not in render_index("demo", [_record(results=many)])
    assert "Caution" not in render_index("demo", [_record(results=share)])


def test_index_links_every_output_relative_to_the_run():
    outputs = {
        "html": Path("01_cluster_impact/devon.html"),
        "ipynb": Path("01_cluster_impact/devon.ipynb"),
    }
    html = render_index("demo", [_record(outputs=outputs)])
    assert 'href="01_cluster_impact/devon.html"' in html
    assert 'href="01_cluster_impact/devon.ipynb"' in html


def test_index_marks_failed_reports_with_their_error():
    html = render_index("demo", [_record(error="ValueError: boom (cell In [3])")])
    assert 'class="failed">failed' in html
    assert "ValueError: boom" in html
    assert "1 report(s), 1 failed" in html


def test_index_escapes_text():
    html = render_index("demo", [_record(area="<b>Devon</b>")])
    assert "&lt;b&gt;Devon&lt;/b&gt;" in html


def test_index_shows_synthetic_banner_when_any_report_is_synthetic():
    html = render_index("demo", [_record(results={"synthetic": True, "headline": None})])
    assert "Synthetic demonstration data" in html


def test_index_links_the_methods_primer_when_the_run_holds_it():
    primer = _record(
        notebook="90_methods_primer",
        area=None,
        slug="report",
        outputs={
            "html": Path("90_methods_primer/report.html"),
            "code_html": Path("90_methods_primer/report.code.html"),
        },
    )
    html = render_index("demo", [_record(), primer])
    assert 'New to these methods? <a href="90_methods_primer/report.code.html">' in html
    assert "New to these methods" not in render_index("demo", [_record()])
