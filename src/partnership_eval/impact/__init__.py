"""Impact estimators: staggered difference-in-differences, TWFE, matching and power."""

from partnership_eval.impact.bacon import (
    COMPARISON_TYPES,
    BaconResult,
    BaconSpec,
    bacon_decomposition,
)
from partnership_eval.impact.did_inference import WaldTest
from partnership_eval.impact.did_results import (
    AggregateResult,
    AttGtResult,
    DidSpec,
    WildBootstrapResult,
)
from partnership_eval.impact.matching import MatchResult, MatchSpec, matched_controls
from partnership_eval.impact.placebo import PlaceboResult, PlaceboSpec, placebo_in_space
from partnership_eval.impact.power import (
    MdeResult,
    MdeSpec,
    mde_of_estimate,
    minimum_detectable_effect,
)
from partnership_eval.impact.power_simulation import simulated_mde
from partnership_eval.impact.simulate import (
    SimulatedPanel,
    constant_effect,
    dynamic_effect,
    simulate_staggered_panel,
)
from partnership_eval.impact.staggered import staggered_did
from partnership_eval.impact.twfe import (
    TwfeEstimate,
    TwfeResult,
    TwfeSpec,
    twfe_did,
    twfe_event_study,
)

__all__ = [
    "COMPARISON_TYPES",
    "AggregateResult",
    "AttGtResult",
    "DidSpec",
    "WaldTest",
    "WildBootstrapResult",
    "PlaceboResult",
    "PlaceboSpec",
    "placebo_in_space",
    "MdeSpec",
    "mde_of_estimate",
    "simulated_mde",
    "staggered_did",
    "BaconResult",
    "BaconSpec",
    "MatchSpec",
    "TwfeSpec",
    "MatchResult",
    "MdeResult",
    "SimulatedPanel",
    "TwfeEstimate",
    "TwfeResult",
    "bacon_decomposition",
    "constant_effect",
    "dynamic_effect",
    "matched_controls",
    "minimum_detectable_effect",
    "simulate_staggered_panel",
    "twfe_did",
    "twfe_event_study",
]
