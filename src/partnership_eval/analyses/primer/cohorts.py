"""Small-cohort noise: one pupil in a cohort of nine is eleven points, and funnels show it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from partnership_eval.analyses.primer.intervals import scale_factor
from partnership_eval.analyses.primer.lesson import Claim, Lesson, LessonSpec
from partnership_eval.errors import InputError
from partnership_eval.plots import new_axes

TRUE_SD = 0.05
"""Between-school spread (proportion) of the true chance a pupil meets the standard."""

LIMITS = {"95%": 1.96, "99.8%": 3.09}
"""Funnel control limits: their names and normal multipliers."""


def _spread(result: np.ndarray, cohort: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, ...]:
    """Observed between-school SD, and the SD net of binomial noise, for each row of ``idx``
    (percentage points; ``result`` is a proportion)."""
    r, n = result[idx], cohort[idx]
    observed = r.var(axis=-1, ddof=1)
    noise = (r * (1 - r) / (n - 1)).mean(axis=-1)
    return 100 * np.sqrt(observed), 100 * np.sqrt(np.clip(observed - noise, 0.0, None))


def cohort_lesson(
    seed: int = 0, scale: str = "small", alpha: float = 0.05, n_boot: int = 999
) -> Lesson:
    """How much do schools really differ? Raw spreads mostly measure cohort size."""
    rng = np.random.default_rng([seed, 29])
    n_schools = 1000 * scale_factor(scale)
    cohort = rng.integers(5, 61, size=n_schools)
    chance = np.clip(rng.normal(0.65, TRUE_SD, size=n_schools), 0.01, 0.99)
    result = rng.binomial(cohort, chance) / cohort
    truth = float(100 * np.std(chance, ddof=1))
    raw, net = (float(v) for v in _spread(result, cohort, np.arange(n_schools)))
    draws = rng.integers(0, n_schools, size=(n_boot, n_schools))
    raw_b, net_b = _spread(result, cohort, draws)
    q = [alpha / 2, 1 - alpha / 2]
    raw_ci, net_ci = (tuple(float(v) for v in np.quantile(b, q)) for b in (raw_b, net_b))
    claims = (
        Claim("naive", "spread (SD, points) of school results", raw, *raw_ci, truth),
        Claim(
            "right",
            "spread net of what cohort size alone produces",
            net,
            *net_ci,
            truth,
        ),
    )
    frame = pd.DataFrame({"cohort_n": cohort, "result": result})
    return Lesson(
        heading="Small-cohort noise",
        question=(
            "School results range widely. How much do schools really differ in the chance "
            "that a pupil meets the standard?"
        ),
        claims=claims,
        remember=(
            "In a cohort of nine, one pupil moves the result by 11 points: judge small "
            "schools against a funnel, not a league table."
        ),
        data=(
            f"{n_schools:,} simulated schools with cohorts of 5 to 60 pupils and a true "
            f"spread (SD) of {100 * TRUE_SD:.0f} points in each school's chance"
        ),
        spec=LessonSpec("small_cohorts", seed, scale, alpha),
        notes=(
            "Each result is a count of pupils out of a cohort: with 9 pupils each one is "
            f"{100 / 9:.1f} points, so a school whose chance never changed can move 20 points "
            "between two years. The spread net of noise subtracts the binomial variance "
            "each cohort adds (estimated from its own result).",
        ),
        picture=lambda ax=None: funnel_plot(frame, "cohort_n", "result", ax=ax),
    )


def funnel_limits(mean: float, cohort: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Binomial control limits around ``mean`` (a proportion) for cohorts of ``cohort`` pupils."""
    half = z * np.sqrt(mean * (1 - mean) / cohort)
    return np.clip(mean - half, 0, 1), np.clip(mean + half, 0, 1)


def outside_share(
    frame: pd.DataFrame, cohort: str, result: str, z: float = LIMITS["99.8%"]
) -> float:
    """Share of schools outside the limits at ``z`` around the pupil-weighted mean."""
    n, r = frame[cohort].to_numpy(float), frame[result].to_numpy(float)
    mean = float(np.sum(r * n) / np.sum(n))
    low, high = funnel_limits(mean, n, z)
    return float(np.mean((r < low) | (r > high)))


def funnel_plot(
    frame: pd.DataFrame, cohort: str, result: str, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Each school's result (a proportion) against its cohort size, with binomial limits."""
    missing = {cohort, result} - set(frame.columns)
    if missing:
        raise InputError(
            f"funnel_plot: columns {sorted(missing)} are missing", column=sorted(missing)[0]
        )
    frame = frame[[cohort, result]].dropna()
    frame = frame[frame[cohort] > 0]
    ax = ax if ax is not None else new_axes()
    n, r = frame[cohort].to_numpy(float), frame[result].to_numpy(float)
    mean = float(np.sum(r * n) / np.sum(n))
    ax.scatter(n, 100 * r, s=8, alpha=0.4, color="tab:grey", label="a school")
    grid = np.linspace(max(n.min(), 2), n.max(), 200)
    for (name, z), style in zip(LIMITS.items(), ("--", ":"), strict=True):
        low, high = funnel_limits(mean, grid, z)
        ax.plot(grid, 100 * low, color="tab:blue", ls=style, label=f"{name} limits")
        ax.plot(grid, 100 * high, color="tab:blue", ls=style)
    ax.axhline(100 * mean, color="black", lw=0.8, label="average")
    ax.set_xlabel("pupils in the cohort")
    ax.set_ylabel("% meeting the standard")
    ax.set_title(title or "Funnel plot: results against cohort size")
    ax.legend(frameon=False)
    return ax
