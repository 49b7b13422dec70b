"""Plain words for a parent: cautions, missing results, grades, terms, and the limits box.

Every rule a school report applies to its text lives here, so tests can hold it to
them: a cohort under :data:`SMALL_COHORT` pupils gets a caution saying how many
percentage points one pupil is worth; a missing result says why, in words, from the
source's reason code; every term is explained the first time it is used.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

SMALL_COHORT = 15
"""Below this many pupils a result gets the small-group caution."""

SUPPRESSED_AT = 5
"""DfE does not publish a result resting on this many pupils or fewer."""

REASONS = {
    "suppressed": "not published, because 5 or fewer pupils took part and they could be identified",
    "small_cohort": "not published, because too few pupils took part",
    "no_entries": "not available, because no pupils took the tests",
    "not_applicable": "not available, because this measure does not apply to this school",
    "not_published": "not published by the Department for Education for this year",
    "low_coverage": "not published, because too few pupils had earlier test results to compare",
    "results_withheld": "held back by the Department for Education (for example while checked)",
    "new_school": "not available, because the school was new",
    "unavailable": "not available from the Department for Education",
    "blank": "missing from the published file, which gives no reason",
    "no_tests": "not available, because there were no tests that year (COVID-19)",
    "not_in_file": "not available, because the published file for that year did not include it",
    "no_pupils": "not available, because the school had no pupils in this group",
}
"""Each missing-result reason of the outcomes table, as words that end a sentence."""

NO_TESTS_YEARS = (2020, 2021)
"""No KS2 tests were sat in these academic years (COVID-19)."""

GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}
SATISFACTORY_UNTIL = date(2012, 9, 1)
"""Before this date Ofsted called grade 3 "Satisfactory"."""

KINDS = {
    "cluster": "a cluster of nearby small schools that work together",
    "federation": "a federation: schools sharing one governing board",
    "umbrella_trust": "an umbrella trust: schools sharing a charity that supports them",
    "mat": "a multi-academy trust: one charity that runs several academies",
    "collaborative": "a collaborative: schools that plan and train together",
    "triad": "a triad: three schools that review each other's work",
    "sat": "a single-academy trust: a charity that runs this academy alone",
    "sponsor": "an academy sponsor: an organisation that supports academies",
}

TERMS = {
    "KS2": "Key Stage 2 (KS2) tests are taken in May of Year 6, at age 10 or 11.",
    "expected standard": (
        "The expected standard is the level the government expects most pupils to reach."
    ),
    "percentage points": (
        "A percentage point is one step on the 0 to 100 scale. Going from 60% to 65% is a "
        "rise of 5 percentage points."
    ),
    "likely range": (
        "The likely range shows how far a result can move by chance with this many pupils."
    ),
    "disadvantaged": (
        "Disadvantaged pupils are those from poorer homes: pupils who had free school "
        "meals in the last six years, or who are or were in care."
    ),
    "similar schools": (
        "Similar schools are schools much like this one in size, setting, "
        "the share of pupils from poorer homes and past results."
    ),
    "Ofsted": (
        "Ofsted is the body that inspects schools in England. It gives a grade "
        "from Outstanding to Inadequate."
    ),
    "academy": (
        "An academy is a state school paid for by the government but run by a trust "
        "(a charity), not by the local council."
    ),
    "local authority": "The local authority (LA) is the council for the area.",
    "attendance": "Attendance is the share of school sessions pupils were in school.",
    "phonics": (
        "The phonics check is a short reading check in Year 1. It shows whether a pupil "
        "can sound out words."
    ),
    "URN": "The URN is the school's reference number with the government.",
}
"""Terms of the report and their plain explanation, given where each is first used."""


def cohort_caution(pupils: float | None) -> str | None:
    """The small-group caution for a result resting on ``pupils`` pupils, or None.

    Under :data:`SMALL_COHORT` pupils one pupil moves the percentage by ``100 / pupils``
    points; the caution says so in those words ("one pupil is 7 points"). None at
    :data:`SUPPRESSED_AT` pupils or fewer: such a result is not published, and neither
    may its pupil count be.
    """
    if pupils is None or not math.isfinite(pupils) or pupils <= SUPPRESSED_AT:
        return None
    if pupils >= SMALL_COHORT:
        return None
    n = int(pupils)
    return (
        f"Take care: only {n} pupils took the tests, so one pupil "
        f"is {round(100 / n)} percentage points. Results from so few pupils go up and down "
        "a lot from year to year."
    )


def missing_sentence(what: str, year: int, reason: str | None) -> str:
    """Why ``what`` is not shown for ``year``, from the source's reason code."""
    if year in NO_TESTS_YEARS:
        reason = "no_tests"
    words = REASONS.get(str(reason), "not in these data") if reason else "not in these data"
    return f"{what} for {year_words(year)} is {words}."


def missing_years_sentence(years: list[int], reasons: list[str | None]) -> list[str]:
    """Why the results of ``years`` are missing: one sentence per reason, years joined."""
    by_reason: dict[str, list[int]] = {}
    for year, reason in zip(years, reasons, strict=True):
        key = "no_tests" if year in NO_TESTS_YEARS else (reason or "")
        by_reason.setdefault(key, []).append(year)
    out = []
    for reason, group in by_reason.items():
        named = [year_words(y) for y in group]
        listed = ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else named[0]
        words = REASONS.get(reason, "not in these data")
        what = "Results for {} are" if len(named) > 1 else "The result for {} is"
        out.append(f"{what.format(listed)} {words}.")
    return out


def year_words(year: int) -> str:
    """An academic year as a parent reads it: ``2019`` → ``"2018/19"``."""
    return f"{year - 1}/{str(year)[-2:]}"


def grade_words(grade: float | None, when: pd.Timestamp | date | None = None) -> str:
    """An Ofsted grade in Ofsted's words at the time (grade 3 was "Satisfactory" before
    September 2012); "no grade" when the grade is missing."""
    if grade is None or pd.isna(grade):
        return "no grade given"
    grade = int(grade)
    if grade == 3 and when is not None and pd.Timestamp(when) < pd.Timestamp(SATISFACTORY_UNTIL):
        return "Satisfactory"
    return GRADES.get(grade, f"grade {grade}")


def date_words(when: pd.Timestamp | date | None) -> str:
    """A date as ``"3 May 2019"`` (``"date not known"`` when missing)."""
    if when is None or pd.isna(when):
        return "date not known"
    when = pd.Timestamp(when)
    return f"{when.day} {when.strftime('%B %Y')}"


def kind_words(kind: str) -> str:
    """What a kind of partnership is, in a few plain words."""
    return KINDS.get(kind, "a partnership of schools")


def pct_words(value: float | None) -> str:
    """A percentage for the page: ``61.7`` → ``"62%"``; ``"not available"`` when missing."""
    if value is None or not math.isfinite(value):
        return "not available"
    return f"{round(value)}%"


def range_words(low: float | None, high: float | None) -> str:
    """A likely range: ``"between 45% and 78%"`` (empty when missing)."""
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"between {round(low)}% and {round(high)}%"


def compare_words(school: float | None, other: float | None) -> str:
    """How a school's percentage sits beside another, in percentage points."""
    if school is None or other is None or not (math.isfinite(school) and math.isfinite(other)):
        return "cannot be compared"
    gap = round(school - other)
    if gap == 0:
        return "about the same as"
    points = f"{abs(gap)} percentage point{'s' if abs(gap) != 1 else ''}"
    return f"{points} {'above' if gap > 0 else 'below'}"


def interval_overlaps(low: float, high: float, other: float) -> bool:
    """Whether ``other`` lies inside the school's likely range."""
    return bool(math.isfinite(other) and low <= other <= high)


LIMITS = (
    "Tests show one year group in one week in May. They do not show the care, music, "
    "sport or trips of a school.",
    "With few pupils, results go up and down by chance. Look at several years, not one.",
    "Results depend on the pupils who join as well as on the teaching. No two schools "
    "have the same pupils.",
    "The numbers cannot say what caused a change: a new head, a partnership or new pupils.",
    "An Ofsted grade is a view on the day of the visit. The school may have changed since.",
    "To know a school, visit it and talk to its staff and parents.",
)
"""The "what these numbers can't tell you" box."""
