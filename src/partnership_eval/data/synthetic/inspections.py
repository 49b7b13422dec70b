"""Ofsted inspections of synthetic England.

Each school is first inspected between September 2009 and August 2013, then every 3-5
years; inspections due during the 2020-21 pause are pushed back 18 months. The grade
(1 outstanding ... 4 inadequate, about 17/65/14/4 %) comes from the school's latent
quality and its expected attainment in that academic year *including* planted partnership
effects, so partnership schools' grades move with their planted effects. From September
2015 a good school whose grade would stay good gets a ``section 8 short`` inspection;
every other inspection is ``section 5``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.spec import YEARS, year_index

FIRST_FROM = np.datetime64("2009-09-01")
FIRST_SPAN_DAYS = 4 * 365
LAST_DATE = np.datetime64("2024-07-19")
PAUSE = (np.datetime64("2020-03-17"), np.datetime64("2021-09-01"))
SHORT_FROM = np.datetime64("2015-09-01")
GRADE_SHARES = np.array([0.17, 0.65, 0.14, 0.04])


def _academic_year(dates: np.ndarray) -> np.ndarray:
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    return years + (months >= 9)


def build_inspections(
    schools: pd.DataFrame, probability: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """The inspections table: urn, date, grade, kind."""
    n = len(schools)
    rounds = 6
    dates = np.empty((n, rounds), "datetime64[D]")
    dates[:, 0] = FIRST_FROM + rng.integers(0, FIRST_SPAN_DAYS, n).astype("timedelta64[D]")
    gaps = rng.integers(3 * 365, 5 * 365 + 1, (n, rounds)).astype("timedelta64[D]")
    for k in range(1, rounds):
        due = dates[:, k - 1] + gaps[:, k]
        paused = (due >= PAUSE[0]) & (due < PAUSE[1])
        dates[:, k] = np.where(paused, due + np.timedelta64(548, "D"), due)
    held = dates <= LAST_DATE
    year = np.clip(_academic_year(dates), YEARS[0], YEARS[-1])
    attainment = 100.0 * np.take_along_axis(probability, year_index(year), axis=1)
    relative = attainment - 100.0 * probability.mean(axis=0)[year_index(year)]
    quality = schools["quality"].to_numpy()[:, None]
    score = 0.5 * quality / 10.0 + 0.7 * relative / 12.0 + rng.normal(0, 0.6, (n, rounds))
    cuts = np.quantile(score[held], np.cumsum(GRADE_SHARES[::-1])[:-1])
    grade = 4 - np.searchsorted(cuts, score.ravel()).reshape(score.shape)
    kind = np.full((n, rounds), "section 5", dtype=object)
    after_good = np.zeros((n, rounds), bool)
    after_good[:, 1:] = grade[:, :-1] == 2
    short = after_good & (grade == 2) & (dates >= SHORT_FROM)
    kind[short] = "section 8 short"
    school, _ = np.nonzero(held)
    return pd.DataFrame(
        {
            "urn": schools["urn"].to_numpy()[school],
            "date": pd.to_datetime(dates[held]),
            "grade": grade[held].astype("int64"),
            "kind": kind[held].astype(str),
        }
    )
