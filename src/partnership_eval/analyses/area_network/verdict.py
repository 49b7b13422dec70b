"""What one area and a few pre-years can support, in words (the report states it first).

The rules, each a sentence of the verdict:

- One treated area: no design here has a sampling distribution across areas, so the
  report describes and does not claim the network caused the change.
- Pre-years: placebo-in-space tests are read as tests only with at least
  :data:`MIN_PRE_YEARS` pre-years; with 4-6 annual pre-periods they over-reject under the
  null (Illenberger, Small & Shaw 2020), and a short pre-period cannot tell a network
  effect from the area's own trend.
- Donors: the permutation p-value cannot fall below ``1 / (1 + donors)``.
- Agreement: whether the designs' estimates share a sign and which intervals exclude zero.
- The claim "improving faster than England": whether the post-period difference in trends
  has an interval above zero, which says nothing about why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from partnership_eval.result import level_label

MIN_PRE_YEARS = 10
"""Fewest annual pre-years before a one-area placebo test is read as a test."""


@dataclass(frozen=True)
class DesignSummary:
    """One design's headline for the verdict: estimate and interval (NaN: none)."""

    name: str
    estimate: float
    ci_low: float
    ci_high: float


def _interval_words(d: DesignSummary) -> str:
    if not (np.isfinite(d.ci_low) and np.isfinite(d.ci_high)):
        return f"{d.name} {d.estimate:+.1f} pp (no bounded interval)"
    return f"{d.name} {d.estimate:+.1f} pp [{d.ci_low:+.1f}, {d.ci_high:+.1f}]"


def verdict(
    *,
    area: str,
    start: int,
    pre_years: int,
    post_years: int,
    donors: int,
    alpha: float,
    designs: list[DesignSummary],
    skipped: Mapping[str, str],
    improving: DesignSummary | None = None,
    placebo_p: float | None = None,
) -> str:
    """The verdict text (Markdown) for one area (see the module docstring)."""
    level = level_label(alpha)
    lines = [
        f"**What this can support: a description, not a causal estimate.** {area} is one "
        "area, so every design here compares it with other areas that did not start a "
        "network, and none can tell the network apart from anything else that changed in "
        f"{area} from {start}."
    ]
    if pre_years < 2:
        lines.append(
            f"With {pre_years} year{'s' if pre_years != 1 else ''} of results before "
            f"{start}, no design can separate a change from the area's own trend: the data "
            "can show where the area stood against others, not whether it changed course."
        )
    elif pre_years < MIN_PRE_YEARS:
        lines.append(
            f"With {pre_years} years of results before {start} (fewer than "
            f"{MIN_PRE_YEARS}), placebo tests over-reject when nothing happened "
            "(Illenberger, Small & Shaw 2020), and a short pre-period pins the area's own "
            "trend down only loosely: the p-values and intervals below are descriptive."
        )
    if donors and 1 / (1 + donors) > alpha:
        lines.append(
            f"With {donors} donor areas the placebo test cannot give a p-value below "
            f"{1 / (1 + donors):.2f}, so it cannot reject at {alpha:g} whatever happened."
        )
    elif placebo_p is not None:
        lines.append(
            f"Among {donors} placebo areas the area's post/pre fit ratio gives a "
            f"permutation p-value of {placebo_p:.2f}."
        )
    if designs:
        signs = {np.sign(d.estimate) for d in designs if np.isfinite(d.estimate)}
        excluding = [
            d.name
            for d in designs
            if np.isfinite(d.ci_low) and np.isfinite(d.ci_high) and (d.ci_low > 0 or d.ci_high < 0)
        ]
        listed = "; ".join(_interval_words(d) for d in designs)
        if len(designs) == 1:
            opening = f"One design could run ({listed}; {level} interval): "
        else:
            agree = "point the same way" if len(signs) == 1 else "do not agree in sign"
            opening = f"The designs {agree} ({listed}; {level} intervals); "
        if excluding:
            closing = f"the interval{'s' if len(excluding) > 1 else ''} of {', '.join(excluding)} "
            closing += "exclude zero." if len(excluding) > 1 else "excludes zero."
        else:
            closing = "no interval excludes zero."
        lines.append(opening + closing)
    if improving is not None:
        holds = np.isfinite(improving.ci_low) and improving.ci_low > 0
        lines.append(
            f"Since {start} the area's results rose {improving.estimate:+.2f} pp a year "
            f"relative to the rest of England ({level} interval {improving.ci_low:+.2f} to "
            f"{improving.ci_high:+.2f}): "
            + (
                "it did improve faster than England over these years"
                if holds
                else "the data do not show it improving faster than England"
            )
            + " — which by itself says nothing about why."
        )
    for name, reason in skipped.items():
        lines.append(f"Not estimated — {name}: {reason}.")
    return "\n\n".join(lines)
