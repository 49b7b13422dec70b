"""Seaborn figures for the reports, in one common style.

Each function takes the tidy table of an analysis function and returns a
:class:`ReportFigure`: a matplotlib figure made without pyplot that shows itself as PNG,
so a notebook cell ending with it shows it exactly once and no figure state leaks
between cells. Figures are drawn at a fixed size and resolution, without metadata, so
identical tables give identical images.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from partnership_eval.disclosure import THRESHOLD
from partnership_eval.overview import ANY_KIND

FIGSIZE = (7.5, 4.0)
DPI = 100
PALETTE = "colorblind"
GROUP_COLOURS = {"partnership schools": "#0072B2", "other schools": "#999999"}


class ReportFigure(Figure):
    """A figure that IPython displays as a PNG (``_repr_png_``), no pyplot needed."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()


def report_style() -> dict[str, object]:
    """Matplotlib settings of every report figure (seaborn's whitegrid, notebook context)."""
    return {
        **sns.axes_style("whitegrid"),
        **sns.plotting_context("notebook", font_scale=0.9),
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _year_axis(ax: Axes) -> None:
    """Label the x axis as academic years: whole years only (never 2016.5)."""
    ax.set_xlabel("academic year (2015 = 2014/15)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


@contextmanager
def _styled() -> Iterator[tuple[ReportFigure, Axes]]:
    """A new figure and axes, drawn in the report style."""
    with mpl.rc_context(report_style()):
        fig = ReportFigure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
        yield fig, fig.add_subplot()


def new_axes(figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """Axes on a new :class:`ReportFigure` in the report style (``ax.figure`` shows as PNG)."""
    with mpl.rc_context(report_style()):
        fig = ReportFigure(figsize=figsize, dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
    return ax


def event_study_plot(
    table: pd.DataFrame,
    *,
    x: str = "event_time",
    ax: Axes | None = None,
    label: str = "estimate",
    band_label: str = "95% interval",
    colour: object = None,
    reference: float | None = None,
    ylabel: str = "effect",
    xlabel: str = "years since the start (0 = first year)",
    title: str = "",
) -> Axes:
    """Estimates by event time as a line in a shaded interval band, the start marked.

    The one event-study picture of the package (staggered DiD, TWFE, intake dip):
    ``table`` has ``x``, ``estimate``, ``ci_low`` and ``ci_high``; ``reference`` marks
    a period pinned to zero. Pass the ``ax`` of another event study to overlay.
    """
    ax = ax if ax is not None else new_axes()
    colour = colour if colour is not None else sns.color_palette(PALETTE)[0]
    with mpl.rc_context(report_style()):
        ax.fill_between(
            table[x],
            table["ci_low"],
            table["ci_high"],
            color=colour,
            alpha=0.2,
            linewidth=0,
            label=band_label,
        )
        ax.plot(table[x], table["estimate"], marker="o", color=colour, label=label)
        if reference is not None:
            ax.plot(
                [reference],
                [0.0],
                "o",
                mfc="white",
                mec=colour,
                ms=8,
                label=f"reference ({reference:g})",
            )
        ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(frameon=False)
    return ax


def coefficient_plot(
    table: pd.DataFrame,
    *,
    label_column: str = "term",
    ax: Axes | None = None,
    xlabel: str = "estimate",
    title: str = "",
    reference: float | None = 0.0,
) -> Axes:
    """Estimates with their intervals, one row each, labelled by ``label_column``
    (and by ``term`` too where a label has several terms)."""
    shown = table.reset_index(drop=True)
    labels = shown[label_column].astype(str)
    if label_column != "term" and "term" in shown and shown.groupby(label_column).size().max() > 1:
        labels = labels + ": " + shown["term"].astype(str)
    ax = ax if ax is not None else new_axes((FIGSIZE[0], max(2.0, 0.45 * len(shown) + 1.0)))
    y = np.arange(len(shown))[::-1]
    with mpl.rc_context(report_style()):
        ax.errorbar(
            shown["estimate"],
            y,
            xerr=[shown["estimate"] - shown["ci_low"], shown["ci_high"] - shown["estimate"]],
            fmt="o",
            color=sns.color_palette(PALETTE)[0],
            capsize=3,
        )
        if reference is not None:
            ax.axvline(reference, color="black", linewidth=0.8)
        ax.set_yticks(y, labels)
        ax.set(xlabel=xlabel, title=title)
    return ax


def schools_by_size_plot(table: pd.DataFrame, *, title: str = "") -> ReportFigure:
    """Bars of schools per size band, rural and urban side by side.

    ``table`` as returned by :func:`partnership_eval.overview.schools_by_size_and_setting`.
    """
    with _styled() as (fig, ax):
        sns.barplot(data=table, x="size_band", y="schools", hue="setting", palette=PALETTE, ax=ax)
        ax.set(xlabel="pupils on roll", ylabel="schools", title=title)
        ax.legend(title=None, frameon=False)
    return fig


def coverage_plot(table: pd.DataFrame, *, title: str = "") -> ReportFigure:
    """Lines of the % of open schools in a partnership each year, one per kind.

    ``table`` as returned by :func:`partnership_eval.overview.partnership_coverage`;
    kinds no school ever belonged to are left out.
    """
    shown = table[table.groupby("kind")["schools"].transform("max") > 0]
    kinds = [k for k in dict.fromkeys(shown["kind"]) if k != ANY_KIND]
    colours = dict(zip(kinds, sns.color_palette(PALETTE, len(kinds)), strict=True))
    with _styled() as (fig, ax):
        sns.lineplot(
            data=shown,
            x="year",
            y="share",
            hue="kind",
            style="kind",
            dashes={k: (2, 2) if k == ANY_KIND else "" for k in shown["kind"].unique()},
            marker="o",
            palette={**colours, ANY_KIND: "black"},
            ax=ax,
        )
        ax.set(ylabel="% of open schools", title=title)
        _year_axis(ax)
        ax.set_ylim(bottom=0)
        ax.legend(title=None, frameon=False)
    return fig


def _segments(years: pd.Series) -> np.ndarray:
    """Number consecutive runs of years so lines break where years are missing."""
    ordered = np.sort(years.unique())
    breaks = np.concatenate([[0], np.cumsum(np.diff(ordered) > 1)])
    return pd.Series(breaks, index=ordered).reindex(years).to_numpy()


def ks2_trend_plot(table: pd.DataFrame, *, title: str = "") -> ReportFigure:
    """Lines of pupil-weighted % meeting the KS2 expected standard, partnership schools
    against others, broken where there were no tests.

    ``table`` as returned by :func:`partnership_eval.overview.ks2_trends`. Points resting
    on 5 or fewer pupils are not drawn, as they would be suppressed in a table.
    """
    shown = table[table["ks2_rwm_exp"].notna() & (table["pupils"] > THRESHOLD)].copy()
    shown["segment"] = _segments(shown["year"])
    with _styled() as (fig, ax):
        sns.lineplot(
            data=shown,
            x="year",
            y="ks2_rwm_exp",
            hue="group",
            units="segment",
            estimator=None,
            marker="o",
            palette=GROUP_COLOURS,
            ax=ax,
        )
        ax.set(ylabel="% meeting expected standard (RWM)", title=title)
        _year_axis(ax)
        ax.legend(title=None, frameon=False)
    return fig
