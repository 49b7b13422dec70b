"""``02_chain_growth``: how fast academy chains grow, and whether existing schools slip
when a chain takes on many new ones."""

from partnership_eval.analyses.chain_growth.growth import (
    ChainGrowth,
    chain_growth,
    chain_performance,
    pace_confusion,
)
from partnership_eval.analyses.chain_growth.intake_dip import IntakeDip, intake_dip

__all__ = [
    "ChainGrowth",
    "IntakeDip",
    "chain_growth",
    "chain_performance",
    "intake_dip",
    "pace_confusion",
]
