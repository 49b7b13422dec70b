"""Self-review against peer review: statistics checked against references, the analysis
against the truth planted in synthetic England, and its errors."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from partnership_eval.analyses.peer_review import PeerReviewResult, peer_review
from partnership_eval.analyses.peer_review.agreement import (
    ordinal_alpha,
    school_draws,
    weighted_kappa,
)
from partnership_eval.analyses.peer_review.pairs import review_pairs
from partnership_eval.data.store import DataTables, read_tables
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.result import TIDY_COLUMNS


@pytest.fixture(scope="module")
def data(small_data_dir) -> DataTables:
    return read_tables(small_data_dir)


@pytest.fixture(scope="module")
def result(data) -> PeerReviewResult:
    return peer_review(data, n_boot=199)


def _table(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    table = np.zeros((4, 4))
    np.add.at(table, (a - 1, b - 1), 1)
    return table


# --- the statistics --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["linear", "quadratic"])
def test_weighted_kappa_matches_statsmodels(kind):
    rng = np.random.default_rng(3)
    a = rng.integers(1, 5, 400)
    b = np.clip(a + rng.integers(-1, 2, 400), 1, 4)
    table = _table(a, b)
    assert weighted_kappa(table, kind) == pytest.approx(cohens_kappa(table, wt=kind).kappa)


def test_ordinal_alpha_matches_the_krippendorff_package():
    rng = np.random.default_rng(4)
    a = rng.integers(1, 5, 300)
    b = np.clip(a + rng.integers(-2, 2, 300), 1, 4)
    reference = krippendorff.alpha(
        reliability_data=np.vstack([a, b]), level_of_measurement="ordinal"
    )
    assert ordinal_alpha(_table(a, b)) == pytest.approx(reference)


def test_ordinal_alpha_of_a_hand_worked_case():
    # pairs (1,2) x3, (2,2) x2, (3,3) x1: coincidences o12 = o21 = 3, o22 = 4, o33 = 2;
    # n = (3, 7, 2); delta2(1,2) = 25, (1,3) = 90.25, (2,3) = 20.25;
    # alpha = 1 - 11 * 150 / 2700 = 7/18
    table = np.zeros((4, 4))
    table[0, 1], table[1, 1], table[2, 2] = 3, 2, 1
    assert ordinal_alpha(table) == pytest.approx(7 / 18)


def test_statistics_are_vectorised_over_stacked_tables():
    rng = np.random.default_rng(5)
    tables = rng.integers(0, 20, (7, 3, 4, 4)).astype(float)
    kappas = weighted_kappa(tables)
    assert kappas.shape == (7, 3)
    assert kappas[4, 2] == pytest.approx(weighted_kappa(tables[4, 2]))
    assert ordinal_alpha(tables)[1, 0] == pytest.approx(ordinal_alpha(tables[1, 0]))


def test_school_draws_start_with_the_sample_and_resample_whole_schools():
    draws = school_draws(12, 50, np.random.default_rng(0))
    assert draws.shape == (51, 12)
    assert (draws[0] == 1).all()
    assert (draws[1:].sum(axis=1) == 12).all()


# --- pairing ---------------------------------------------------------------------------


def _reviews(rows):
    frame = pd.DataFrame(rows, columns=["urn", "date", "reviewer_type", "theme", "grade"])
    return frame.assign(date=pd.to_datetime(frame["date"]), reviewer_id=None)


SCHOOLS = pd.DataFrame({"urn": [100001, 100002], "school_type": ["Community school"] * 2})


def test_pairs_join_self_and_peer_of_one_school_theme_and_year_the_latest_counting():
    reviews = _reviews(
        [
            (100001, "2023-01-10", "self", "leadership", 3),
            (100001, "2023-02-10", "self", "leadership", 2),
            (100001, "2023-04-01", "peer", "leadership", 3),
            (100001, "2023-10-01", "peer", "leadership", 4),  # next school year
            (100002, "2023-03-01", "inspection", "overall", 2),
        ]
    )
    pairs, records = review_pairs(reviews, SCHOOLS, ("peer",))
    assert pairs[["self_grade", "peer_grade", "year"]].values.tolist() == [[2, 3, 2023]]
    reasons = {r["reason"]: r["rows"] for r in records}
    assert reasons == {
        "judgement by another reviewer type (not compared)": 1,
        "earlier self judgement in the same year": 1,
        "peer judgement without a self-review that year": 1,
    }


# --- the analysis on synthetic England -------------------------------------------------


def test_report_names_the_planted_over_rated_theme(result):
    assert result.blind_spot == "leadership"
    assert "leadership" in result.headline()["label"]


def test_headline_interval_covers_the_planted_difference(result):
    head = result.headline()
    assert head["truth"] is not None
    assert head["ci_low"] <= head["truth"] <= head["ci_high"]
    assert head["n_treated"] == result.n_schools


def test_kappa_intervals_cover_the_planted_kappa_of_most_themes(result):
    kappa = result.tidy().query("measure == 'weighted_kappa'")
    covered = (kappa["ci_low"] <= kappa["truth"]) & (kappa["truth"] <= kappa["ci_high"])
    assert kappa["truth"].notna().all()
    assert covered.sum() >= len(kappa) - 1


def test_over_rated_theme_agrees_least(result):
    kappa = result.agreement.query("measure == 'weighted_kappa'").set_index("theme")["estimate"]
    assert kappa.idxmin() == "leadership"


def test_blind_spots_find_the_over_rating_school_type(result):
    spots = result.blind_spots.set_index(["theme", "school_type"])
    aided = spots.loc[("inclusion", "Voluntary aided school")]
    community = spots.loc[("inclusion", "Community school")]
    assert aided["ci_high"] < 0 < community["ci_high"]


def test_ordinal_model_links_self_to_peer_grade_and_finds_the_theme(result):
    model = result.ordinal.set_index("term")
    assert model.loc["peer grade", "ci_low"] > 0
    leadership = [t for t in model.index if t.startswith("leadership")]
    assert model.loc[leadership[0], "ci_high"] < 0


def test_prediction_compares_self_and_peer_out_of_sample(result):
    p = result.prediction.set_index("term")
    assert (
        p.loc["mean squared error: peer grades", "estimate"]
        < p.loc["mean squared error: no review (the average grade)", "estimate"]
    )
    diff = p.loc["self minus peer mean squared error"]
    assert diff["ci_low"] < diff["estimate"] < diff["ci_high"]
    assert "predict" in result.prediction_sentence()


def test_result_has_the_shared_face(result):
    table = result.tidy()
    assert list(table.columns[: len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    assert table.iloc[0]["term"] == "self minus peer grade: leadership"
    assert "intervals: 95%" in result.summary()
    assert result.plot().figure is not None
    assert result.plot_prediction().figure is not None
    assert list(result.exclusions.columns[:4]) == ["step", "reason", "rows", "schools"]


def test_interval_level_follows_alpha(data, result):
    narrow = peer_review(data, n_boot=199, alpha=0.1)
    assert "90% interval" in narrow.headline()["label"]
    assert "kappa 90% interval from" in narrow.agreement_table().columns
    wide, tight = result.headline(), narrow.headline()
    assert tight["ci_high"] - tight["ci_low"] < wide["ci_high"] - wide["ci_low"]


def test_same_seed_gives_the_same_numbers(data, result):
    again = peer_review(data, n_boot=199)
    pd.testing.assert_frame_equal(again.tidy(), result.tidy())


def test_published_tables_hide_school_types_with_few_schools(result):
    table = result.blind_spot_table()
    few = result.blind_spots["schools"] <= 5
    assert few.any()
    assert (table["mean self minus peer grade"].to_numpy()[few.to_numpy()] == "c").all()


# --- errors ----------------------------------------------------------------------------


def test_data_without_reviews_is_a_clear_error(data):
    bare = DataTables(
        data.schools, data.outcomes, data.memberships, data.partnerships, data.inspections
    )
    with pytest.raises(InputError, match="no review records"):
        peer_review(bare)


def test_data_that_are_not_the_canonical_tables_are_a_clear_error():
    with pytest.raises(InputError, match="read_tables"):
        peer_review(pd.DataFrame())


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("peer_types", ["governor"]),
        ("kappa_weights", "cubic"),
        ("alpha", 1.5),
        ("n_boot", 3),
        ("folds", 1),
        ("horizon_years", 0),
    ],
)
def test_bad_options_are_input_errors_naming_them(data, option, value):
    with pytest.raises(InputError, match=option):
        peer_review(data, **{option: value})


def test_area_without_pairs_cannot_be_estimated(data):
    with pytest.raises(EstimationError, match="no school"):
        peer_review(data, area="Cumbria", n_boot=19)


def test_too_few_inspections_leave_the_prediction_out_saying_why(data):
    none = data.inspections.iloc[:0]
    tables = DataTables(
        data.schools, data.outcomes, data.memberships, data.partnerships, none,
        truth=data.truth, reviews=data.reviews, synthetic=True,
    )  # fmt: skip
    res = peer_review(tables, n_boot=19)
    assert res.prediction.empty
    assert "too few" in res.prediction_sentence()


def test_truth_table_sets_estimates_beside_planted_values(result):
    table = result.truth_table()
    assert set(table.index.get_level_values("measure")) == {
        "weighted kappa",
        "self minus peer grade",
    }
    assert (table["interval covers the planted value"] == "yes").mean() >= 0.8
