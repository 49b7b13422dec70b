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
