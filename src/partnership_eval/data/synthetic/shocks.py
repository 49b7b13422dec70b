"""Shocks real KS2 results have, which designs that assume them away get wrong.

Each is switched by a field of :class:`~partnership_eval.data.synthetic.spec.Shocks`
(0 turns it off; each draws from its own random stream, so switching one leaves every
other draw as it was) and recorded in the truth table (``outcome = "ks2_rwm_exp"``, effect in pp):

- ``la_year_shock`` (``la_year_sd``): every school of an LA moves together in a year (writing
  is teacher-assessed and moderated by the LA), by a fresh N(0, sd²) draw each year added
  to its expected % before the national calibration. One row per LA and year
  (``cohort`` 0, ``la_code``, ``n_schools`` the LA's schools).
- ``partnership_shock`` (``partnership_sd``): the members of a partnership move together
  in each year from the year they join, N(0, sd²) per partnership and year (a
  collaborative's triads share their collaborative's). Not part of any planted effect: a
  design's error from them is noise at the partnership level. One row per partnership
  and year with members (``cohort`` its first year, ``n_schools`` members that year).
- ``cluster_bad_year_selection`` (``bad_year_share``): that share of small-school
  clusters starts in the candidate year after its worst year (lowest mean transitory
  draw, school cohort plus LA-year shock, of its schools), so its pre-start year is low
  and a before/after comparison mistakes mean reversion for impact. One row per such
  cluster: ``cohort`` start year, ``year`` the year before, ``effect`` that mean draw.
- ``trust_takeover`` (``takeover_share``): that share of sponsored academy-chain joining
  slots is filled by the free school of the region with the worst draw in the last
  published year (rather than a low level), so comparison schools that a design drops for
  joining a trust later are the ones with a bad year. One row per chain and joining year:
  ``effect`` the joiners' mean draw in the last published year, ``n_schools`` how many.

Truth values are the draws; clipping expected probabilities to [1%, 99%] can trim them
for a few school-years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from partnership_eval.data.geography import la_table
from partnership_eval.data.synthetic.programme import Programme
from partnership_eval.data.synthetic.spec import YEARS, year_index


def la_year_shocks(
    schools: pd.DataFrame, sd: float, rng: np.random.Generator
) -> tuple[np.ndarray, pd.DataFrame]:
    """Shift (pp, schools × years) of each school's LA in each year, and its truth rows.

    Draws are made for every LA of England, so an LA's shocks are the same at both scales.
    """
    codes = np.sort(la_table()["la_code"].to_numpy())
    draws = sd * rng.normal(0.0, 1.0, (len(codes), len(YEARS)))
    la = schools["la_code"].to_numpy()
    shift = draws[np.searchsorted(codes, la)]
    if sd == 0:
        return shift, pd.DataFrame()
    present, n_schools = np.unique(la, return_counts=True)
    rows = draws[np.searchsorted(codes, present)]
    truth = pd.DataFrame(
        {
            "programme": "la_year_shock",
            "cohort": 0,
            "year": np.tile(YEARS, len(present)),
            "effect": rows.ravel(),
            "outcome": "ks2_rwm_exp",
            "la_code": np.repeat(present, len(YEARS)),
            "n_schools": np.repeat(n_schools, len(YEARS)),
            "description": f"LA x year shock N(0, {sd:g}^2) pp on every school of the LA",
        }
    )
    return shift, truth


def add_partnership_shocks(
    p_expected: np.ndarray, programmes: list[Programme], sd: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """``p_expected`` with the partnership shocks, their realised shift (pp) and truth rows."""
    shift, truth = partnership_shocks(programmes, len(p_expected), sd, rng)
    shocked = np.clip(p_expected + shift / 100.0, 0.0, 1.0)
    return shocked, 100.0 * (shocked - p_expected), truth


def partnership_shocks(
    programmes: list[Programme], n_schools: int, sd: float, rng: np.random.Generator
) -> tuple[np.ndarray, pd.DataFrame]:
    """Shift (pp, schools × years) shared by a partnership's members after joining, and truth."""
    parts = pd.concat([p.partnerships for p in programmes], ignore_index=True)
    parent = parts["parent_id"] if "parent_id" in parts else pd.Series(None, index=parts.index)
    nested = parts.loc[parent.notna(), "partnership_id"]
    members = pd.concat(
        [p.memberships.assign(first=p.first_treated[p.memberships["pos"]]) for p in programmes],
        ignore_index=True,
    )
    members = members[~members["partnership_id"].isin(nested)]
    ids = np.sort(members["partnership_id"].unique())
    draws = sd * rng.normal(0.0, 1.0, (len(ids), len(YEARS)))
    code = np.searchsorted(ids, members["partnership_id"].to_numpy())
    active = YEARS[None, :] >= members["first"].to_numpy()[:, None]
    shift = np.zeros((n_schools, len(YEARS)))
    np.add.at(shift, members["pos"].to_numpy(), np.where(active, draws[code], 0.0))
    if sd == 0:
        return shift, pd.DataFrame()
    count = np.zeros((len(ids), len(YEARS)), int)
    np.add.at(count, code, active.astype(int))
    pid, col = np.nonzero(count)
    first = members.groupby("partnership_id")["first"].min().reindex(ids).to_numpy()
    la = parts.drop_duplicates("partnership_id").set_index("partnership_id")["la_code"]
    truth = pd.DataFrame(
        {
            "programme": "partnership_shock",
            "cohort": first[pid],
            "year": YEARS[col],
            "effect": draws[pid, col],
            "outcome": "ks2_rwm_exp",
            "partnership_id": ids[pid],
            "la_code": la.reindex(ids[pid]).to_numpy(),
            "n_schools": count[pid, col],
            "description": (
                f"partnership x year shock N(0, {sd:g}^2) pp shared by members from joining"
            ),
        }
    )
    return shift, truth


@dataclass
class BadYearSelection:
    """Clusters that start in the year after their worst year (see the module docstring).

    ``transitory`` is the schools × years draw (pp) a school's result holds only that year.
    """

    transitory: np.ndarray
    share: float
    rng: np.random.Generator

    def choose(
        self, start: np.ndarray, label: np.ndarray, pos: np.ndarray, candidates: np.ndarray
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """Start years after selection, and truth rows (``cluster`` numbers the clusters)."""
        k = len(start)
        selected = self.rng.random(k) < self.share
        size = np.bincount(label, minlength=k)
        sums = np.zeros((k, len(candidates)))
        np.add.at(sums, label, self.transitory[np.ix_(pos, year_index(candidates - 1))])
        pre = sums / size[:, None]
        worst = np.argmin(pre, axis=1)
        chosen = np.where(selected, candidates[worst], start)
        picked = np.flatnonzero(selected)
        rows = pd.DataFrame(
            {
                "cluster": picked,
                "cohort": chosen[picked],
                "year": chosen[picked] - 1,
                "effect": pre[picked, worst[picked]],
                "n_schools": size[picked],
            }
        )
        return chosen, rows

    def truth(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Truth rows from :meth:`choose`'s, once ``partnership_id`` and ``la_code`` are set."""
        return rows.drop(columns="cluster").assign(
            programme="cluster_bad_year_selection",
            outcome="ks2_rwm_exp",
            description=(
                f"{self.share:.0%} of clusters start the year after their worst year; "
                "effect: their schools' mean transitory draw (pp) in that year"
            ),
        )


@dataclass
class Takeovers:
    """Sponsored chain joiners picked for a bad year (see the module docstring)."""

    transitory: np.ndarray
    share: float
    rng: np.random.Generator

    def pick(
        self, sponsored: np.ndarray, pool: np.ndarray, low_first: np.ndarray, last_year: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Schools for the sponsored slots, and which of them were taken over after a bad year.

        ``low_first`` is ``pool`` in the order sponsors pick on level; a share of the
        sponsored slots goes first to the schools with the worst draw in ``last_year``.
        """
        n_sponsored = int(sponsored.sum())
        n_bad = int((self.rng.random(len(sponsored)) < self.share)[sponsored].sum())
        draw = self.transitory[pool, year_index(last_year)]
        bad = pool[np.argsort(draw, kind="stable")[:n_bad]]
        rest = low_first[~np.isin(low_first, bad)][: n_sponsored - len(bad)]
        return np.concatenate([bad, rest]), bad

    def truth(self, members: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
        """Truth rows per chain and joining year from ``members`` (``takeover``, ``last_year``)."""
        taken = members[members["takeover"]]
        draw = self.transitory[taken["pos"].to_numpy(), year_index(taken["last_year"].to_numpy())]
        rows = (
            taken.assign(draw=draw)
            .groupby(["chain", "first_year", "last_year"], sort=True)["draw"]
            .agg(effect="mean", n_schools="size")
            .reset_index()
        )
        return pd.DataFrame(
            {
                "programme": "trust_takeover",
                "cohort": rows["first_year"].to_numpy(),
                "year": rows["last_year"].to_numpy(),
                "effect": rows["effect"].to_numpy(),
                "outcome": "ks2_rwm_exp",
                "partnership_id": ids[rows["chain"].to_numpy()],
                "n_schools": rows["n_schools"].to_numpy(),
                "description": (
                    f"{self.share:.0%} of sponsored joiners are the schools with the worst "
                    "draw in the last published year; effect: their mean draw (pp)"
                ),
            }
        )
