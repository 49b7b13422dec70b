"""The school report's words: every sentence a parent reads, in page order, by section.

Each section is a list of paragraphs (a CSS class and its sentences); :class:`Terms`
explains each term the first time it is used. :func:`narrative` flattens the summary
page's text so tests can measure its reading age and check the wording rules on
exactly what is shown.
"""

from __future__ import annotations

import pandas as pd

from partnership_eval.analyses.school_report.attainment import SCHOOL, SIMILAR
from partnership_eval.analyses.school_report.report import SchoolReport
from partnership_eval.analyses.school_report.wording import (
    LIMITS,
    SUPPRESSED_AT,
    TERMS,
    compare_words,
    date_words,
    interval_overlaps,
    missing_years_sentence,
    pct_words,
    range_words,
    year_words,
)


class Terms:
    """Explains each term the first time a page uses it, and never again."""

    def __init__(self) -> None:
        self.used: list[str] = []

    def explain(self, term: str) -> str:
        """The term's explanation on first use, else empty text."""
        if term in self.used:
            return ""
        self.used.append(term)
        return TERMS[term]


Paragraph = tuple[str, list[str]]
"""A paragraph of the page: its CSS class ("" for plain text) and its sentences."""


def sources(report: SchoolReport, synthetic: bool) -> dict[str, str]:
    """Where each kind of number comes from, in words (synthetic data say so)."""
    year = year_words(report.spec.year)
    out = {
        "school": "Get Information About Schools (GIAS), the government's list of schools",
        "results": f"Department for Education (DfE) KS2 school performance tables, {year} and earlier",
        "inspections": "Ofsted inspection records",
        "partnerships": "GIAS records of trusts and groups of schools",
    }
    if synthetic:
        return {k: f"synthetic data modelled on {v}" for k, v in out.items()}
    return out


def context_paragraphs(report: SchoolReport, terms: Terms) -> list[Paragraph]:
    """What the school is like."""
    p = report.profile
    phase = p.phase.lower() if p.phase and p.phase.lower() != "not applicable" else ""
    out = [
        f"{p.name} is a {phase + ' ' if phase else ''}school in {p.la_name}.",
        f"Its school number (URN) is {p.urn}.",
        terms.explain("URN"),
    ]
    if p.pupils is not None:
        out.append(f"It has {round(p.pupils):,} pupils.")
    if p.fsm_pct is not None:
        out.append(
            f"{pct_words(p.fsm_pct).capitalize()} of its pupils get free school meals, "
            "a sign of how many come from poorer homes."
        )
    if p.setting:
        out.append(f'The government describes its area as "{p.setting.lower()}".')
    if p.close_date is not None:
        out.append(
            f"The school closed on {date_words(p.close_date)}. If another school took its "
            "place, that school's report has its later results."
        )
    paragraphs = [("", out)]
    if p.is_academy:
        paragraphs.append(("", [terms.explain("academy"), report.academy or ""]))
    return paragraphs


def results_paragraphs(report: SchoolReport, terms: Terms) -> list[Paragraph]:
    """The report year's result, its likely range and caution, beside similar schools,
    the LA and England; then why any later result is missing."""
    intro = ("", [terms.explain("KS2"), terms.explain("expected standard")])
    school = report.latest()
    if school is None:
        return [intro, ("", ["There are no KS2 results for this school in these data."])]
    later = report.results[
        (report.results["group"] == SCHOOL)
        & (report.results["year"] > report.spec.year)
        & report.results["pct"].isna()
    ]
    missing_later = ("", missing_years_sentence(later["year"].tolist(), later["reason"].tolist()))
    if pd.isna(school["pct"]):
        return [intro, ("", [school["missing"]]), missing_later]
    pupils = int(school["pupils"]) if pd.notna(school["pupils"]) else None
    if pupils is not None and pupils <= SUPPRESSED_AT:  # a count DfE would not publish
        pupils = None
    who = (
        f"of the school's {pupils} pupils in Year 6" if pupils else "of the school's Year 6 pupils"
    )
    result = [
        f"In {year_words(report.spec.year)}, {pct_words(school['pct'])} {who} met the "
        "expected standard in reading, writing and maths."
    ]
    if pd.notna(school["ci_low"]):
        result += [
            f"The likely range is {range_words(school['ci_low'], school['ci_high'])}.",
            terms.explain("likely range"),
        ]
    compared = []
    for label in (SIMILAR, "local authority", "England", "all schools"):
        row = report.latest(label)
        if row is None or pd.isna(row["pct"]):
            continue
        if label == SIMILAR:
            compared.append(terms.explain("similar schools"))
            name = "similar schools"
        elif label == "local authority":
            compared.append(terms.explain("local authority"))
            name = f"the average for {report.profile.la_name}"
        elif label == "England":
            name = "the average for England"
        else:  # the data do not cover England that year
            name = f"the average of all {int(row['schools']):,} schools in these data"
        compared.append(
            f"The school is {compare_words(school['pct'], row['pct'])} {name} "
            f"({pct_words(row['pct'])})."
        )
        if label == SIMILAR and pd.notna(school["ci_low"]):
            inside = interval_overlaps(school["ci_low"], school["ci_high"], row["pct"])
            compared.append(
                "The similar schools' result is inside the likely range, so the gap could be chance."
                if inside
                else "The similar schools' result is outside the likely range, so the gap is "
                "probably not just chance."
            )
    compared.append(terms.explain("percentage points"))
    return [
        intro,
        ("", result),
        ("pe-caution", [report.caution() or ""]),
        ("", compared),
        missing_later,
    ]


def inspection_paragraphs(report: SchoolReport, terms: Terms) -> list[Paragraph]:
    """The latest inspection in words."""
    out = [terms.explain("Ofsted")]
    if report.inspections.empty:
        return [("", [*out, "There is no Ofsted inspection of this school in these data."])]
    last = report.inspections.iloc[0]
    out.append(
        f"Ofsted last inspected the school on {last['date']} and judged it {last['judgement']}."
    )
    if len(report.inspections) > 1:
        out.append(f"There are {len(report.inspections)} inspections in these data.")
    return [("", out)]


def partnership_paragraphs(report: SchoolReport) -> list[Paragraph]:
    """The partnerships the school belongs to, and since when."""
    if report.partnerships.empty:
        return [("", ["The school is not part of any partnership of schools in these data."])]
    out = []
    table = report.partnerships
    for name, what, since, left in zip(
        table["partnership"], table["what it is"], table["member since"], table["left"], strict=True
    ):
        gone = "" if left == "still a member" else f" It left on {left}."
        out.append(f"Since {since}, the school has been part of {name}, {what}.{gone}")
    return [("", out)]


def method_paragraph(report: SchoolReport, terms: Terms) -> Paragraph:
    """How the similar schools were chosen (or why they could not be)."""
    if report.similar is None:
        return (
            "",
            [
                "Similar schools could not be chosen. The school has no KS2 results, or "
                "its size, setting and past results are not in these data."
            ],
        )
    return ("", [terms.explain("similar schools"), report.similar.method_sentence()])


def page_paragraphs(report: SchoolReport) -> dict[str, list[Paragraph]]:
    """The summary page's text by section, terms explained on first use."""
    terms = Terms()
    return {
        "about": context_paragraphs(report, terms),
        "results": results_paragraphs(report, terms),
        "similar": [method_paragraph(report, terms)],
        "inspections": inspection_paragraphs(report, terms),
        "partnerships": partnership_paragraphs(report),
    }


def narrative(report: SchoolReport) -> list[str]:
    """Every sentence of the summary page, in page order (for reading-age checks)."""
    sections = page_paragraphs(report).values()
    sentences = [s for paragraphs in sections for _, text in paragraphs for s in text if s]
    return [*sentences, *LIMITS]
