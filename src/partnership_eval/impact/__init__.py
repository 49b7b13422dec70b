"""Impact estimators: staggered difference-in-differences, TWFE, matching and power."""

from partnership_eval.impact.simulate import (
    SimulatedPanel,
    constant_effect,
    dynamic_effect,
    simulate_staggered_panel,
)

__all__ = ["SimulatedPanel", "constant_effect", "dynamic_effect", "simulate_staggered_panel"]
