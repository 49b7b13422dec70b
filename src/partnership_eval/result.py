"""The one face every analysis result shows, and :func:`compare` to line results up.

Every analysis in the package returns an object that is a :class:`Result`:

``spec``
    Frozen settings of what was estimated (a frozen dataclass with an ``alpha`` field).
``tidy()``
    DataFrame with the standard columns :data:`TIDY_COLUMNS` first (``term``, ``estimate``,
    ``se``, ``ci_low``, ``ci_high``, ``level``, ``n_treated``, ``n_comparison``; NaN
    where one does not apply) and any columns of its own after them.
``summary()``
    Plain text.
``plot(ax=None)``
    Draws on ``ax`` (or on a new figure in the report style) and returns the Axes;
    ``res.plot().figure`` displays as PNG in a notebook.
``headline()``
    The results.json headline: ``label``, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
    ``n_treated``, ``n_comparison`` (and ``truth`` where the caller knows it).
``exclusions``
    Always one DataFrame schema, :data:`EXCLUSION_COLUMNS` (step, reason, rows, schools).

The interval level always comes from ``spec.alpha``: :func:`level_label` gives its words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from partnership_eval.errors import InputError
from partnership_eval.exclusions import (  # noqa: F401  (part of the result face)
    EXCLUSION_COLUMNS,
    concat_exclusions,
    exclusion_frame,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

TIDY_COLUMNS = (
    "term",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "level",
    "n_treated",
    "n_comparison",
)
HEADLINE_FIELDS = ("label", "estimate", "se", "ci_low", "ci_high", "n_treated", "n_comparison")


def level_label(alpha: float) -> str:
    """The confidence level of ``alpha`` in words: ``0.05`` → ``"95%"``, ``0.1`` → ``"90%"``."""
    level = 100 * (1 - alpha)
    return f"{level:.0f}%" if abs(level - round(level)) < 1e-9 else f"{level:.1f}%"


def tidy_frame(rows: Iterable[Mapping[str, Any]] | pd.DataFrame, *, alpha: float) -> pd.DataFrame:
    """Rows as a tidy table: the standard columns first (NaN where absent), then the rest.

    ``level`` is filled from ``alpha`` where a row does not give it.
    """
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    frame = frame.reset_index(drop=True)
    for column in TIDY_COLUMNS:
        if column not in frame:
            frame[column] = np.nan if column != "term" else ""
    frame["level"] = pd.to_numeric(frame["level"], errors="coerce").fillna(1 - alpha)
    for column in ("estimate", "se", "ci_low", "ci_high"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("n_treated", "n_comparison"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").round().astype("Int64")
    frame["term"] = frame["term"].astype(str)
    rest = [c for c in frame.columns if c not in TIDY_COLUMNS]
    return frame[[*TIDY_COLUMNS, *rest]]


def _number(value: float, digits: int) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


class Result:
    """Mixin giving analysis results the shared face (see the module docstring).

    A subclass is a frozen dataclass with ``spec`` and ``exclusions`` fields and defines
    :meth:`tidy`, :meth:`plot` and :attr:`headline_label`; :meth:`summary` and
    :meth:`headline` work from the first row of ``tidy()`` unless overridden.
    """

    spec: Any
    exclusions: pd.DataFrame
    headline_label: ClassVar[str] = "estimate"
    title: ClassVar[str] = "Result"

    @property
    def alpha(self) -> float:
        """Significance level of every interval in this result."""
        return float(getattr(self.spec, "alpha", 0.05))

    @property
    def level(self) -> str:
        """The interval level in words, e.g. ``"95%"``."""
        return level_label(self.alpha)

    def tidy(self) -> pd.DataFrame:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def plot(self, ax: Axes | None = None) -> Axes:  # pragma: no cover - every subclass
        raise NotImplementedError

    def headline_row(self) -> pd.Series:
        """The tidy row the headline reports (the first, unless a subclass says otherwise)."""
        table = self.tidy()
        if table.empty:
            return pd.Series({c: np.nan for c in TIDY_COLUMNS})
        return table.iloc[0]

    def headline(self) -> dict[str, Any]:
        """The results.json headline of this result."""
        row = self.headline_row()
        out: dict[str, Any] = {"label": self.headline_label}
        for key in HEADLINE_FIELDS[1:]:
            value = row.get(key, np.nan)
            value = float(value) if pd.notna(value) else None
            if key.startswith("n_") and value is not None:
                value = int(value)
            out[key] = value
        return out

    def summary(self, digits: int = 3) -> str:
        """The tidy table as text with the interval level, and the exclusions."""
        table = self.tidy()
        lines = [self.title, f"intervals: {self.level}"]
        for row in table.itertuples(index=False):
            lines.append(
                f"  {row.term}: {_number(row.estimate, digits)} (se {_number(row.se, digits)}), "
                f"[{_number(row.ci_low, digits)}, {_number(row.ci_high, digits)}]"
            )
        if not self.exclusions.empty:
            lines.append("excluded:")
            for row in self.exclusions.itertuples(index=False):
                lines.append(f"  {row.step}: {row.reason} — {row.rows} rows, {row.schools} schools")
        return "\n".join(lines)


class Comparison(Result):
    """Several results side by side (what :func:`compare` returns)."""

    title = "Comparison"
    headline_label = "first result"

    def __init__(self, table: pd.DataFrame, alpha: float) -> None:
        self._table = table
        self.spec = _ComparisonSpec(alpha=alpha, models=tuple(dict.fromkeys(table["model"])))
        self.exclusions = exclusion_frame()

    def tidy(self) -> pd.DataFrame:
        """One row per (model, term), the model first."""
        return self._table.copy()

    def table(self, digits: int = 2) -> pd.DataFrame:
        """Terms down, results across: ``estimate (se)`` and the interval, then sample sizes."""
        rows = {}
        for model, group in self._table.groupby("model", sort=False):
            cells = {}
            for row in group.itertuples(index=False):
                cells[row.term] = (
                    f"{_number(row.estimate, digits)} ({_number(row.se, digits)}) "
                    f"[{_number(row.ci_low, digits)}, {_number(row.ci_high, digits)}]"
                )
            first = group.iloc[0]
            for key in ("n_treated", "n_comparison"):
                if pd.notna(first[key]):
                    cells[key.replace("_", " ")] = f"{int(first[key]):,}"
            rows[model] = cells
        out = pd.DataFrame(rows).fillna("")
        out.index.name = "term"
        return out

    def plot(self, ax: Axes | None = None) -> Axes:
        """Estimates and intervals of every result, one row each."""
        from partnership_eval.plots import coefficient_plot

        return coefficient_plot(self._table, label_column="model", ax=ax)


class _ComparisonSpec:
    """Settings of a comparison: its level and the results it lines up."""

    __slots__ = ("alpha", "models")

    def __init__(self, alpha: float, models: tuple[str, ...]) -> None:
        self.alpha = alpha
        self.models = models

    def __repr__(self) -> str:
        return f"ComparisonSpec(alpha={self.alpha}, models={self.models})"


@dataclass(frozen=True)
class HypothesisTest:
    """A test's statistic, degrees of freedom and p-value, with how it was made.

    ``p_value`` is NaN (``df`` 0) when the test could not be computed.
    """

    statistic: float
    df: int
    p_value: float
    method: str = ""
    n: int | None = None
    n_clusters: int | None = None

    @property
    def computed(self) -> bool:
        """Whether the test could be computed."""
        return bool(np.isfinite(self.p_value))

    def summary(self) -> str:
        """The test in one line."""
        if not self.computed:
            return f"{self.method or 'test'}: not computable"
        return (
            f"{self.method or 'test'}: statistic {self.statistic:.2f} on {self.df} df, "
            f"p = {self.p_value:.3g}"
        )


COMPARED_EXTRAS = ("truth", "note")
"""Columns :func:`compare` keeps beside the standard ones when a result's tidy table has them."""
COMPARED_COLUMNS = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n_treated",
    "n_comparison",
    *COMPARED_EXTRAS,
)
"""The columns of a published comparison table after its label columns."""


@dataclass(frozen=True)
class EstimateSpec:
    """Settings of a single estimate: only its interval level."""

    alpha: float = 0.05


@dataclass(frozen=True)
class SingleEstimate(Result):
    """One estimate given by its numbers (a row of a comparison), or one that could not be
    made, with the reason in ``note`` (:func:`not_estimated`)."""

    term: str
    estimate: float = np.nan
    se: float = np.nan
    ci_low: float = np.nan
    ci_high: float = np.nan
    n_treated: float = np.nan
    n_comparison: float = np.nan
    truth: float | None = None
    note: str = ""
    spec: EstimateSpec = field(default_factory=EstimateSpec)
    exclusions: pd.DataFrame = field(default_factory=lambda: exclusion_frame())
    title = "Estimate"

    def tidy(self) -> pd.DataFrame:
        """The one row, with its truth and note."""
        row = {k: getattr(self, k) for k in (*TIDY_COLUMNS, *COMPARED_EXTRAS) if k != "level"}
        return tidy_frame([row], alpha=self.alpha)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The estimate with its interval."""
        from partnership_eval.plots import coefficient_plot

        return coefficient_plot(self.tidy(), ax=ax)


def noted(
    result: Result, note: str, truth: float | None = None, term: str = "overall"
) -> SingleEstimate:
    """The headline row of ``result`` as a single estimate named ``term``, carrying
    ``note`` (and ``truth``)."""
    row = result.headline_row()
    return SingleEstimate(
        term=term,
        **{k: row[k] for k in ("estimate", "se", "ci_low", "ci_high", "n_treated", "n_comparison")},
        truth=truth,
        note=note,
        spec=EstimateSpec(result.alpha),
    )


def compared_table(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of a comparison's tidy table, ``truth`` (NaN) and ``note`` ("") filled in."""
    table = table.copy()
    if "truth" not in table:
        table["truth"] = np.nan
    table["note"] = table["note"].fillna("") if "note" in table else ""
    return table[list(columns)]


def not_estimated(term: str, reason: str, alpha: float = 0.05) -> SingleEstimate:
    """A result standing for an estimate that could not be made, saying why."""
    return SingleEstimate(term=term, note=reason, spec=EstimateSpec(alpha))


def compare(
    results: Sequence[Result] | Mapping[str, Result],
    names: Sequence[str] | None = None,
    *,
    terms: Sequence[str] | None = None,
) -> Comparison:
    """Line results up side by side, as pyfixest's ``etable`` or linearmodels' ``compare``.

    ``results`` is a sequence (named by ``names``, default their titles) or a mapping of
    name → result. ``terms`` keeps only those terms. Every result must share one ``alpha``.
    """
    if isinstance(results, Mapping):
        if names is not None:
            raise InputError("compare: give names or a mapping of results, not both")
        names, results = list(results), list(results.values())
    results = list(results)
    if not results:
        raise InputError("compare: no results given", fix="pass at least one result")
    if names is None:
        names = [r.title for r in results]
    if len(names) != len(results):
        raise InputError(
            f"compare: {len(names)} names for {len(results)} results",
            fix="give one name per result",
        )
    if len(set(names)) != len(names):
        raise InputError("compare: names must differ", fix="give each result its own name")
    bad = [n for n, r in zip(names, results, strict=True) if not isinstance(r, Result)]
    if bad:
        raise InputError(
            f"compare: {', '.join(map(str, bad))} is not an analysis result",
            fix="pass objects returned by the package's analyses",
        )
    alphas = {round(r.alpha, 12) for r in results}
    if len(alphas) > 1:
        raise InputError(
            f"compare: results have different alpha ({', '.join(map(str, sorted(alphas)))})",
            fix="estimate them at one alpha",
        )
    frames = []
    for name, result in zip(names, results, strict=True):
        table = result.tidy()
        if terms is not None:
            table = table[table["term"].isin(terms)]
        frames.append(table.assign(model=name))
    table = pd.concat(frames, ignore_index=True)
    extra = [c for c in COMPARED_EXTRAS if c in table]
    return Comparison(table[["model", *TIDY_COLUMNS, *extra]], alpha=results[0].alpha)
