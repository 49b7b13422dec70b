"""Figures of the ``00_overview`` report, in the shared style of :mod:`partnership_eval.plots`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from partnership_eval.analyses.overview.summaries import ANY_KIND
from partnership_eval.disclosure import THRESHOLD
from partnership_eval.labels import axis_label, kind_label, measure_label
from partnership_eval.plots import PALETTE, styled, year_axis

GROUP_COLOURS = {"partnership schools": "#0072B2", "other schools": "#999999"}


def schools_by_size_plot(table: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Axes:
    """Bars of schools per size band, rural and urban side by side.

    ``table`` as returned by :func:`schools_by_size_and_setting`.
    """
    with styled(ax) as ax:
        sns.barplot(data=table, x="size_band", y="schools", hue="setting", palette=PALETTE, ax=ax)
        ax.set(xlabel="pupils on roll", ylabel="schools", title=title)
        ax.legend(title=None, frameon=False)
    return ax


def coverage_plot(table: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Axes:
    """Lines of the % of open schools in a partnership each year, one per kind.

    ``table`` as returned by :func:`.summaries.partnership_coverage`;
    kinds no school ever belonged to are left out.
    """
    shown = table[table.groupby("kind")["schools"].transform("max") > 0]
    shown = shown.assign(kind=shown["kind"].map(lambda k: k if k == ANY_KIND else kind_label(k)))
    kinds = [k for k in dict.fromkeys(shown["kind"]) if k != ANY_KIND]
    colours = dict(zip(kinds, sns.color_palette(PALETTE, len(kinds)), strict=True))
    with styled(ax) as ax:
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
        year_axis(ax)
        ax.set_ylim(bottom=0)
        ax.legend(title=None, frameon=False)
    return ax


def _segments(years: pd.Series) -> np.ndarray:
    """Number consecutive runs of years so lines break where years are missing."""
    ordered = np.sort(years.unique())
    breaks = np.concatenate([[0], np.cumsum(np.diff(ordered) > 1)])
    return pd.Series(breaks, index=ordered).reindex(years).to_numpy()


def ks2_trend_plot(table: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Axes:
    """Lines of pupil-weighted % meeting the KS2 expected standard, partnership schools
    against others, broken where there were no tests.

    ``table`` as returned by :func:`.summaries.ks2_trends`. Points resting
    on 5 or fewer pupils are not drawn, as they would be suppressed in a table.
    """
    shown = table[table["ks2_rwm_exp"].notna() & (table["pupils"] > THRESHOLD)].copy()
    shown["segment"] = _segments(shown["year"])
    with styled(ax) as ax:
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
        ax.set(ylabel=axis_label(measure_label("ks2_rwm_exp")), title=title)
        year_axis(ax)
        ax.legend(title=None, frameon=False)
    return ax
