"""School report: one school for parents, in plain words, beside its context and similar schools.

Entry point :func:`school_report` returns a :class:`SchoolReport`; the similar-schools
group alone is :func:`similar_schools` (a :class:`SimilarSchools`). :mod:`.wording`
holds the text rules (small-cohort caution, missing-result reasons, terms),
:mod:`.narrative` every sentence of the page, :mod:`.page` the HTML parts and print
CSS, :mod:`.tables` the published tables.
"""

from partnership_eval.analyses.school_report.attainment import results_over_time, wilson_interval
from partnership_eval.analyses.school_report.report import (
    SchoolReport,
    SchoolReportSpec,
    default_urn,
    school_report,
)
from partnership_eval.analyses.school_report.similar import (
    SimilarSchools,
    SimilarSpec,
    similar_schools,
)
from partnership_eval.analyses.school_report.wording import SMALL_COHORT, cohort_caution

__all__ = [
    "SMALL_COHORT",
    "SchoolReport",
    "SchoolReportSpec",
    "SimilarSchools",
    "SimilarSpec",
    "cohort_caution",
    "default_urn",
    "results_over_time",
    "school_report",
    "similar_schools",
    "wilson_interval",
]
