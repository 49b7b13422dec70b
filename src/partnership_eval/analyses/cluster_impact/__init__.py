"""Impact evaluation of a partnership programme, the library behind ``01_cluster_impact``.

One-way flow: :mod:`.design` (who is compared with whom) → :mod:`.sample` (the rows an
outcome can be estimated from) → :mod:`.estimate` (staggered DiD) → :mod:`.robustness`,
:mod:`.heterogeneity`, :mod:`.claims` → :mod:`.figures`; :mod:`.truth` gives the planted
effect of synthetic data for exactly the schools each estimate used.
"""

from partnership_eval.analyses.cluster_impact.claims import ClaimsResult, claimed_outcomes
from partnership_eval.analyses.cluster_impact.design import (
    ImpactDesign,
    MatchedDesign,
    all_schools_design,
    impact_design,
    match_comparison,
)
from partnership_eval.analyses.cluster_impact.estimate import (
    ImpactEstimate,
    caveats,
    estimate_impact,
)
from partnership_eval.analyses.cluster_impact.heterogeneity import (
    SubgroupResult,
    outcome_effects,
    subgroup_effects,
)
from partnership_eval.analyses.cluster_impact.outcomes import (
    below_floor,
    effect_sentence,
    interval_reading,
)
from partnership_eval.analyses.cluster_impact.robustness import (
    RobustnessResult,
    robustness_checks,
)
from partnership_eval.analyses.cluster_impact.trends import raw_trends, trend_table

__all__ = [
    "ClaimsResult",
    "ImpactDesign",
    "ImpactEstimate",
    "MatchedDesign",
    "RobustnessResult",
    "SubgroupResult",
    "all_schools_design",
    "below_floor",
    "caveats",
    "claimed_outcomes",
    "effect_sentence",
    "estimate_impact",
    "impact_design",
    "interval_reading",
    "match_comparison",
    "outcome_effects",
    "raw_trends",
    "robustness_checks",
    "subgroup_effects",
    "trend_table",
]
