"""Do self or peer grades better predict the next inspection grade? (out of sample)

Each graded inspection is matched to the school's latest review round (academic year)
before it, within ``horizon_years``; a round's self score and peer score are the mean
self and mean peer grade over the themes paired that year. Schools are split into
``folds`` groups; for each fold a straight line of inspection grade on the self score
(and, separately, on the peer score) is fitted on the other folds' inspections and
predicts the fold's. The loss is the squared error of each prediction; the comparison is
the mean loss of the self-score predictions minus that of the peer-score predictions
(positive: peer grades predict better), with a percentile interval from resampling
schools (the same draws as the agreement statistics). The interval treats the fold split
as fixed; it does not add the variation from splitting differently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.analyses.peer_review.agreement import bootstrap_se, percentile_interval
from partnership_eval.exclusions import exclusion

SCORES = ("self_grade", "peer_grade")


def inspection_rounds(
    pairs: pd.DataFrame, inspections: pd.DataFrame, horizon_years: float
) -> tuple[pd.DataFrame, list[dict]]:
    """Inspections with the mean self and peer grade of the latest round before them."""
    rounds = (
        pairs.groupby(["urn", "year"], as_index=False)
        .agg(
            self_grade=("self_grade", "mean"),
            peer_grade=("peer_grade", "mean"),
            review_date=("date", "max"),
        )
        .sort_values("review_date", kind="stable")
    )
    graded = inspections.dropna(subset=["grade"])
    graded = graded[graded["urn"].isin(rounds["urn"])].sort_values("date", kind="stable")
    graded = graded.astype({"date": "datetime64[ns]"})
    rounds = rounds.astype({"review_date": "datetime64[ns]"})
    matched = pd.merge_asof(
        graded[["urn", "date", "grade"]],
        rounds,
        left_on="date",
        right_on="review_date",
        by="urn",
        direction="backward",
        tolerance=pd.Timedelta(days=round(365.25 * horizon_years)),
        allow_exact_matches=False,
    )
    records = [
        exclusion(
            f"inspection of a reviewed school without a review round in the {horizon_years:g} "
            "years before it",
            matched,
            matched["review_date"].isna(),
        )
    ]
    matched = matched.dropna(subset=["review_date"])
    return matched.reset_index(drop=True), [r for r in records if r["rows"]]


def _fold_of_school(urns: pd.Series, folds: int, rng: np.random.Generator) -> np.ndarray:
    codes, unique = pd.factorize(urns, sort=True)
    school_fold = rng.permutation(len(unique)) % folds
    return school_fold[codes]


def out_of_sample_losses(
    matched: pd.DataFrame, folds: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Squared prediction errors of each inspection from the self and the peer score."""
    fold = _fold_of_school(matched["urn"], folds, rng)
    y = matched["grade"].to_numpy(dtype=float)
    losses = {}
    for score in SCORES:
        x = matched[score].to_numpy(dtype=float)
        prediction = np.empty_like(y)
        for k in range(folds):
            train, test = fold != k, fold == k
            slope, intercept = np.polyfit(x[train], y[train], 1)
            prediction[test] = intercept + slope * x[test]
        losses[score] = (y - prediction) ** 2
    baseline = np.empty_like(y)
    for k in range(folds):
        baseline[fold == k] = y[fold != k].mean()
    losses["no_review"] = (y - baseline) ** 2
    return pd.DataFrame({"urn": matched["urn"].to_numpy(), **losses})


def compare_predictions(
    losses: pd.DataFrame, school_code: pd.Series, draws: np.ndarray, alpha: float
) -> pd.DataFrame:
    """Mean out-of-sample squared error from each score, and self minus peer, with intervals.

    ``school_code`` maps each URN to its column in ``draws`` (draws × schools, row 0 ones).
    """
    school = school_code[losses["urn"]].to_numpy()
    columns = [*(losses[name].to_numpy() for name in (*SCORES, "no_review")), np.ones(len(losses))]
    sums = np.column_stack(
        [np.bincount(school, weights=c, minlength=draws.shape[1]) for c in columns]
    )
    totals = draws @ sums  # draws × (self, peer, no review, inspections)
    with np.errstate(invalid="ignore", divide="ignore"):
        mse = totals[:, :3] / totals[:, 3:4]
        stats = np.column_stack(
            [mse, mse[:, 0] - mse[:, 1], 1 - mse[:, 0] / mse[:, 2], 1 - mse[:, 1] / mse[:, 2]]
        )
    terms = [
        "mean squared error: self grades",
        "mean squared error: peer grades",
        "mean squared error: no review (the average grade)",
        "self minus peer mean squared error",
        "out-of-sample R²: self grades",
        "out-of-sample R²: peer grades",
    ]
    low, high = percentile_interval(stats[1:], alpha)
    return pd.DataFrame(
        {
            "term": terms,
            "estimate": stats[0],
            "se": bootstrap_se(stats[1:]),
            "ci_low": low,
            "ci_high": high,
            "n_treated": float(losses["urn"].nunique()),
            "inspections": float(len(losses)),
        }
    )
