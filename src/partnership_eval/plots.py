"""Seaborn figures for the reports, in one common style.

Figures are :class:`ReportFigure`: matplotlib figures made without pyplot that show
themselves as PNG, so a notebook cell ending with one shows it exactly once and no figure
state leaks between cells (``result.plot().figure``). This module holds the style and the
pictures several reports share (event study, coefficients); a report's own figures live
in its room. Figures are drawn at a fixed size and resolution, without metadata, so
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

FIGSIZE = (7.5, 4.0)
DPI = 100
PALETTE = "colorblind"


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


def year_axis(ax: Axes) -> None:
    """Label the x axis as academic years: whole years only (never 2016.5)."""
    ax.set_xlabel("academic year (2015 = 2014/15)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def new_axes(figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """Axes on a new :class:`ReportFigure` in the report style (``ax.figure`` shows as PNG)."""
    with mpl.rc_context(report_style()):
        fig = ReportFigure(figsize=figsize, dpi=DPI, layout="constrained")
        return fig.add_subplot()


@contextmanager
def styled(ax: Axes | None = None, figsize: tuple[float, float] = FIGSIZE) -> Iterator[Axes]:
    """Draw in the report style on ``ax``, or on new axes when it is None."""
    with mpl.rc_context(report_style()):
        yield ax if ax is not None else new_axes(figsize)


def strip_plot(
    values: np.ndarray, *, label: str, xlabel: str, title: str, ax: Axes | None = None
) -> Axes:
    """Values as a jittered strip around a line at zero (e.g. one point per placebo area)."""
    ax = ax if ax is not None else new_axes()
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(values))
    ax.scatter(values, jitter, color="grey", alpha=0.7, label=label)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set(yticks=[], xlabel=xlabel, title=title)
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
    colour = colour if colour is not None else sns.color_palette(PALETTE)[0]
    with styled(ax) as ax:
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
    y = np.arange(len(shown))[::-1]
    with styled(ax, (FIGSIZE[0], max(2.0, 0.45 * len(shown) + 1.0))) as ax:
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
