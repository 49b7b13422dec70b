"""The shared result face: tidy columns, exclusions schema, levels from alpha, compare."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pytest

from partnership_eval.errors import InputError
from partnership_eval.plots import new_axes
from partnership_eval.result import (
    EXCLUSION_COLUMNS,
    TIDY_COLUMNS,
    Result,
    compare,
    concat_exclusions,
    exclusion_frame,
    level_label,
    tidy_frame,
)


@dataclass(frozen=True)
class _Spec:
    alpha: float = 0.05


@dataclass(frozen=True)
class _Toy(Result):
    estimate: float
    spec: _Spec = _Spec()
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    headline_label = "toy effect"
    title = "Toy"

    def tidy(self) -> pd.DataFrame:
        return tidy_frame(
            [
                {
                    "term": "att",
                    "estimate": self.estimate,
                    "se": 1.0,
                    "ci_low": -1.0,
                    "ci_high": 3.0,
                    "n_treated": 4,
                    "n_comparison": 9,
                }
            ],
            alpha=self.alpha,
        )

    def plot(self, ax=None):
        from partnership_eval.plots import coefficient_plot

        return coefficient_plot(self.tidy(), ax=ax)


@pytest.mark.parametrize(("alpha", "words"), [(0.05, "95%"), (0.1, "90%"), (0.005, "99.5%")])
def test_level_label_follows_alpha(alpha, words):
    assert level_label(alpha) == words


def test_tidy_frame_puts_standard_columns_first_and_fills_level():
    table = tidy_frame([{"extra": 1, "term": "x", "estimate": 2.0}], alpha=0.1)
    assert tuple(table.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert table.loc[0, "level"] == pytest.approx(0.9)
    assert table["se"].isna().all() and list(table.columns)[-1] == "extra"


def test_exclusion_frame_has_one_schema_even_when_empty():
    assert tuple(exclusion_frame().columns) == EXCLUSION_COLUMNS
    table = exclusion_frame([{"reason": "no results", "rows": 3, "schools": 2}], step="panel")
    assert table.loc[0, "step"] == "panel" and table.loc[0, "rows"] == 3
    both = concat_exclusions(table, exclusion_frame(), table)
    assert len(both) == 2
    with pytest.raises(InputError, match="rows"):
        exclusion_frame([{"reason": "x"}])


def test_headline_and_summary_use_the_tidy_row_and_alpha():
    toy = _Toy(1.5, spec=_Spec(alpha=0.1))
    assert toy.headline() == {
        "label": "toy effect",
        "estimate": 1.5,
        "se": 1.0,
        "ci_low": -1.0,
        "ci_high": 3.0,
        "n_treated": 4,
        "n_comparison": 9,
    }
    assert "intervals: 90%" in toy.summary()


def test_compare_lines_results_up_and_refuses_mixed_alpha():
    both = compare([_Toy(1.0), _Toy(2.0)], names=["main", "variant"])
    assert list(both.tidy()["model"]) == ["main", "variant"]
    wide = both.table()
    assert list(wide.columns) == ["main", "variant"]
    assert wide.loc["att", "variant"].startswith("2.00 (1.00)")
    assert wide.loc["n treated", "main"] == "4"
    ax = both.plot(ax=new_axes())
    assert len(ax.get_yticklabels()) == 2
    with pytest.raises(InputError, match="alpha"):
        compare({"a": _Toy(1.0), "b": _Toy(1.0, spec=_Spec(alpha=0.1))})
    with pytest.raises(InputError, match="names"):
        compare([_Toy(1.0)], names=["a", "b"])
    with pytest.raises(InputError, match="not an analysis result"):
        compare([object()], names=["x"])
