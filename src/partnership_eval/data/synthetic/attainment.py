"""KS2 attainment, progress, attendance and exclusions of synthetic England.

Model, on the percentage-point scale of "% of pupils meeting the expected standard in
reading, writing and maths" (RWM)::

    p0[s, t] = mu[t] + quality[s] + la_effect[s] - 0.3 * (fsm_pct[s] - 15)
               + trend[s] * (t - 2017) + small_rural_gap[s, t] + shock[s, t]

``mu[t]`` is calibrated so the cohort-weighted national mean of published results hits
:data:`~partnership_eval.data.synthetic.spec.NATIONAL_RWM`; ``shock`` is transitory: a
school's cohort effect (SD :data:`COHORT_SHOCK_SD`) plus, when switched on, its LA's
yearly shock (:mod:`~partnership_eval.data.synthetic.shocks`), so selection on one year's
result regresses to the mean. Small rural schools (under 150 pupils and rural) are
selected into clusters, and they differ from
other schools in level *and* trend: they start :data:`SMALL_RURAL_GAP_2012` points below
in 2012 and gain :data:`SMALL_RURAL_TREND` points a year on other schools without any
partnership. A difference-in-differences against all never-clustered schools is therefore
biased upwards by about that trend per year of exposure; against small rural schools of
other LAs it is not.

Planted partnership effects are added to ``p0`` (see
:mod:`~partnership_eval.data.synthetic.truth`) and the published % is a binomial draw on
the cohort, split into disadvantaged and other pupils so that the whole-cohort expectation
is exactly the school's probability, drawn pupil by pupil so that changing one
school-year's probability leaves every other result as it was. 2010-2015 are back-cast on the expected-standard
scale (real results then used the old level-4 measure); 2020 and 2021 have no results.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.schools import SMALL_SCHOOL
from partnership_eval.data.synthetic.spec import NATIONAL_RWM, OUTCOME_YEARS, YEARS, year_index

SMALL_RURAL_GAP_2012 = -3.0
"""Level of small rural schools relative to others in 2012 (pp), before any partnership."""
SMALL_RURAL_TREND = 0.6
"""Extra yearly gain of small rural schools over others (pp per year), before any partnership."""

COHORT_SHOCK_SD = 4.5
"""SD (pp) of a school's transitory cohort effect, drawn afresh each year."""

SUPPRESS_AT = 5
"""A measure resting on this many pupils or fewer is suppressed (DfE rule)."""

DISADVANTAGE_GAP = 20.0
"""Gap (pp) between other and disadvantaged pupils' expected probability."""

GREATER_DEPTH_SHARE = {
    2016: 0.09,
    2017: 0.14,
    2018: 0.16,
    2019: 0.17,
    2022: 0.12,
    2023: 0.13,
    2024: 0.13,
}
PROGRESS_YEARS = (2016, 2017, 2018, 2019, 2022, 2023)
ATTENDANCE_SHIFT = {2022: -1.6, 2023: -1.4, 2024: -1.1}
SUSPENSION_RATE = {2022: 1.8, 2023: 2.2, 2024: 2.4}


def small_rural(schools: pd.DataFrame) -> np.ndarray:
    """Schools under 150 pupils that are rural: the group clusters select on."""
    return (schools["pupils"].to_numpy() < SMALL_SCHOOL) & schools["rural"].to_numpy()


def cohort_sizes(schools: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Year 6 cohort per school and year (about a seventh of the roll, varying year to year)."""
    expected = (
        schools["pupils"].to_numpy()[:, None]
        / 7.0
        * np.exp(rng.normal(0, 0.1, (len(schools), len(YEARS))))
    )
    return np.maximum(rng.poisson(expected), 1)


def _calibrate(latent: np.ndarray, weights: np.ndarray, target: float) -> float:
    mu = target - np.average(latent, weights=weights)
    for _ in range(4):
        mu += target - np.average(np.clip(mu + latent, 1.0, 99.0), weights=weights)
    return mu


def cohort_shocks(n_schools: int, rng: np.random.Generator) -> np.ndarray:
    """Each school's transitory cohort effect (pp, schools × years)."""
    return rng.normal(0, COHORT_SHOCK_SD, (n_schools, len(YEARS)))


def baseline_probability(
    schools: pd.DataFrame, cohorts: np.ndarray, transitory: np.ndarray
) -> np.ndarray:
    """Expected probability (0-1) of a pupil meeting the RWM standard, without partnerships.

    ``transitory`` (pp, schools × years) holds the draws a school's result has only that
    year: its cohort effect and its LA's shock.
    """
    years = YEARS[None, :]
    level = (
        schools["quality"].to_numpy()
        + schools["la_effect"].to_numpy()
        - 0.3 * (schools["fsm_pct"].to_numpy() - 15.0)
    )[:, None]
    trend = schools["trend"].to_numpy()[:, None] * (years - 2017)
    gap = small_rural(schools)[:, None] * (
        SMALL_RURAL_GAP_2012 + SMALL_RURAL_TREND * (years - 2012)
    )
    latent = level + trend + gap + transitory
    targets = {**NATIONAL_RWM, 2020: 63.0, 2021: 61.0}
    published = np.where(cohorts > SUPPRESS_AT, cohorts, 0)
    mu = np.array(
        [_calibrate(latent[:, i], published[:, i], targets[int(y)]) for i, y in enumerate(YEARS)]
    )
    return np.clip(mu + latent, 1.0, 99.0) / 100.0


def _share(count: np.ndarray, total: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.round(100.0 * count / total)


def _reason(conditions: list[tuple[np.ndarray, str]], shape: tuple[int, ...]) -> np.ndarray:
    reason = np.full(shape, None, dtype=object)
    for condition, label in reversed(conditions):
        reason[condition] = label
    return reason


def draw_outcomes(
    schools: pd.DataFrame,
    probability: np.ndarray,
    cohorts: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The outcomes table: one row per school and year with KS2 results (no 2020, 2021)."""
    cols = year_index(OUTCOME_YEARS)
    n_s, n_y = len(schools), len(cols)
    shape = (n_s, n_y)
    years = np.broadcast_to(OUTCOME_YEARS[None, :], shape)
    cohort = cohorts[:, cols]
    p = probability[:, cols]
    fsm = schools["fsm_pct"].to_numpy()[:, None]
    disadv = rng.binomial(cohort, np.clip(fsm * 1.6 / 100.0, 0.0, 0.95) * np.ones(shape))
    frac = disadv / cohort
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.minimum(
            np.where(frac < 1, p / (1 - frac), np.inf), np.where(frac > 0, (1 - p) / frac, np.inf)
        )
    gap = np.minimum(DISADVANTAGE_GAP / 100.0, room)
    p_disadv = np.clip(p - gap * (1 - frac), 0.0, 1.0)
    p_other = np.clip(p + gap * frac, 0.0, 1.0)
    high_share = np.array([GREATER_DEPTH_SHARE.get(int(y), 0.0) for y in OUTCOME_YEARS])
    k_disadv, k_other, high = _pupil_draws(
        cohort, disadv, p_disadv, p_other, np.broadcast_to(high_share, shape), rng
    )
    met = k_disadv + k_other
    suppressed = cohort <= SUPPRESS_AT
    pre_high = years < 2016

    table = {
        "urn": np.repeat(schools["urn"].to_numpy(), n_y),
        "year": years.ravel().astype("int64"),
        "cohort_n": cohort.ravel().astype("int64"),
        "ks2_rwm_exp": np.where(suppressed, np.nan, _share(met, cohort)).ravel(),
        "ks2_rwm_exp_reason": _reason([(suppressed, "suppressed")], shape).ravel(),
        "ks2_rwm_high": np.where(suppressed | pre_high, np.nan, _share(high, cohort)).ravel(),
        "ks2_rwm_high_reason": _reason(
            [(pre_high, "not_applicable"), (suppressed, "suppressed")], shape
        ).ravel(),
        "disadv_n": disadv.ravel().astype("int64"),
    }
    for name, k, group in (
        ("disadv_rwm_exp", k_disadv, disadv),
        ("non_disadv_rwm_exp", k_other, cohort - disadv),
    ):
        hidden = (group <= SUPPRESS_AT) | suppressed
        table[name] = np.where(hidden, np.nan, _share(k, group)).ravel()
        table[f"{name}_reason"] = _reason(
            [(group == 0, "no_pupils"), (hidden, "suppressed")], shape
        ).ravel()
    table.update(_progress(schools, p, cohort, years, suppressed, rng))
    table.update(_attendance_exclusions(schools, years, rng))
    return pd.DataFrame(table)


def _pupil_draws(
    cohort: np.ndarray,
    disadv: np.ndarray,
    p_disadv: np.ndarray,
    p_other: np.ndarray,
    high_share: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Disadvantaged and other pupils meeting the standard, and those at the higher one.

    Pupil by pupil, each with their own uniform draws (the first ``disadv`` of a cohort are
    the disadvantaged), so a change in one school-year's probability changes that
    school-year's counts only: switching a shock on or off leaves every other result as
    it was (common random numbers). Every cohort has at least one pupil.
    """
    n = cohort.ravel()
    start = np.cumsum(n) - n
    total = int(n.sum())
    edges = np.bincount(start, minlength=total + 1) - np.bincount(
        start + disadv.ravel(), minlength=total + 1
    )
    poor = np.cumsum(edges[:-1], dtype=np.int32) > 0
    p = np.repeat(p_other.ravel().astype(np.float32), n)
    p[poor] = np.repeat(p_disadv.ravel().astype(np.float32), n)[poor]
    met = rng.random(total, dtype=np.float32) < p
    high = met & (rng.random(total, dtype=np.float32) < np.repeat(high_share.ravel(), n))

    def count(hit: np.ndarray) -> np.ndarray:
        return np.add.reduceat(hit.astype(np.int32), start).reshape(cohort.shape)

    return count(met & poor), count(met & ~poor), count(high)


def _progress(
    schools: pd.DataFrame,
    p: np.ndarray,
    cohort: np.ndarray,
    years: np.ndarray,
    suppressed: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Read, writing and maths progress: mean 0, about 3 at school level, noisier when small."""
    published = np.isin(years, PROGRESS_YEARS)
    before = years < PROGRESS_YEARS[0]
    centred = 100.0 * (p - np.average(p, axis=0, weights=cohort))
    out: dict[str, np.ndarray] = {}
    for subject in ("read", "writ", "mat"):
        value = (
            0.2 * centred
            + rng.normal(0, 1.3, (len(schools), 1))
            + rng.normal(0, 5.5, p.shape) / np.sqrt(cohort)
        )
        value = value - np.average(value, axis=0, weights=cohort)
        hidden = ~published | suppressed
        out[f"{subject}_prog"] = np.where(hidden, np.nan, np.round(value, 1)).ravel()
        out[f"{subject}_prog_reason"] = _reason(
            [
                (before, "not_applicable"),
                (~published & ~before, "not_published"),
                (suppressed, "suppressed"),
            ],
            p.shape,
        ).ravel()
    return out


def _attendance_exclusions(
    schools: pd.DataFrame, years: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """% of sessions attended (about 95-96) and suspensions per 100 pupils."""
    shape = years.shape
    fsm = schools["fsm_pct"].to_numpy()[:, None]
    shift = np.vectorize(lambda y: ATTENDANCE_SHIFT.get(int(y), 0.0))(years[0])
    attendance = (
        96.0
        - 0.05 * (fsm - 15.0)
        + rng.normal(0, 0.6, (shape[0], 1))
        + shift
        + rng.normal(0, 0.3, shape)
    )
    rate = np.vectorize(lambda y: SUSPENSION_RATE.get(int(y), 1.0 + 0.04 * (y - 2010)))(years[0])
    school_rate = (
        rate
        * np.exp(rng.normal(-0.18, 0.6, (shape[0], 1)))
        * np.clip(1 + (fsm - 15.0) / 20.0, 0.3, 3.0)
    )
    pupils = schools["pupils"].to_numpy()[:, None]
    suspensions = rng.poisson(school_rate * pupils / 100.0)
    return {
        "attendance": np.round(np.clip(attendance, 85.0, 99.5), 1).ravel(),
        "exclusions": np.round(100.0 * suspensions / pupils, 2).ravel(),
    }
