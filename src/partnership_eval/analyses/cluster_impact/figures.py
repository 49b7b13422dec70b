"""Figures of the impact report, in the report style of :mod:`partnership_eval.plots`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from partnership_eval.analyses.cluster_impact.outcomes import OUTCOME_LABELS
from partnership_eval.analyses.cluster_impact.trends import NO_TESTS
from partnership_eval.disclosure import THRESHOLD
from partnership_eval.plots import DPI, FIGSIZE, PALETTE, ReportFigure, report_style

TREATED_COLOUR = "#0072B2"
COMPARISON_COLOUR = "#999999"
TRUTH_COLOUR = "#D55E00"


@contextmanager
def _figure(
    ncols: int = 1, height: float = FIGSIZE[1]
) -> Iterator[tuple[ReportFigure, list[Axes]]]:
    with mpl.rc_context(report_style()):
        fig = ReportFigure(figsize=(FIGSIZE[0], height), dpi=DPI, layout="constrained")
        axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
        yield fig, axes


def _shade_gap(ax: Axes, years: np.ndarray) -> None:
    gap = [y for y in NO_TESTS if years.min() < y < years.max()]
    if gap:
        ax.axvspan(min(gap) - 0.5, max(gap) + 0.5, color="0.92", zorder=0)
        ax.text(np.mean(gap), ax.get_ylim()[1], "no KS2 tests", ha="center", va="top", fontsize=8)


def _whole_years(ax: Axes) -> None:
    """Tick marks on whole years (or whole years since the start) only."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def trends_plot(
    trends: pd.DataFrame, outcome: str, *, starts: list[int], title: str = ""
) -> ReportFigure:
    """Yearly means of treated and comparison schools; lines break at the no-test years.

    Means resting on 5 or fewer pupils are not drawn (they would be suppressed in a table).
    """
    trends = trends.assign(mean=trends["mean"].where(trends["pupils"] > THRESHOLD))
    colours = dict(zip(trends["group"].unique(), sns.color_palette(PALETTE), strict=False))
    colours.update({"treated": TREATED_COLOUR, "comparison": COMPARISON_COLOUR})
    with _figure() as (fig, (ax,)):
        for group, rows in trends.groupby("group", sort=False):
            rows = rows.sort_values("year")
            style = "--" if group not in ("treated", "comparison") else "-"
            ax.plot(
                rows["year"],
                rows["mean"],
                style,
                marker="o",
                markersize=3,
                color=colours[group],
                label=group,
            )
        for start in starts:
            ax.axvline(start - 0.5, color=TREATED_COLOUR, linestyle=":", linewidth=0.8)
        ax.set(
            xlabel="academic year (2015 = 2014/15)",
            ylabel=f"mean {OUTCOME_LABELS.get(outcome, outcome)}",
            title=title,
        )
        _shade_gap(ax, trends["year"].to_numpy())
        _whole_years(ax)
        ax.legend(frameon=False, fontsize="small")
    return fig


def event_study_plot(
    table: pd.DataFrame, outcome: str, *, title: str = "", twfe: pd.DataFrame | None = None
) -> ReportFigure:
    """Effect by years since the start with its band; planted truth and TWFE if given."""
    with _figure() as (fig, (ax,)):
        x = table["event_time"].to_numpy()
        ax.fill_between(
            x,
            table["ci_low"],
            table["ci_high"],
            color=TREATED_COLOUR,
            alpha=0.2,
            linewidth=0,
            label="95% band",
        )
        ax.plot(x, table["att"], marker="o", color=TREATED_COLOUR, label="staggered DiD")
        if twfe is not None:
            ax.plot(
                twfe["event_time"],
                twfe["estimate"],
                marker="s",
                linestyle="--",
                color=COMPARISON_COLOUR,
                label="TWFE event study",
            )
        if "truth" in table.columns and table["truth"].notna().any():
            ax.plot(x, table["truth"], color=TRUTH_COLOUR, linestyle="-.", label="planted effect")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
        _whole_years(ax)
        ax.set(
            xlabel="years since the school joined (0 = first year)",
            ylabel=f"effect on {OUTCOME_LABELS.get(outcome, outcome)}",
            title=title,
        )
        ax.legend(frameon=False, fontsize="small")
    return fig


def forest_plot(table: pd.DataFrame, label: str, *, title: str = "") -> ReportFigure:
    """Estimates with intervals, one row each (missing estimates left blank); truth if given."""
    shown = table.reset_index(drop=True)
    height = max(2.5, 0.45 * len(shown) + 1.2)
    with _figure(height=height) as (fig, (ax,)):
        y = np.arange(len(shown))[::-1]
        est = shown["estimate"].astype(float).to_numpy()
        low, high = (
            shown["ci_low"].astype(float).to_numpy(),
            shown["ci_high"].astype(float).to_numpy(),
        )
        ok = np.isfinite(est)
        ax.errorbar(
            est[ok],
            y[ok],
            xerr=np.vstack([est[ok] - low[ok], high[ok] - est[ok]]),
            fmt="o",
            color=TREATED_COLOUR,
            capsize=3,
            label="estimate, 95% CI",
        )
        if "truth" in shown.columns:
            truth = pd.to_numeric(shown["truth"], errors="coerce").to_numpy()
            has = np.isfinite(truth)
            if has.any():
                ax.scatter(
                    truth[has],
                    y[has],
                    marker="x",
                    color=TRUTH_COLOUR,
                    zorder=3,
                    label="planted effect",
                )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, shown[label].astype(str))
        ax.set(xlabel="effect (points)", title=title)
        ax.legend(frameon=False, fontsize="small", loc="best")
    return fig


def claims_plot(floor: pd.DataFrame, ofsted: pd.DataFrame, *, title: str = "") -> ReportFigure:
    """% of school-years below the floor standard and % good or better, by group and year."""
    colours = {"treated": TREATED_COLOUR, "comparison": COMPARISON_COLOUR}
    with _figure(ncols=2) as (fig, axes):
        for ax, frame, ylabel in (
            (axes[0], floor, "% below floor standard"),
            (axes[1], ofsted, "% good or better (Ofsted)"),
        ):
            for group, rows in frame.groupby("group"):
                ax.plot(
                    rows["year"],
                    rows["share"],
                    marker="o",
                    markersize=3,
                    color=colours.get(group),
                    label=group,
                )
            ax.set(xlabel="academic year", ylabel=ylabel)
            _whole_years(ax)
            ax.legend(frameon=False, fontsize="small")
        if title:
            fig.suptitle(title)
    return fig
