"""The school report on small synthetic England: headline, cautions, missing results, reading age."""

import numpy as np
import pandas as pd
import pytest
import textstat

from partnership_eval.analyses.school_report import school_report, wilson_interval
from partnership_eval.analyses.school_report.narrative import narrative, page_paragraphs
from partnership_eval.analyses.school_report.page import COLOUR_PAIRS
from partnership_eval.analyses.school_report.report import COLOURS, default_urn
from partnership_eval.analyses.school_report.tables import measure_tables, results_table
from partnership_eval.data.store import read_tables
from partnership_eval.errors import InputError

READING_AGE = 12
"""Aim of the issue: a reading age of 12 or less (Flesch-Kincaid grade + 5)."""


@pytest.fixture(scope="module")
def data(small_data_dir):
    return read_tables(small_data_dir)


def _school(data, *, pupils, published=True):
    """A school whose latest row has a published (or suppressed) result, by pupils on roll."""
    o = data.outcomes
    latest = o[o["year"] == o["year"].max()]
    rows = latest[latest["ks2_rwm_exp"].notna() == published]
    schools = data.schools[data.schools["urn"].isin(rows["urn"])]
    return int(schools.loc[(schools["pupils"] - pupils).abs().idxmin(), "urn"])


def _small_cohort_school(data):
    o = data.outcomes
    year = o["year"].max()
    rows = o[(o["year"] == year) & o["ks2_rwm_exp"].notna() & o["cohort_n"].between(6, 14)]
    return int(rows["urn"].min()), int(year)


def test_headline_is_the_published_result_with_its_wilson_range(data):
    urn = _school(data, pupils=600)
    report = school_report(data, urn)
    row = data.outcomes[(data.outcomes["urn"] == urn) & (data.outcomes["year"] == report.spec.year)]
    pct, pupils = float(row["ks2_rwm_exp"].iloc[0]), int(row["cohort_n"].iloc[0])
    low, high = wilson_interval(pct, pupils)
    headline = report.headline()
    assert headline["estimate"] == pytest.approx(pct)
    assert (headline["ci_low"], headline["ci_high"]) == pytest.approx((float(low), float(high)))
    assert headline["n_treated"] == pupils
    assert headline["n_comparison"] == 50


def test_similar_group_result_is_the_pupil_weighted_mean_of_the_group(data):
    report = school_report(data, _school(data, pupils=600))
    group = report.similar.group["urn"]
    o = data.outcomes
    rows = o[o["urn"].isin(group) & (o["year"] == report.spec.year) & o["ks2_rwm_exp"].notna()]
    expected = np.average(rows["ks2_rwm_exp"], weights=rows["cohort_n"])
    assert report.similar_headline()["estimate"] == pytest.approx(expected)
    assert report.similar_headline()["n_schools"] == 50


def test_a_cohort_under_15_gets_the_one_pupil_caution_on_the_page(data):
    urn, year = _small_cohort_school(data)
    report = school_report(data, urn, year)
    n = int(report.latest()["pupils"])
    caution = report.caution()
    assert f"one pupil is {round(100 / n)} percentage points" in caution
    assert ("pe-caution", [caution]) in page_paragraphs(report)["results"]


def test_a_large_cohort_gets_no_caution(data):
    report = school_report(data, _school(data, pupils=600))
    assert report.latest()["pupils"] >= 15
    assert report.caution() is None
    assert not any("Take care" in s for s in narrative(report))


def test_a_suppressed_result_says_why_and_hides_its_pupils(data):
    urn = _school(data, pupils=20, published=False)
    year = int(data.outcomes["year"].max())
    report = school_report(data, urn, year)
    assert report.headline()["estimate"] is None
    assert report.headline()["n_treated"] is None  # 5 or fewer pupils: not published
    assert report.caution() is None  # nor its pupil count in a caution
    text = " ".join(narrative(report))
    assert "is not published, because 5 or fewer pupils took part" in text
    table = results_table(report)
    mine = table[(table["group"] == "this school") & table["note"].str.contains("not published")]
    assert (mine["pupils"] == "c").all()


def test_default_year_is_the_latest_published_result_and_later_gaps_are_explained(data):
    o = data.outcomes
    last = o[o["year"] == o["year"].max()]
    ever = o.loc[o["ks2_rwm_exp"].notna(), "urn"]
    urn = int(last.loc[last["ks2_rwm_exp"].isna() & last["urn"].isin(ever), "urn"].min())
    report = school_report(data, urn)
    published = o[(o["urn"] == urn) & o["ks2_rwm_exp"].notna()]
    assert report.spec.year == published["year"].max() < o["year"].max()
    assert any(s.startswith(("The result for", "Results for")) for s in narrative(report))


def test_a_school_never_published_still_gets_a_page_saying_why(data):
    o = data.outcomes
    ever = set(o.loc[o["ks2_rwm_exp"].notna(), "urn"])
    never = sorted(set(o["urn"]) - ever)
    if not never:
        pytest.skip("every school in the small data has a published result")
    report = school_report(data, never[0])
    assert report.headline()["estimate"] is None
    assert any("not published" in s for s in narrative(report))


def test_every_term_is_explained_once(data):
    text = narrative(school_report(data, _school(data, pupils=30)))
    assert sum("Key Stage 2 (KS2) tests are" in s for s in text) == 1
    assert sum(s.startswith("A percentage point is") for s in text) == 1


def test_partnerships_are_named_with_the_date_joined(data):
    member = int(data.memberships["urn"].iloc[0])
    report = school_report(data, member)
    assert len(report.partnerships) == (data.memberships["urn"] == member).sum()
    assert any(s.startswith("Since ") for s in narrative(report))


def test_phonics_and_attendance_say_not_available_when_absent(data):
    report = school_report(data, _school(data, pupils=200))
    tables = measure_tables(report)
    has_phonics = any(c.startswith("phonics") for c in data.outcomes.columns)
    assert (tables["phonics"] is None) is not has_phonics
    assert tables["attendance"] is not None


def test_default_urn_is_a_school_with_results(data):
    urn = default_urn(data.outcomes)
    assert school_report(data, 0).spec.urn == urn


def test_unknown_urn_is_an_input_error_naming_the_parameter(data):
    with pytest.raises(InputError) as error:
        school_report(data, 999999)
    assert error.value.column == "urn"


def test_alpha_sets_the_range_level(data):
    urn = _school(data, pupils=600)
    narrow, wide = school_report(data, urn, alpha=0.1), school_report(data, urn)
    width = lambda r: r.headline()["ci_high"] - r.headline()["ci_low"]  # noqa: E731
    assert width(narrow) < width(wide)
    assert narrow.tidy()["level"].iloc[0] == pytest.approx(0.9)


@pytest.mark.parametrize("pupils", [30, 200, 600])
def test_reading_age_of_the_page_is_12_or_less(data, pupils):
    text = " ".join(narrative(school_report(data, _school(data, pupils=pupils))))
    assert textstat.flesch_kincaid_grade(text) + 5 <= READING_AGE


def _luminance(colour: str) -> float:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two colours."""
    high, low = sorted([_luminance(fg), _luminance(bg)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("style", sorted(COLOUR_PAIRS))
def test_text_colours_meet_wcag_aa_contrast(style):
    assert contrast(*COLOUR_PAIRS[style]) >= 4.5


@pytest.mark.parametrize("group", sorted(COLOURS))
def test_chart_line_colours_meet_the_non_text_contrast_of_3(group):
    assert contrast(COLOURS[group], "#ffffff") >= 3


def test_contrast_helper_knows_black_on_white():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert pd.notna(contrast("#777777", "#ffffff"))


def test_a_closed_school_says_when_it_closed(data):
    from dataclasses import replace

    urn = _school(data, pupils=200)
    schools = data.schools.copy()
    schools.loc[schools["urn"] == urn, "close_date"] = pd.Timestamp("2018-07-31")
    report = school_report(replace(data, schools=schools), urn)
    assert any("The school closed on 31 July 2018." in s for s in narrative(report))
