"""Report 06: did a whole-area peer-review network improve faster than comparable areas?

One treated area, a handful of yearly results: synthetic control with placebo-in-space
inference, comparative interrupted time series against statistical neighbours and the
rest of England, the "improving faster than England" trend test, and a school-level
staggered DiD as a cross-check; :meth:`AreaNetworkResult.verdict` says what they can
support.
"""

from partnership_eval.analyses.area_network.change import GapChangeResult, gap_change
from partnership_eval.analyses.area_network.cits import (
    CitsResult,
    TrendResult,
    comparative_its,
    gap_series,
    improving_faster,
)
from partnership_eval.analyses.area_network.neighbours import (
    CONTEXT_VARIABLES,
    Neighbours,
    statistical_neighbours,
)
from partnership_eval.analyses.area_network.report import (
    AreaNetworkResult,
    AreaNetworkSpec,
    area_network,
    network_las,
)
from partnership_eval.analyses.area_network.school_did import NetworkDidResult, network_did
from partnership_eval.analyses.area_network.series import (
    NO_RESULTS_YEARS,
    area_series,
    england_series,
    pooled_series,
    series_wide,
)
from partnership_eval.analyses.area_network.synth import (
    SynthResult,
    simplex_weights,
    synthetic_control,
)
from partnership_eval.analyses.area_network.truth import planted_effects
from partnership_eval.analyses.area_network.verdict import MIN_PRE_YEARS, DesignSummary, verdict

__all__ = [
    "CONTEXT_VARIABLES",
    "MIN_PRE_YEARS",
    "NO_RESULTS_YEARS",
    "AreaNetworkResult",
    "AreaNetworkSpec",
    "CitsResult",
    "DesignSummary",
    "GapChangeResult",
    "Neighbours",
    "NetworkDidResult",
    "SynthResult",
    "TrendResult",
    "area_network",
    "area_series",
    "comparative_its",
    "england_series",
    "gap_change",
    "gap_series",
    "improving_faster",
    "network_did",
    "network_las",
    "planted_effects",
    "pooled_series",
    "series_wide",
    "simplex_weights",
    "statistical_neighbours",
    "synthetic_control",
    "verdict",
]
