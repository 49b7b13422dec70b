"""One lesson of the methods primer: a question, its naive and right answers, and the truth.

Every number a lesson shows is a :class:`Claim`: an estimate with its interval next to
the truth the simulation planted. A *naive* claim is the answer a quick comparison gives
(its interval misses the truth); a *right* claim is the design that answers the question
(its interval covers the truth). ``tests/analyses/test_primer.py`` checks both for
several seeds.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from partnership_eval.plots import new_axes
from partnership_eval.result import Result, exclusion_frame, tidy_frame


@dataclass(frozen=True)
class Claim:
    """An answer to a lesson's question: estimate, interval, and the planted truth.

    ``share`` marks numbers that are proportions (shown as percentages).
    """

    kind: str
    label: str
    estimate: float
    ci_low: float
    ci_high: float
    truth: float
    se: float = np.nan
    share: bool = False

    @property
    def covers(self) -> bool:
        """Whether the interval holds the truth."""
        return bool(self.ci_low <= self.truth <= self.ci_high)

    def words(self, level: str) -> str:
        """The claim in one line of markdown."""
        number = _fmt(self.estimate, self.share)
        if self.ci_low == self.ci_high:
            interval = "taken as exact, no interval"
        else:
            interval = f"{level} interval {_fmt(self.ci_low, self.share)} to {_fmt(self.ci_high, self.share)}"
        verdict = "covers" if self.covers else "misses"
        return (
            f"{self.label}: **{number}** ({interval}) — truth {_fmt(self.truth, self.share)}; "
            f"the interval {verdict} it."
        )


def _fmt(value: float, share: bool) -> str:
    return f"{100 * value:.1f}%" if share else f"{value:.2f}"


@dataclass(frozen=True)
class LessonSpec:
    """Settings of a lesson: which one, the seed and scale of its simulation."""

    name: str
    seed: int
    scale: str
    alpha: float = 0.05


@dataclass(frozen=True)
class Lesson(Result):
    """A primer section: ``question``, ``claims`` (naive and right), ``remember``.

    ``data`` says what the numbers were computed on; ``picture`` draws the section's own
    figure (``plot`` draws the claims against the truth).
    """

    heading: str
    question: str
    claims: tuple[Claim, ...]
    remember: str
    data: str
    spec: LessonSpec
    notes: tuple[str, ...] = ()
    picture: Callable[[Axes | None], Axes] | None = None
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title: ClassVar[str] = "Methods primer lesson"

    @property
    def headline_label(self) -> str:  # type: ignore[override]
        return f"{self.heading}: the right answer"

    def of_kind(self, kind: str) -> tuple[Claim, ...]:
        """The claims of one kind, ``"naive"`` or ``"right"``."""
        return tuple(c for c in self.claims if c.kind == kind)

    def tidy(self) -> pd.DataFrame:
        """One row per claim: the right answers first, then the naive ones."""
        claims = sorted(self.claims, key=lambda c: c.kind != "right")
        rows = [
            {
                "term": c.label,
                "estimate": c.estimate,
                "se": c.se,
                "ci_low": c.ci_low,
                "ci_high": c.ci_high,
                "kind": c.kind,
                "truth": c.truth,
                "covers_truth": c.covers,
            }
            for c in claims
        ]
        return tidy_frame(rows, alpha=self.alpha)

    def headline(self) -> dict[str, object]:
        """The first right answer, with the truth it should cover."""
        out = super().headline()
        out["truth"] = float(self.tidy()["truth"].iloc[0])
        return out

    def markdown(self) -> str:
        """The section's text: question, naive answer, right answer, truth, and the moral."""
        level = self.level
        naive = "\n".join(f"- {c.words(level)}" for c in self.of_kind("naive"))
        right = "\n".join(f"- {c.words(level)}" for c in self.of_kind("right"))
        notes = "".join(f"\n\n{n}" for n in self.notes)
        return (
            f"**The question.** {self.question}\n\n"
            f"*Computed on: {self.data}.*\n\n"
            f"**The naive answer**\n\n{naive}\n\n"
            f"**The right answer**\n\n{right}{notes}\n\n"
            f"> **Remember:** {self.remember}"
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each claim's estimate and interval, with the truth marked (shares in %)."""
        claims = list(self.claims)
        ax = ax if ax is not None else new_axes((8.0, 1.0 + 1.1 * len(claims)))
        ys = np.arange(len(claims))[::-1]
        scale = [100.0 if c.share else 1.0 for c in claims]
        for y, c, k in zip(ys, claims, scale, strict=True):
            colour = "tab:red" if c.kind == "naive" else "tab:blue"
            ax.errorbar(
                c.estimate * k,
                y,
                xerr=[[(c.estimate - c.ci_low) * k], [(c.ci_high - c.estimate) * k]],
                fmt="o",
                color=colour,
                capsize=4,
            )
            ax.plot(c.truth * k, y, marker="x", color="black", ms=10, mew=2)
        ax.set_yticks(ys, [f"{c.kind} answer:\n{textwrap.fill(c.label, 30)}" for c in claims])
        ax.set_ylim(ys.min() - 0.6, ys.max() + 0.6)
        shares = {c.share for c in claims}
        unit = "%" if shares == {True} else "points" if shares == {False} else "% or points"
        ax.set_xlabel(f"estimate ({unit}) with its {self.level} interval (x: the truth)")
        ax.set_title(self.heading)
        return ax

    def figure(self, ax: Axes | None = None) -> Axes:
        """The section's own picture (the claims chart when it has none)."""
        return self.picture(ax) if self.picture is not None else self.plot(ax)
