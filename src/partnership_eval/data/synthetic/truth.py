"""Planting programme effects and recording them in the truth table.

Effects are added in percentage points to each school-year's expected probability of a
pupil meeting the RWM standard, one programme after another, clipping to [0, 1]; each
programme's *realised* effect is the shift it caused after clipping, so the published %
(a binomial draw on that probability) moves by exactly that much in expectation.

Truth rows (``outcome = "ks2_rwm_exp"``), for years with results from the cohort's first
treated year on (earlier years have effect 0 and are not listed):

- per programme × cohort × year: the unweighted mean realised effect over the cohort's
  schools (the Callaway-Sant'Anna ATT(g, t) target), ``la_code`` set when the programme
  lies in one LA;
- ``small_school_clusters`` also per LA (``la_code`` set) and per cluster
  (``partnership_id`` set); rows with neither pool every cluster LA;
- ``mat_growth`` rows (``outcome = "joiners"``): planted expected joiners per chain and
  year (the founding year's row holds the founding size), ``cohort`` = founding year,
  ``description`` = pace class (measured, steady, aggressive).

Shock rows (``la_year_shock``, ``partnership_shock``, ``cluster_bad_year_selection``,
``trust_takeover``), when switched on, are described in
:mod:`~partnership_eval.data.synthetic.shocks`; they are not programme effects, and a
reader of a programme's truth selects its ``programme`` name.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.programme import Programme
from partnership_eval.data.synthetic.spec import OUTCOME_YEARS, year_index

TRUTH_COLUMNS = [
    "programme",
    "cohort",
    "year",
    "effect",
    "outcome",
    "partnership_id",
    "la_code",
    "n_schools",
    "description",
]


def plant_effects(
    p_base: np.ndarray, programmes: list[Programme]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Expected probabilities with every programme's effect, and each realised effect (pp)."""
    p = p_base.copy()
    realised = {}
    for programme in programmes:
        shifted = np.clip(p + programme.effect / 100.0, 0.0, 1.0)
        realised[programme.name] = 100.0 * (shifted - p)
        p = shifted
    return p, realised


def _cohort_means(
    programme: Programme, realised: np.ndarray, group: np.ndarray | None
) -> pd.DataFrame:
    """Mean realised effect per (group,) cohort and outcome year from the cohort's first year."""
    treated = np.flatnonzero(programme.first_treated > 0)
    cols = year_index(OUTCOME_YEARS)
    long = pd.DataFrame(
        {
            "cohort": np.repeat(programme.first_treated[treated], len(cols)),
            "year": np.tile(OUTCOME_YEARS, len(treated)),
            "effect": realised[np.ix_(treated, cols)].ravel(),
            "group": np.repeat(group[treated], len(cols)) if group is not None else "",
        }
    )
    long = long[long["year"] >= long["cohort"]]
    out = (
        long.groupby(["group", "cohort", "year"], sort=True)["effect"]
        .agg(effect="mean", n_schools="size")
        .reset_index()
    )
    return out


def programme_truth(
    programme: Programme, realised: np.ndarray, la_code: np.ndarray
) -> pd.DataFrame:
    """Truth rows of one programme (see the module docstring)."""
    pooled = _cohort_means(programme, realised, None).assign(la_code=programme.la_code)
    parts = [pooled]
    if programme.by_la:
        parts.append(
            _cohort_means(programme, realised, la_code).assign(la_code=lambda d: d["group"])
        )
    if programme.by_partnership:
        member = programme.memberships.drop_duplicates("pos")
        pid = np.full(len(la_code), None, dtype=object)
        pid[member["pos"].to_numpy()] = member["partnership_id"].to_numpy()
        parts.append(
            _cohort_means(programme, realised, pid).assign(partnership_id=lambda d: d["group"])
        )
    truth = pd.concat(parts, ignore_index=True).drop(columns="group")
    return truth.assign(
        programme=programme.name, outcome="ks2_rwm_exp", description=programme.description
    )


def truth_table(
    programmes: list[Programme],
    realised: dict[str, np.ndarray],
    la_code: np.ndarray,
    shocks: Sequence[pd.DataFrame] = (),
) -> pd.DataFrame:
    """The truth table of every programme and shock, in the column order of :data:`TRUTH_COLUMNS`."""
    parts = [programme_truth(p, realised[p.name], la_code) for p in programmes]
    parts += [p.extra_truth for p in programmes if p.extra_truth is not None]
    parts += [frame for frame in shocks if len(frame)]
    truth = pd.concat(parts, ignore_index=True).reindex(columns=TRUTH_COLUMNS)
    for col in ("la_code", "n_schools"):
        truth[col] = pd.array(truth[col], dtype="Int64")
    for col in ("programme", "outcome", "partnership_id", "description"):
        truth[col] = truth[col].astype("str").where(truth[col].notna(), None)
    truth["cohort"] = truth["cohort"].astype("int64")
    truth["year"] = truth["year"].astype("int64")
    truth["effect"] = truth["effect"].astype(float)
    return truth
