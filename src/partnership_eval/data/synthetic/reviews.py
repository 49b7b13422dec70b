"""Self-reviews, peer reviews and pair visits of synthetic England, with planted over-rating.

Who is reviewed: every member of a peer-review ``collaborative`` (a self-review in
February and a peer review by heads of its collaborative in March-April, every year it is
a member)
and of an ``umbrella_trust`` (a self-review, then a "mini-Ofsted" ``pair_visit`` by two
heads of the trust), on five themes (:data:`THEMES`), from 2014 to 2024 except 2021
(reviews paused in the pandemic).

How grades arise: a school's standing in a year is what drives its inspections (latent
quality and attainment relative to the nation, as in :mod:`.inspections`); each theme
adds a lasting school-theme deviation (sd :attr:`ReviewPlan.theme_spread`). The peer
judgement adds noise (sd :attr:`ReviewPlan.peer_noise`); the self judgement adds more
(:attr:`ReviewPlan.self_noise`), a school's own lasting bias on every theme (sd
:attr:`ReviewPlan.school_bias_sd`) and a shift towards a better grade — the planted
*over-rating* — of :attr:`ReviewPlan.over_rating` on chosen themes plus
:attr:`ReviewPlan.type_over_rating` in chosen school types (in sd of the standing).
Both are cut into grades 1 outstanding … 4 inadequate at fixed points (peer grades about
17/65/14/4 %).

Truth rows (``programme = "peer_reviews"``, ``cohort``/``year`` the first and last review
year, ``theme`` set), ``outcome``:

- ``weighted_kappa`` (for all reviewed schools, and per LA with ``la_code`` set): the
  linear-weighted kappa between self and peer grades of the
  theme — the kappa of the expected self × peer table of these schools' review rounds
  (theme deviations and judgement noise averaged over :attr:`ReviewPlan.truth_draws`
  redraws), which a sample kappa estimates;
- ``self_minus_peer``: the expected mean self − peer grade (negative: schools judge
  themselves better than their peers do);
- ``over_rating``: the planted shift (``description`` "all schools" or the school type);
- ``judgement_noise_sd`` (no theme; ``description`` self or peer) and ``school_bias_sd``:
  how noisy each judgement is, so which better predicts the next inspection is known
  (peer grades, the less noisy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa

from partnership_eval.data.synthetic.inspections import GRADE_SHARES
from partnership_eval.data.synthetic.spec import year_index

THEMES = (
    "leadership",
    "quality_of_education",
    "inclusion",
    "behaviour_and_attitudes",
    "outcomes",
)
"""The five themes of the review framework."""

REVIEW_YEARS = np.array([y for y in range(2014, 2025) if y != 2021])
PROGRAMME = "peer_reviews"
REVIEWED_KINDS = {"collaborative": "peer", "umbrella_trust": "pair_visit"}
"""Partnership kind → who reviews its members besides themselves."""


@dataclass(frozen=True)
class ReviewPlan:
    """What the synthetic reviews plant (shifts and noise in sd of a school's standing)."""

    over_rating: Mapping[str, float] = field(
        default_factory=lambda: {"leadership": 0.9, "outcomes": 0.3}
    )
    type_over_rating: Mapping[str, float] = field(
        default_factory=lambda: {"Voluntary aided school": 0.5}
    )
    theme_spread: float = 0.5
    peer_noise: float = 0.45
    self_noise: float = 0.8
    school_bias_sd: float = 0.4
    truth_draws: int = 400


@dataclass
class SyntheticReviews:
    """The ``reviews`` table and its truth rows."""

    reviews: pd.DataFrame
    truth: pd.DataFrame


def _rounds(
    urns: np.ndarray, memberships: pd.DataFrame, partnerships: pd.DataFrame
) -> pd.DataFrame:
    """One row per reviewed school and year: position, year, peer reviewer type and id."""
    kinds = partnerships.set_index("partnership_id")["kind"]
    m = memberships.assign(kind=memberships["partnership_id"].map(kinds))
    m = m[m["kind"].isin(list(REVIEWED_KINDS))]
    first = m["joined"].dt.year + (m["joined"].dt.month >= 9)
    last = (m["left"].dt.year + (m["left"].dt.month >= 9)).fillna(REVIEW_YEARS[-1])
    years = pd.DataFrame({"year": REVIEW_YEARS})
    rounds = m.assign(first=first, last=last).merge(years, how="cross")
    member = rounds["year"].between(rounds["first"], rounds["last"])
    rounds = rounds[member].drop_duplicates(["urn", "year"])
    pos = pd.Series(np.arange(len(urns)), index=urns)
    return pd.DataFrame(
        {
            "pos": pos[rounds["urn"].to_numpy()].to_numpy(),
            "year": rounds["year"].to_numpy(),
            "reviewer_type": rounds["kind"].map(REVIEWED_KINDS).to_numpy(),
            "team": rounds["partnership_id"].to_numpy(),
        }
    ).sort_values(["pos", "year"], kind="stable", ignore_index=True)


def _standing(schools: pd.DataFrame, probability: np.ndarray) -> np.ndarray:
    """Schools × years standing that drives inspection grades (see :mod:`.inspections`)."""
    relative = 100.0 * (probability - probability.mean(axis=0))
    return 0.5 * schools["quality"].to_numpy()[:, None] / 10.0 + 0.7 * relative / 12.0


def _grades(score: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    return 4 - np.searchsorted(cuts, score)


def _draw(
    level: np.ndarray, shift: np.ndarray, pos: np.ndarray, plan: ReviewPlan,
    rng: np.random.Generator, draws: int,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Latent self and peer scores, ``draws`` × rounds × themes."""
    shape = (draws, len(pos), len(THEMES))
    reviewed, school = np.unique(pos, return_inverse=True)
    spread = rng.normal(0, plan.theme_spread, (draws, len(reviewed), len(THEMES)))[:, school]
    bias = rng.normal(0, plan.school_bias_sd, (draws, len(reviewed), 1))[:, school]
    middle = level[None, :, None] + spread
    peer = middle + rng.normal(0, plan.peer_noise, shape)
    own = middle + shift[None] + bias + rng.normal(0, plan.self_noise, shape)
    return own, peer


def _agreement_truth(g_own: np.ndarray, g_peer: np.ndarray, la_code: int | None) -> list[tuple]:
    """Planted kappa and mean self − peer grade per theme of some review rounds."""
    cell = (g_own - 1) * 4 + (g_peer - 1)
    rows = []
    for t, theme in enumerate(THEMES):
        table = np.bincount(cell[:, :, t].ravel(), minlength=16).reshape(4, 4)
        kappa = cohens_kappa(table / table.sum(), wt="linear", return_results=False)
        diff = float((g_own[:, :, t] - g_peer[:, :, t]).mean())
        rows += [
            ("weighted_kappa", theme, float(kappa), None, la_code),
            ("self_minus_peer", theme, diff, None, la_code),
        ]
    return rows


def _truth(
    own: np.ndarray, peer: np.ndarray, cuts: np.ndarray, rounds: pd.DataFrame,
    schools: pd.DataFrame, plan: ReviewPlan,
) -> pd.DataFrame:  # fmt: skip
    """Truth rows from many redraws of the judgements (see the module docstring).

    Kappa and mean difference rows come for all reviewed schools (``la_code`` missing)
    and for the reviewed schools of each LA (``la_code`` set).
    """
    g_own, g_peer = _grades(own, cuts), _grades(peer, cuts)
    pos = rounds["pos"].to_numpy()
    la = schools["la_code"].to_numpy()[pos]
    rows = _agreement_truth(g_own, g_peer, None)
    for code in np.unique(la):
        rows += _agreement_truth(g_own[:, la == code], g_peer[:, la == code], int(code))
    types = set(schools["school_type"].to_numpy()[pos])
    for theme in THEMES:
        if plan.over_rating.get(theme, 0.0):
            rows.append(("over_rating", theme, float(plan.over_rating[theme]), "all schools", None))
        for kind, shift in plan.type_over_rating.items():
            if shift and kind in types:
                rows.append(("over_rating", theme, float(shift), kind, None))
    rows += [
        ("judgement_noise_sd", None, plan.self_noise, "self", None),
        ("judgement_noise_sd", None, plan.peer_noise, "peer", None),
        ("school_bias_sd", None, plan.school_bias_sd, "self", None),
    ]
    truth = pd.DataFrame(rows, columns=["outcome", "theme", "effect", "description", "la_code"])
    n_schools = pd.Series(pos).groupby(la).nunique()
    return truth.assign(
        programme=PROGRAMME,
        cohort=int(rounds["year"].min()),
        year=int(rounds["year"].max()),
        la_code=pd.array(truth["la_code"], dtype="Int64"),
        n_schools=pd.array(
            truth["la_code"].map(n_schools).fillna(len(np.unique(pos))), dtype="Int64"
        ),
    )


def _dates(year: np.ndarray, month: int, span: int, rng: np.random.Generator) -> np.ndarray:
    start = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1})).to_numpy()
    return start + rng.integers(0, span, len(year)).astype("timedelta64[D]")


def _judgements(
    urns: np.ndarray, dates: np.ndarray, reviewer_type: np.ndarray | str, score: np.ndarray,
    cuts: np.ndarray, reviewer_id: np.ndarray | None,
) -> pd.DataFrame:  # fmt: skip
    """Rows of the reviews table: one per round and theme."""
    k = len(THEMES)
    return pd.DataFrame(
        {
            "urn": np.repeat(urns, k),
            "date": np.repeat(dates, k),
            "reviewer_type": np.repeat(np.broadcast_to(reviewer_type, urns.shape), k),
            "theme": np.tile(THEMES, len(urns)),
            "grade": _grades(score, cuts).ravel(),
            "reviewer_id": None if reviewer_id is None else np.repeat(reviewer_id, k),
        }
    )


def build_reviews(
    schools: pd.DataFrame,
    probability: np.ndarray,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    rng: np.random.Generator,
    plan: ReviewPlan | None = None,
) -> SyntheticReviews:
    """The ``reviews`` table (self and peer judgements) and its truth rows.

    ``schools`` carries the latent ``quality``; ``probability`` is schools × years
    expected attainment with planted effects; ``memberships`` uses URNs.
    """
    plan = plan or ReviewPlan()
    urns = schools["urn"].to_numpy()
    rounds = _rounds(urns, memberships, partnerships)
    pos = rounds["pos"].to_numpy()
    standing = _standing(schools, probability)
    level = standing[pos, year_index(rounds["year"].to_numpy())]
    all_years = standing[:, year_index(REVIEW_YEARS)].ravel()
    spread = np.sqrt(plan.theme_spread**2 + plan.peer_noise**2)
    reference = np.add.outer(all_years, rng.normal(0, spread, 8)).ravel()
    cuts = np.quantile(reference, np.cumsum(GRADE_SHARES[::-1])[:-1])
    school_type = schools["school_type"].to_numpy()
    shift = (
        np.array([plan.over_rating.get(t, 0.0) for t in THEMES])[None, :]
        + np.array([plan.type_over_rating.get(k, 0.0) for k in school_type[pos]])[:, None]
    )
    own, peer = _draw(level, shift, pos, plan, rng, 1)
    truth_own, truth_peer = _draw(level, shift, pos, plan, rng, plan.truth_draws)
    years = rounds["year"].to_numpy()
    teams = rounds["team"].to_numpy() + "-" + rounds["year"].astype(str).to_numpy()
    reviews = pd.concat(
        [
            _judgements(urns[pos], _dates(years, 2, 28, rng), "self", own[0], cuts, None),
            _judgements(
                urns[pos],
                _dates(years, 3, 61, rng),
                rounds["reviewer_type"].to_numpy(),
                peer[0],
                cuts,
                teams,
            ),  # fmt: skip
        ],
        ignore_index=True,
    ).sort_values(["urn", "date", "reviewer_type", "theme"], kind="stable", ignore_index=True)
    reviews = reviews.astype({"urn": "int64", "grade": "int64", "date": "datetime64[ns]"})
    truth = _truth(truth_own, truth_peer, cuts, rounds, schools, plan)
    return SyntheticReviews(reviews, truth)
