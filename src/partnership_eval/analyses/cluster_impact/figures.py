"""Figures of the impact report, in the report style of :mod:`partnership_eval.plots`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from partnership_eval.analyses.cluster_impact.outcomes import OUTCOME_LABELS
from partnership_eval.analyses.cluster_impact.trends import NO_TESTS
from partnership_eval.disclosure import THRESHOLD
from partnership_eval.labels import axis_label
from partnership_eval.plots import FIGSIZE, PALETTE, styled

TREATED_COLOUR = "#0072B2"
COMPARISON_COLOUR = "#999999"
TRUTH_COLOUR = "#D55E00"


def _shade_gap(ax: Axes, years: np.ndarray) -> None:
    gap = [y for y in NO_TESTS if years.min() < y < years.max()]
    if gap:
        ax.axvspan(min(gap) - 0.5, max(gap) + 0.5, color="0.92", zorder=0)
        ax.text(np.mean(gap), ax.get_ylim()[1], "no KS2 tests", ha="center", va="top", fontsize=8)


def _whole_years(ax: Axes) -> None:
    """Tick marks on whole years (or whole years since the start) only."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def trends_plot(
    trends: pd.DataFrame,
    outcome: str,
    *,
    starts: list[int],
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Yearly means of treated and comparison schools; lines break at the no-test years.

    Means resting on 5 or fewer pupils are not drawn (they would be suppressed in a table).
    """
    trends = trends.assign(mean=trends["mean"].where(trends["pupils"] > THRESHOLD))
    colours = dict(zip(trends["group"].unique(), sns.color_palette(PALETTE), strict=False))
    colours.update({"treated": TREATED_COLOUR, "comparison": COMPARISON_COLOUR})
    with styled(ax) as ax:
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
            ylabel=axis_label(f"mean {OUTCOME_LABELS.get(outcome, outcome)}"),
            title=title,
        )
        _shade_gap(ax, trends["year"].to_numpy())
        _whole_years(ax)
        ax.legend(frameon=False, fontsize="small")
    return ax


def forest_plot(
    table: pd.DataFrame,
    label: str,
    *,
    title: str = "",
    level: str = "95%",
    ax: Axes | None = None,
) -> Axes:
    """Estimates with intervals, one row each (missing estimates left blank); truth if given."""
    shown = table.reset_index(drop=True)
    height = max(2.5, 0.45 * len(shown) + 1.2)
    with styled(ax, (FIGSIZE[0], height)) as ax:
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
            label=f"estimate, {level} CI",
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
    return ax


def before_after_plot(
    rows: pd.DataFrame,
    ylabel: str,
    *,
    note: str = "",
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Each group's mean before and after its start (the same schools), with intervals.

    ``rows``: group (in words), statistic ("before" / "after"), estimate, ci_low, ci_high,
    n_treated, n_comparison. With ``note`` (why there is no comparison) the note is drawn.
    """
    colours = {"partnership schools": TREATED_COLOUR, "comparison schools": COMPARISON_COLOUR}
    with styled(ax) as ax:
        if note or rows.empty:
            ax.text(0.5, 0.5, axis_label(note or "no data", 60), ha="center", va="center")
            ax.set_axis_off()
            ax.set_title(title)
            return ax
        shown = [g for g in colours if (rows["group"] == g).any()]
        for offset, group in zip((-0.04, 0.04), shown, strict=False):
            part = rows[rows["group"] == group].set_index("statistic").loc[["before", "after"]]
            x = np.array([0.0, 1.0]) + offset
            n = int(part[["n_treated", "n_comparison"]].max(axis=None))
            err = np.vstack([part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]])
            ax.errorbar(
                x,
                part["estimate"],
                yerr=np.nan_to_num(err),
                marker="o",
                capsize=4,
                color=colours.get(group),
                label=f"{n:,} {group}",
            )
        ax.set_xticks([0, 1], ["before the start", "after the start"])
        ax.set_xlim(-0.4, 1.4)
        ax.set(ylabel=axis_label(ylabel), title=title)
        ax.legend(
            frameon=False,
            fontsize="small",
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=2,
        )
    return ax


def overlay_twfe(ax: Axes, twfe: object) -> Axes:
    """Draw a TWFE event study (its ``table``: event_time, estimate) over an event-study plot."""
    table = twfe.table
    ax.plot(
        table["event_time"],
        table["estimate"],
        marker="s",
        linestyle="--",
        color=COMPARISON_COLOUR,
        label="TWFE event study",
    )
    ax.legend(frameon=False, fontsize="small")
    return ax
