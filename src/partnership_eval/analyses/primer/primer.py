"""The methods primer: every lesson on one seed and scale, as one result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd
from matplotlib.axes import Axes

from partnership_eval.analyses.primer.cohorts import cohort_lesson
from partnership_eval.analyses.primer.england import bad_year_draw, pre_join_gap
from partnership_eval.analyses.primer.inference import area_lesson, mde_lesson
from partnership_eval.analyses.primer.intervals import scale_factor
from partnership_eval.analyses.primer.lesson import Lesson
from partnership_eval.analyses.primer.selection import mean_reversion_lesson, selection_lesson
from partnership_eval.analyses.primer.timing import (
    pretest_size_lesson,
    timing_lesson,
    trends_lesson,
)
from partnership_eval.data.store import DataTables
from partnership_eval.result import Result, concat_exclusions, exclusion_frame, tidy_frame


@dataclass(frozen=True)
class PrimerSpec:
    """Settings of the primer: the simulations' seed and scale, the interval level."""

    seed: int = 0
    scale: str = "small"
    alpha: float = 0.05


@dataclass(frozen=True)
class MethodsPrimer(Result):
    """The primer's lessons, by name in the order the notebook shows them."""

    lessons: dict[str, Lesson]
    spec: PrimerSpec
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    headline_label: ClassVar[str] = (
        "lessons whose naive answer misses the truth and right one covers it"
    )
    title: ClassVar[str] = "Methods primer"

    def __getitem__(self, name: str) -> Lesson:
        return self.lessons[name]

    def tidy(self) -> pd.DataFrame:
        """Every claim of every lesson, the lesson first."""
        frames = [lesson.tidy().assign(lesson=lesson.heading) for lesson in self.lessons.values()]
        return tidy_frame(pd.concat(frames, ignore_index=True), alpha=self.alpha)

    def n_held(self) -> int:
        """Lessons whose naive claims all miss the truth and right claims all cover it."""
        return sum(
            all(not c.covers for c in lesson.of_kind("naive"))
            and all(c.covers for c in lesson.of_kind("right"))
            for lesson in self.lessons.values()
        )

    def headline(self) -> dict[str, object]:
        """How many lessons came out as the primer says, of how many."""
        return {
            "label": self.headline_label,
            "estimate": float(self.n_held()),
            "se": None,
            "ci_low": None,
            "ci_high": None,
            "truth": float(len(self.lessons)),
            "n_treated": None,
            "n_comparison": None,
        }

    def table(self) -> pd.DataFrame:
        """The claims in words: lesson, answer, estimate, interval, truth (published as is)."""
        t = self.tidy()
        return pd.DataFrame(
            {
                "lesson": t["lesson"],
                "answer": t["kind"],
                "claim": t["term"],
                "estimate": t["estimate"].round(3),
                "interval from": t["ci_low"].round(3),
                "interval to": t["ci_high"].round(3),
                "truth": t["truth"].round(3),
                "covers the truth": t["covers_truth"].map({True: "yes", False: "no"}),
            }
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """The first lesson's claims against its truth."""
        return next(iter(self.lessons.values())).plot(ax)


def methods_primer(
    data: DataTables | None = None, *, seed: int = 0, scale: str = "small", alpha: float = 0.05
) -> MethodsPrimer:
    """Run every lesson of the primer.

    ``data`` (optional) adds what the data folder shows: the pre-joining gap of later
    cluster members and, in synthetic England, the bad-year draws of its truth table.
    """
    scale_factor(scale)
    bad_year = bad_year_draw(data) if data is not None else None
    before = pre_join_gap(data) if data is not None else None
    common = {"seed": seed, "scale": scale, "alpha": alpha}
    lessons = {
        "selection": selection_lesson(**common, before=before),
        "mean_reversion": mean_reversion_lesson(**common, bad_year_draws=bad_year),
        "small_cohorts": cohort_lesson(**common),
        "timing": timing_lesson(**common),
        "trends": trends_lesson(**common),
        "pretest_size": pretest_size_lesson(**common),
        "one_area": area_lesson(**common),
        "mde": mde_lesson(**common),
    }
    return MethodsPrimer(
        lessons=lessons,
        spec=PrimerSpec(seed, scale, alpha),
        exclusions=concat_exclusions(*(lesson.exclusions for lesson in lessons.values())),
    )
