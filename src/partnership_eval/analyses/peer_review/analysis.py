"""Where do schools' self-reviews and their peers' reviews disagree, and which better
predicts the next inspection?

Estimands, per theme, over the self / peer pairs of the schools reviewed (see
:mod:`.pairs`): agreement (linear- or quadratic-weighted kappa; Krippendorff's ordinal
alpha), the mean self − peer grade with Bland-Altman limits of agreement (mean ± z × sd of
the pair differences), the same mean by theme and school type (the blind spots), an
ordinal model of self grade on peer grade (:mod:`.ordinal`), and the out-of-sample
prediction of the next inspection (:mod:`.prediction`).

Uncertainty: themes and years are nested in schools, so every interval comes from
resampling schools (percentile bootstrap, ``n_boot`` draws, all statistics from the same
draws); the ordinal model uses the cluster-robust sandwich by school.

What it cannot say: these are descriptions of judgements, not of schools. Where outcomes
are "agreed between the school and the review team", the self grade is revised towards
the peer grade and agreement is inflated; nothing in the records says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from partnership_eval.analyses.peer_review.agreement import (
    KAPPA_WEIGHTS,
    bootstrap_se,
    ordinal_alpha,
    percentile_interval,
    school_draws,
    school_sums,
    weighted_kappa,
)
from partnership_eval.analyses.peer_review.ordinal import ordinal_fit
from partnership_eval.analyses.peer_review.pairs import PEER_TYPES, check_peer_types, review_pairs
from partnership_eval.analyses.peer_review.prediction import (
    compare_predictions,
    inspection_rounds,
    out_of_sample_losses,
)
from partnership_eval.analyses.peer_review.result import PeerReviewResult, planted_truth
from partnership_eval.data.geography import resolve_las
from partnership_eval.data.store import DataTables
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.panel import schools_in_area
from partnership_eval.result import concat_exclusions, exclusion_frame

GRADES = 4
MIN_PREDICTION_INSPECTIONS = 20


@dataclass(frozen=True)
class ReviewSpec:
    """Settings of a self-review against peer-review analysis."""

    area: str | None = None
    peer_types: tuple[str, ...] = PEER_TYPES
    kappa_weights: str = "linear"
    horizon_years: float = 3.0
    folds: int = 5
    n_boot: int = 999
    alpha: float = 0.05
    seed: int = 0


def _check(spec: ReviewSpec) -> None:
    if spec.kappa_weights not in KAPPA_WEIGHTS:
        raise InputError(
            f"kappa_weights {spec.kappa_weights!r} unknown",
            column="kappa_weights",
            fix="use linear or quadratic",
        )
    checks = [
        ("alpha", 0 < spec.alpha < 1, "give a level between 0 and 1, e.g. 0.05"),
        ("n_boot", int(spec.n_boot) == spec.n_boot and spec.n_boot >= 19, "use 19 or more draws"),
        ("folds", int(spec.folds) == spec.folds and spec.folds >= 2, "use 2 or more folds"),
        ("horizon_years", spec.horizon_years > 0, "give a positive number of years"),
    ]
    for name, ok, fix in checks:
        if not ok:
            raise InputError(
                f"{name} = {getattr(spec, name)!r} is not allowed", column=name, fix=fix
            )


def _theme_statistics(
    pairs: pd.DataFrame, draws: np.ndarray, school: np.ndarray, themes: list[str], spec: ReviewSpec
) -> pd.DataFrame:
    """Kappa, alpha, mean difference and limits of agreement per theme, with intervals."""
    n_schools, n_themes = draws.shape[1], len(themes)
    theme = pd.Categorical(pairs["theme"], categories=themes).codes
    cell = (pairs["self_grade"].to_numpy() - 1) * GRADES + pairs["peer_grade"].to_numpy() - 1
    per_school = school_sums(school, theme * GRADES**2 + cell, 1.0, n_schools, n_themes * GRADES**2)
    tables = (draws @ per_school).reshape(len(draws), n_themes, GRADES, GRADES)
    d = (pairs["self_grade"] - pairs["peer_grade"]).to_numpy(dtype=float)
    moments = np.stack(
        [draws @ school_sums(school, theme, v, n_schools, n_themes) for v in (1.0, d, d**2)]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = moments[1] / moments[0]
        sd = np.sqrt(
            np.maximum(moments[2] / moments[0] - mean**2, 0) * moments[0] / (moments[0] - 1)
        )
    z = stats.norm.ppf(1 - spec.alpha / 2)
    measures = {
        "weighted_kappa": weighted_kappa(tables, spec.kappa_weights),
        "ordinal_alpha": ordinal_alpha(tables),
        "self_minus_peer": mean,
        "agreement_limit_low": mean - z * sd,
        "agreement_limit_high": mean + z * sd,
    }
    counts = pairs.groupby("theme").agg(schools=("urn", "nunique"), pairs=("urn", "size"))
    rows = []
    for measure, values in measures.items():
        low, high = percentile_interval(values[1:], spec.alpha)
        rows.append(
            pd.DataFrame(
                {
                    "theme": themes,
                    "measure": measure,
                    "estimate": values[0],
                    "se": bootstrap_se(values[1:]),
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        )
    return pd.concat(rows, ignore_index=True).join(counts, on="theme")


def _blind_spots(
    pairs: pd.DataFrame, draws: np.ndarray, school: np.ndarray, themes: list[str], alpha: float
) -> pd.DataFrame:
    """Mean self − peer grade and the direction of disagreement by theme and school type."""
    frame = pairs.assign(
        d=pairs["self_grade"] - pairs["peer_grade"],
        group=pd.Categorical(pairs["theme"], categories=themes).astype(str)
        + "|"
        + pairs["school_type"],
    )
    codes, groups = pd.factorize(frame["group"], sort=True)
    n_schools = draws.shape[1]
    total = draws @ school_sums(school, codes, 1.0, n_schools, len(groups))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (
            draws @ school_sums(school, codes, frame["d"].to_numpy(float), n_schools, len(groups))
        ) / total
    low, high = percentile_interval(mean[1:], alpha)
    shares = (
        frame.assign(better=frame["d"] < 0, same=frame["d"] == 0, worse=frame["d"] > 0)
        .groupby("group")
        .agg(
            theme=("theme", "first"),
            school_type=("school_type", "first"),
            schools=("urn", "nunique"),
            pairs=("urn", "size"),
            self_better=("better", "mean"),
            same=("same", "mean"),
            self_worse=("worse", "mean"),
        )
    )
    spots = shares.loc[groups].assign(
        estimate=mean[0], se=bootstrap_se(mean[1:]), ci_low=low, ci_high=high
    )
    return spots.reset_index(drop=True)


def peer_review(
    data: DataTables,
    *,
    area: str | int | None = None,
    peer_types: Sequence[str] = PEER_TYPES,
    kappa_weights: str = "linear",
    horizon_years: float = 3.0,
    folds: int = 5,
    n_boot: int = 999,
    alpha: float = 0.05,
    seed: int = 0,
) -> PeerReviewResult:
    """Agreement between self and peer review grades, the blind spots, and prediction.

    Parameters
    ----------
    data
        Canonical tables with ``reviews`` (see :mod:`partnership_eval.data.loaders.reviews`).
    area
        LA name or code, or region; ``None`` for every reviewed school.
    peer_types
        Which judgements count as the peer side: ``peer``, ``pair_visit`` or both.
    kappa_weights
        ``linear`` or ``quadratic`` disagreement weights of the weighted kappa.
    horizon_years
        How long before an inspection a review round may lie to predict it.
    folds
        Groups of schools for the out-of-sample prediction.
    n_boot, alpha, seed
        Bootstrap draws over schools, interval level, random seed.

    Examples
    --------
    >>> from partnership_eval.data.store import read_tables
    >>> res = peer_review(read_tables("data/processed"), area="Plymouth")  # doctest: +SKIP
    >>> res.blind_spot, res.headline()["estimate"]  # doctest: +SKIP
    """
    spec = ReviewSpec(
        area=None if area is None else str(area),
        peer_types=check_peer_types(peer_types),
        kappa_weights=kappa_weights,
        horizon_years=float(horizon_years),
        folds=folds,
        n_boot=n_boot,
        alpha=alpha,
        seed=seed,
    )
    _check(spec)
    if not isinstance(data, DataTables):
        raise InputError(
            f"data is a {type(data).__name__}, not the canonical tables",
            column="data",
            fix="pass partnership_eval.data.store.read_tables(data_dir)",
        )
    if data.reviews is None:
        raise InputError(
            f"no review records in {data.source or 'the data'} (no reviews table)",
            fix="read the records with partnership_eval.data.loaders.reviews.load_reviews and "
            "write them with data.store.write_table(frame, 'reviews', data_dir)",
        )
    reviews = data.reviews
    if area is not None:
        reviews = reviews[reviews["urn"].isin(schools_in_area(data, area)["urn"])]
    pairs, records = review_pairs(reviews, data.schools, spec.peer_types)
    if pairs.empty:
        raise EstimationError(
            f"no school in {area or 'the data'} has a self-review and a "
            f"{' or '.join(spec.peer_types)} judgement of the same theme in the same year"
        )
    rng = np.random.default_rng(spec.seed)
    codes, urns = pd.factorize(pairs["urn"], sort=True)
    draws = school_draws(len(urns), spec.n_boot, rng)
    themes = sorted(pairs["theme"].unique())
    agreement = _theme_statistics(pairs, draws, codes, themes, spec)
    blind_spots = _blind_spots(pairs, draws, codes, themes, spec.alpha)
    ordinal, ordinal_note = ordinal_fit(pairs, spec.alpha)
    matched, predict_records = inspection_rounds(pairs, data.inspections, spec.horizon_years)
    prediction, prediction_note = pd.DataFrame(), ""
    if len(matched) < MIN_PREDICTION_INSPECTIONS or matched["urn"].nunique() < spec.folds:
        prediction_note = (
            f"{len(matched)} inspections of {matched['urn'].nunique()} schools follow a review "
            f"round: too few to compare predictions (needs {MIN_PREDICTION_INSPECTIONS} "
            f"inspections and {spec.folds} schools)"
        )
    else:
        losses = out_of_sample_losses(matched, spec.folds, rng)
        prediction = compare_predictions(
            losses, pd.Series(np.arange(len(urns)), index=urns), draws, spec.alpha
        )
    exclusions = concat_exclusions(
        exclusion_frame(records, step="pairing"),
        exclusion_frame(predict_records, step="prediction"),
    )
    return PeerReviewResult(
        spec=spec,
        exclusions=exclusions,
        agreement=agreement,
        blind_spots=blind_spots,
        ordinal=ordinal,
        ordinal_note=ordinal_note,
        prediction=prediction,
        prediction_note=prediction_note,
        truth=planted_truth(data.truth, None if area is None else resolve_las([area]))
        if data.synthetic
        else None,
        n_schools=len(urns),
        n_pairs=len(pairs),
    )
