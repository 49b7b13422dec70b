"""Words for the code names readers must never see: measures, partnership kinds, columns.

One place for every label a report shows: analyses (``analyses.*``) use it for their
sentences and figure axes, ``reporting`` for published tables and the index. A code name
without a label here falls back to its words with underscores turned into spaces, so a
missing entry reads awkwardly but never shows ``ks2_rwm_exp``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Hashable

MEASURE_LABELS = {
    "ks2_rwm_exp": "% meeting the expected standard in reading, writing and maths",
    "read_prog": "reading progress score",
    "writ_prog": "writing progress score",
    "mat_prog": "maths progress score",
    "disadv_rwm_exp": "% of disadvantaged pupils meeting the expected standard",
    "non_disadv_rwm_exp": "% of other pupils meeting the expected standard",
    "disadv_gap": "disadvantaged gap (percentage points)",
    "disadv_share": "% of Year 6 pupils disadvantaged",
    "below_floor": "below the floor standard",
    "attendance": "% attendance",
    "exclusions": "exclusions per 100 pupils",
}
"""Short labels of measures, for table columns and figure axes."""

MEASURE_WORDS = {
    "ks2_rwm_exp": "the share of pupils meeting the expected standard in reading, writing and maths",
    "read_prog": "the KS2 reading progress score",
    "writ_prog": "the KS2 writing progress score",
    "mat_prog": "the KS2 maths progress score",
    "disadv_rwm_exp": "the share of disadvantaged pupils meeting the expected standard",
    "non_disadv_rwm_exp": "the share of other (non-disadvantaged) pupils meeting the expected standard",
    "disadv_gap": "the disadvantaged gap (other pupils' share minus disadvantaged pupils'; "
    "negative means narrower)",
    "disadv_share": "the share of Year 6 pupils who are disadvantaged",
    "below_floor": "the chance of being below the floor standard (0-1)",
}
"""What each measure is, as it reads after "on" in a sentence."""

POINTS = {
    "ks2_rwm_exp": "percentage points",
    "disadv_rwm_exp": "percentage points",
    "non_disadv_rwm_exp": "percentage points",
    "disadv_gap": "percentage points",
    "disadv_share": "percentage points",
    "read_prog": "progress-score points",
    "writ_prog": "progress-score points",
    "mat_prog": "progress-score points",
}
"""The unit of a change in each measure."""

KIND_LABELS = {
    "cluster": "clusters",
    "federation": "federations",
    "umbrella_trust": "umbrella trusts",
    "mat": "multi-academy trusts",
    "collaborative": "collaboratives",
    "triad": "triads",
    "sat": "single-academy trusts",
    "sponsor": "academy sponsor groups",
}
"""Kinds of partnership in the plural, as readers name them."""

COLUMN_LABELS = {
    "urn": "URN",
    "name": "name",
    "la_code": "LA code",
    "la_name": "local authority",
    "school_type": "type of school",
    "is_academy": "academy",
    "urban_rural": "urban or rural",
    "open_date": "opened",
    "close_date": "closed",
    "cohort_n": "Year 6 pupils",
    "disadv_n": "disadvantaged pupils",
    "phonics_n": "pupils taking the phonics check",
    "partnership_id": "partnership",
    "n_schools": "schools",
    "n_treated": "partnership schools",
    "n_comparison": "comparison schools",
    "n_comparisons": "comparisons",
    "ci_low": "interval from",
    "ci_high": "interval to",
    "se": "standard error",
    "school_years": "school-years",
    "open_schools": "open schools",
    "fsm_pct": "% eligible for free school meals",
    "base_cohort_n": "baseline Year 6 cohort (pupils)",
    "base_disadv_pct": "baseline % of Year 6 disadvantaged",
    "base_pupils": "pupils on roll before the start (estimated)",
    "base_ks2_rwm_exp": "baseline % meeting the expected standard",
    "reviewer_type": "reviewer",
    "reviewer_id": "reviewer number",
    "% RWM": "% meeting the expected standard",
    "n_chains": "chains",
    "n_pupils": "pupils",
    "n_las": "local authorities",
    "chain_age": "chain age (years)",
    "mean_size": "mean size",
    "size_ci_low": "size, interval from",
    "size_ci_high": "size, interval to",
    "cmo_added": "US charter chains: schools added",
    "cmo_size": "US charter chains: size",
    "first_year": "first year",
    "peak_year": "year of fastest growth",
    "spell_joiners": "schools joined in the spell",
    "rate": "new schools a year",
    "rate_low": "new schools a year, at least",
    "vs_benchmark": "against the US benchmark",
    "prior_grade": "earlier grade",
    "n_partnership": "partnership inspections",
    "n_inspections": "inspections",
    "median_years": "median years",
    "mean_dose": "mean intake per school",
    **MEASURE_LABELS,
}
"""Column headings of published tables (measures included)."""


def _words(code: str) -> str:
    return code.replace("_", " ")


def measure_label(measure: str) -> str:
    """The short label of a measure (``ks2_rwm_exp`` → "% meeting the expected standard ...")."""
    return MEASURE_LABELS.get(measure, _words(measure))


def axis_label(text: str, width: int = 34) -> str:
    """A long axis label broken over lines so that it fits beside a report figure."""
    return "\n".join(textwrap.wrap(text, width)) or text


def measure_words(measure: str) -> str:
    """A measure as it reads in a sentence after "on"."""
    return MEASURE_WORDS.get(measure, _words(measure))


def kind_label(kind: str) -> str:
    """A partnership kind in the plural (``mat`` → "multi-academy trusts")."""
    return KIND_LABELS.get(kind, _words(kind))


def kinds_label(kinds: tuple[str, ...] | list[str] | str) -> str:
    """Several kinds as one phrase: "clusters, federations and triads"."""
    names = [kind_label(k) for k in ([kinds] if isinstance(kinds, str) else kinds)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def column_label(column: Hashable) -> Hashable:
    """The heading of a column: its label, its words, or (for a multi-level label) each part's."""
    if isinstance(column, tuple):
        return tuple(column_label(part) for part in column)
    if not isinstance(column, str):
        return column
    return COLUMN_LABELS.get(column, KIND_LABELS.get(column, _words(column)))


def value_label(value: object) -> object:
    """A cell's value in words when it is a code name (a measure or a kind); else unchanged."""
    if isinstance(value, str):
        return MEASURE_LABELS.get(value, KIND_LABELS.get(value, value))
    return value


def number(value: float, digits: int = 1) -> str:
    """A number with thousands separators and a real minus sign."""
    text = f"{value:,.{digits}f}"
    return text.replace("-", "\u2212") if value < 0 and text.strip("-0.") else text.lstrip("-")


def estimate_words(
    estimate: float, ci_low: float | None, ci_high: float | None, level: str, unit: str
) -> str:
    """An estimate and its interval in words: "2.1 percentage points (with 95% confidence,
    between 0.4 and 3.8)"."""
    text = f"{number(estimate)} {unit}"
    if ci_low is None or ci_high is None:
        return text
    return f"{text} (with {level} confidence, between {number(ci_low)} and {number(ci_high)})"
