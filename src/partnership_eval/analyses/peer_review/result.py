"""The result of a self-review against peer-review analysis: tables, wording, figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
import seaborn as sns

from partnership_eval.disclosure import SUPPRESSED, THRESHOLD, suppress
from partnership_eval.plots import PALETTE, coefficient_plot, new_axes, report_style
from partnership_eval.result import Result, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

PROGRAMME = "peer_reviews"
MEASURE_WORDS = {
    "weighted_kappa": "weighted kappa",
    "ordinal_alpha": "ordinal alpha",
    "self_minus_peer": "self minus peer grade",
    "agreement_limit_low": "lower limit of agreement",
    "agreement_limit_high": "upper limit of agreement",
}
PUBLISHED_DIGITS = 2
FEW_SCHOOLS = 20
"""Below this many schools the school bootstrap is rough, and the headline says so."""


def theme_label(theme: str) -> str:
    """A theme as words: ``quality_of_education`` → ``quality of education``."""
    return str(theme).replace("_", " ")


def direction(ci_low: float, ci_high: float) -> str:
    """Words for the direction of disagreement an interval of self − peer grade shows."""
    if ci_high < 0:
        return "rate themselves better than their peers do"
    if ci_low > 0:
        return "rate themselves worse than their peers do"
    return "no clear difference"


def planted_truth(truth: pd.DataFrame | None, la_codes: list[int] | None) -> pd.DataFrame | None:
    """Planted kappa and mean self − peer grade per theme (``theme``, ``measure``, ``truth``).

    ``la_codes`` None: the rows for every reviewed school; one LA: that LA's rows; the
    truth of other areas is not planted (None).
    """
    if truth is None or "theme" not in truth or (la_codes is not None and len(la_codes) != 1):
        return None
    rows = truth[(truth["programme"] == PROGRAMME) & truth["theme"].notna()]
    rows = rows[rows["outcome"].isin(["weighted_kappa", "self_minus_peer"])]
    la = rows["la_code"]
    rows = rows[la.isna()] if la_codes is None else rows[la.eq(la_codes[0]).fillna(False)]
    if rows.empty:
        return None
    return rows.rename(columns={"outcome": "measure", "effect": "truth"})[
        ["theme", "measure", "truth"]
    ].reset_index(drop=True)


@dataclass(frozen=True)
class PeerReviewResult(Result):
    """Self against peer grades: agreement, blind spots, ordinal model, prediction.

    ``agreement``: one row per theme and measure (weighted kappa, ordinal alpha, mean self
    − peer grade, limits of agreement) with estimate, se, interval, schools and pairs.
    ``blind_spots``: mean self − peer grade per theme and school type, the shares of pairs
    where the self grade is better, the same or worse. ``ordinal``: the ordinal model's
    coefficients (sandwich clustered by school). ``prediction``: out-of-sample squared
    error of the next inspection grade from self and from peer grades.
    """

    spec: Any
    exclusions: pd.DataFrame
    agreement: pd.DataFrame
    blind_spots: pd.DataFrame
    ordinal: pd.DataFrame
    ordinal_note: str
    prediction: pd.DataFrame
    prediction_note: str
    truth: pd.DataFrame | None
    n_schools: int
    n_pairs: int

    title: ClassVar[str] = "Self-review against peer review"

    @property
    def blind_spot(self) -> str:
        """The theme on which schools rate themselves furthest above their peers."""
        diff = self.agreement[self.agreement["measure"] == "self_minus_peer"]
        return str(diff.loc[diff["estimate"].idxmin(), "theme"])

    @property
    def headline_label(self) -> str:  # type: ignore[override]
        return (
            f"mean self minus peer grade on {theme_label(self.blind_spot)}, the theme schools "
            "rate themselves furthest above their peers (grade points, 1 outstanding to 4 "
            f"inadequate: negative means the self grade is better; {self.level} interval "
            "from resampling schools)"
        )

    def _with_truth(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.truth is None:
            return frame.assign(truth=np.nan)
        return frame.merge(self.truth, on=["theme", "measure"], how="left")

    def tidy(self) -> pd.DataFrame:
        """Every estimate: per theme (agreement), ordinal model, prediction."""
        agreement = self._with_truth(self.agreement)
        order = agreement["measure"].map(list(MEASURE_WORDS).index)
        blind = (agreement["measure"] == "self_minus_peer") & (
            agreement["theme"] == self.blind_spot
        )
        agreement = agreement.assign(first=~blind, order=order).sort_values(
            ["first", "order", "theme"], kind="stable"
        )
        rows = agreement.assign(
            term=agreement["measure"].map(MEASURE_WORDS)
            + ": "
            + agreement["theme"].map(theme_label),
            n_treated=agreement["schools"],
            n_pairs=agreement["pairs"],
        ).drop(columns=["first", "order", "schools", "pairs"])
        ordinal = self.ordinal.assign(
            term="ordinal model: " + self.ordinal["term"], measure="ordinal_model",
            n_treated=float(self.n_schools), n_pairs=float(self.n_pairs),
        )  # fmt: skip
        prediction = self.prediction.assign(measure="prediction") if len(self.prediction) else None
        frames = [f for f in (rows, ordinal, prediction) if f is not None and len(f)]
        return tidy_frame(pd.concat(frames, ignore_index=True), alpha=self.alpha)

    def headline(self) -> dict[str, Any]:
        """The results.json headline: the blind-spot theme's mean self − peer grade."""
        out = super().headline()
        out["n_comparison"] = None
        truth = self.headline_row().get("truth", np.nan)
        out["truth"] = float(truth) if pd.notna(truth) else None
        return out

    # --- tables for the report (words, rounded, suppressed) ------------------------------

    def agreement_table(self) -> pd.DataFrame:
        """One row per theme: schools, pairs, kappa, alpha, mean difference, limits (words)."""
        wide = {}
        for measure, group in self.agreement.groupby("measure", sort=False):
            g = group.set_index("theme")
            wide[(measure, "estimate")] = g["estimate"]
            wide[(measure, "ci_low")] = g["ci_low"]
            wide[(measure, "ci_high")] = g["ci_high"]
        first = self.agreement.drop_duplicates("theme").set_index("theme")
        level = self.level
        table = pd.DataFrame(
            {
                "schools": first["schools"],
                "pairs of judgements": first["pairs"],
                "weighted kappa": wide[("weighted_kappa", "estimate")],
                f"kappa {level} interval from": wide[("weighted_kappa", "ci_low")],
                "kappa interval to": wide[("weighted_kappa", "ci_high")],
                "ordinal alpha": wide[("ordinal_alpha", "estimate")],
                "mean self minus peer grade": wide[("self_minus_peer", "estimate")],
                f"difference {level} interval from": wide[("self_minus_peer", "ci_low")],
                "difference interval to": wide[("self_minus_peer", "ci_high")],
                "limits of agreement from": wide[("agreement_limit_low", "estimate")],
                "limits of agreement to": wide[("agreement_limit_high", "estimate")],
            }
        )
        table.index = table.index.map(theme_label).rename("theme")
        return self._suppressed(table)

    def blind_spot_table(self) -> pd.DataFrame:
        """Mean self − peer grade by theme and school type, with the direction in words."""
        b = self.blind_spots
        table = pd.DataFrame(
            {
                "theme": b["theme"].map(theme_label),
                "school type": b["school_type"],
                "schools": b["schools"],
                "pairs of judgements": b["pairs"],
                "mean self minus peer grade": b["estimate"],
                f"{self.level} interval from": b["ci_low"],
                "interval to": b["ci_high"],
                "share self better": b["self_better"],
                "share the same": b["same"],
                "share self worse": b["self_worse"],
                "schools of this type": [
                    direction(lo, hi) for lo, hi in zip(b["ci_low"], b["ci_high"], strict=True)
                ],
            }
        ).set_index(["theme", "school type"])
        table = self._suppressed(table)
        hidden = table["schools"].eq(SUPPRESSED)
        return table.assign(
            **{"schools of this type": table["schools of this type"].mask(hidden, SUPPRESSED)}
        )

    def prediction_table(self) -> pd.DataFrame:
        """Out-of-sample error of the next inspection grade from self and peer grades."""
        if self.prediction.empty:
            return suppress(pd.DataFrame({"note": [self.prediction_note]}))
        p = self.prediction
        table = pd.DataFrame(
            {
                "estimate": p["estimate"].round(3).to_numpy(),
                f"{self.level} interval from": p["ci_low"].round(3).to_numpy(),
                "interval to": p["ci_high"].round(3).to_numpy(),
                "schools": p["n_treated"].astype("int64").to_numpy(),
                "inspections": p["inspections"].astype("int64").to_numpy(),
            },
            index=pd.Index(p["term"], name="measure"),
        )
        return suppress(table, counts=["schools"], rates={"estimate": "schools"}, decimals=3)

    def ordinal_table(self) -> pd.DataFrame:
        """The ordinal model's coefficients in log-odds, clustered by school."""
        o = self.ordinal.assign(term=self.ordinal["term"].map(theme_label))
        table = o.set_index("term")[["estimate", "se", "ci_low", "ci_high"]].round(3)
        table.columns = ["log-odds", "standard error", f"{self.level} interval from", "interval to"]
        return suppress(table)

    def truth_table(self) -> pd.DataFrame | None:
        """Synthetic data only: estimates beside the planted values, and whether each
        interval covers its planted value (None when nothing was planted)."""
        if self.truth is None:
            return None
        rows = self._with_truth(self.agreement).dropna(subset=["truth"])
        covered = (rows["ci_low"] <= rows["truth"]) & (rows["truth"] <= rows["ci_high"])
        table = pd.DataFrame(
            {
                "theme": rows["theme"].map(theme_label),
                "measure": rows["measure"].map(MEASURE_WORDS),
                "planted": rows["truth"].round(3),
                "estimate": rows["estimate"].round(3),
                f"{self.level} interval from": rows["ci_low"].round(3),
                "interval to": rows["ci_high"].round(3),
                "interval covers the planted value": covered.map({True: "yes", False: "no"}),
            }
        ).set_index(["measure", "theme"])
        return suppress(table)

    def _suppressed(self, table: pd.DataFrame) -> pd.DataFrame:
        """Numbers resting on five or fewer schools hidden: they could reveal one school."""
        numbers = [c for c in table.columns if c not in ("schools", "schools of this type")]
        numeric = [c for c in numbers if pd.api.types.is_numeric_dtype(table[c])]
        counts = ["schools", *(c for c in numeric if c.startswith("pairs"))]
        rates = {c: "schools" for c in numeric if c not in counts}
        out = suppress(table, counts=counts, rates=rates, decimals=PUBLISHED_DIGITS)
        hidden = out["schools"].eq(SUPPRESSED)  # the pairs of a hidden school count too
        return out.assign(**{c: out[c].mask(hidden, SUPPRESSED) for c in counts})

    # --- wording -----------------------------------------------------------------------

    def headline_sentence(self) -> str:
        """The headline in one sentence."""
        head = self.headline()
        kappa = self.agreement.query("measure == 'weighted_kappa' and theme == @self.blind_spot")
        k = kappa.iloc[0]
        return (
            f"Schools rate themselves furthest above their peers on "
            f"**{theme_label(self.blind_spot)}**: their own grade is on average "
            f"{abs(head['estimate']):.2f} grade points {'better' if head['estimate'] < 0 else 'worse'} "
            f"({self.level} interval {head['ci_low']:+.2f} to {head['ci_high']:+.2f}), and "
            f"agreement there is a weighted kappa of {k['estimate']:.2f} "
            f"({k['ci_low']:.2f} to {k['ci_high']:.2f}); {self.n_schools:,} schools, "
            f"{self.n_pairs:,} pairs of judgements."
            + (
                f" With only {self.n_schools} schools, intervals from resampling schools are "
                "rough: read them as a guide."
                if self.n_schools < FEW_SCHOOLS
                else ""
            )
        )

    def prediction_sentence(self) -> str:
        """Which grades better predict the next inspection, in words."""
        if self.prediction.empty:
            return f"The next inspection cannot be compared here: {self.prediction_note}."
        row = self.prediction.set_index("term").loc["self minus peer mean squared error"]
        if row["ci_low"] > 0:
            verdict = "Peer grades predicted the next inspection grade better than self grades"
        elif row["ci_high"] < 0:
            verdict = "Self grades predicted the next inspection grade better than peer grades"
        else:
            verdict = "Neither self nor peer grades clearly predicted the next inspection better"
        return (
            f"{verdict}: out of sample, the mean squared error from self grades minus that "
            f"from peer grades is {row['estimate']:+.3f} ({self.level} interval "
            f"{row['ci_low']:+.3f} to {row['ci_high']:+.3f}; {int(row['inspections']):,} "
            f"inspections of {int(row['n_treated']):,} schools)."
        )

    # --- figures -----------------------------------------------------------------------

    def plot(self, ax: Axes | None = None) -> Axes:
        """Blind spots: mean self − peer grade per theme, all schools and each school type.

        School types with five or fewer reviewed schools are left out (as in the tables).
        """
        import matplotlib as mpl

        b = self.blind_spots[self.blind_spots["schools"] > THRESHOLD]
        themes = list(dict.fromkeys(self.agreement["theme"]))
        overall = self.agreement[self.agreement["measure"] == "self_minus_peer"].set_index("theme")
        types = sorted(b["school_type"].unique())
        ax = ax if ax is not None else new_axes((8.0, 2.0 + 0.9 * len(themes)))
        colours = sns.color_palette(PALETTE, max(len(types), 1))
        y = np.arange(len(themes))[::-1].astype(float)
        offsets = np.linspace(-0.3, 0.3, len(types)) if len(types) > 1 else np.zeros(1)
        with mpl.rc_context(report_style()):
            o = overall.loc[themes]
            ax.errorbar(
                o["estimate"], y, xerr=[o["estimate"] - o["ci_low"], o["ci_high"] - o["estimate"]],
                fmt="D", color="black", ms=7, capsize=3, label="all schools", zorder=3,
            )  # fmt: skip
            for kind, offset, colour in zip(types, offsets, colours[: len(types)], strict=True):
                rows = b[b["school_type"] == kind].set_index("theme").reindex(themes)
                ax.errorbar(
                    rows["estimate"], y + offset,
                    xerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
                    fmt="o", ms=4, color=colour, alpha=0.8, linewidth=0.8, label=kind,
                )  # fmt: skip
            ax.axvline(0, color="grey", linewidth=0.8)
            ax.set_yticks(y, [theme_label(t) for t in themes])
            ax.set(
                xlabel="mean self minus peer grade (left of 0: schools rate themselves better)",
                title=f"Where self-reviews and peers disagree ({self.level} intervals)",
            )
            ax.legend(
                frameon=False, fontsize="small", loc="upper center", ncols=3,
                bbox_to_anchor=(0.5, -0.12 - 0.5 / len(themes)),
            )  # fmt: skip
        return ax

    def plot_prediction(self, ax: Axes | None = None) -> Axes:
        """Out-of-sample mean squared error of the next inspection grade, by predictor."""
        table = self.prediction[self.prediction["term"].str.startswith("mean squared error")]
        return coefficient_plot(
            table.assign(term=table["term"].str.replace("mean squared error: ", "from ")),
            ax=ax,
            reference=None,
            xlabel=f"mean squared error of the next inspection grade ({self.level} interval)",
            title="Predicting the next inspection out of sample (lower is better)",
        )
