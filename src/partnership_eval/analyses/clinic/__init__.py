"""The school performance clinic (report ``04_performance_clinic``): red-amber-green risk
ratings of every school, changes since the last period, and follow-up of actions.

``risk_ratings`` rates; ``read_rules`` reads a copy of ``default_rules.yml``;
``follow_up`` checks the previous meeting's actions against the ratings.
"""

from partnership_eval.analyses.clinic.meeting import follow_up, read_actions
from partnership_eval.analyses.clinic.risk import ClinicResult, ClinicSpec, risk_ratings
from partnership_eval.analyses.clinic.rules import DEFAULT_RULES, Rules, read_rules, rules_summary

__all__ = [
    "DEFAULT_RULES",
    "ClinicResult",
    "ClinicSpec",
    "Rules",
    "follow_up",
    "read_actions",
    "read_rules",
    "risk_ratings",
    "rules_summary",
]
