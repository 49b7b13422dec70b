"""The methods primer (notebook 90_methods_primer): why naive comparisons of partnership
schools mislead, each lesson on data where the truth is known."""

from partnership_eval.analyses.primer.cohorts import funnel_plot
from partnership_eval.analyses.primer.england import england_funnel, england_outside_share
from partnership_eval.analyses.primer.lesson import Claim, Lesson
from partnership_eval.analyses.primer.primer import MethodsPrimer, PrimerSpec, methods_primer

__all__ = [
    "Claim",
    "Lesson",
    "MethodsPrimer",
    "PrimerSpec",
    "england_funnel",
    "england_outside_share",
    "funnel_plot",
    "methods_primer",
]
