"""``02_chain_growth``: how fast academy chains grow, and whether existing schools slip
when a chain takes on many new ones."""

from partnership_eval.analyses.chain_growth.geography import (
    ChainGeography,
    chain_geography,
    chain_spread,
    local_clusters,
)
from partnership_eval.analyses.chain_growth.growth import (
    ChainGrowth,
    chain_growth,
    chain_performance,
    count_interval,
    pace_confusion,
    pace_detection,
    planted_pace,
)
from partnership_eval.analyses.chain_growth.intake_dip import IntakeDip, intake_dip
from partnership_eval.analyses.chain_growth.truth import truth_table

__all__ = [
    "ChainGeography",
    "ChainGrowth",
    "IntakeDip",
    "chain_geography",
    "chain_growth",
    "chain_performance",
    "chain_spread",
    "count_interval",
    "intake_dip",
    "local_clusters",
    "pace_confusion",
    "pace_detection",
    "planted_pace",
    "truth_table",
]
