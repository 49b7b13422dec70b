"""What a synthetic England contains at each scale, its calendar and its random streams."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from partnership_eval.errors import PartnershipEvalError

YEARS = np.arange(2010, 2025)
"""Academic years simulated (named by the year they end)."""

NO_TESTS = (2020, 2021)
"""Years without KS2 tests: no outcome rows at all."""

OUTCOME_YEARS = np.array([y for y in YEARS if y not in NO_TESTS])

NATIONAL_RWM = {
    2010: 44.0,
    2011: 46.0,
    2012: 48.0,
    2013: 50.0,
    2014: 51.0,
    2015: 52.0,
    2016: 53.0,
    2017: 61.0,
    2018: 64.0,
    2019: 65.0,
    2022: 59.0,
    2023: 60.0,
    2024: 61.0,
}
"""Pupil-weighted national % meeting the expected standard in RWM.

2016-2024 are the published figures; 2010-2015 are back-cast on the expected-standard
scale (real results for those years used the old level-4 measure).
"""


@dataclass(frozen=True)
class ScaleSpec:
    """Size and contents of one scale of synthetic England."""

    name: str
    la_codes: tuple[int, ...] | None  # None: every LA except EXCLUDED_LAS
    n_schools: int  # national total the LA sizes are scaled to
    n_chains: int  # measured and steady chains
    n_aggressive: int
    cluster_las: tuple[int, ...]
    network_la: int
    n_federations: int
    n_umbrella_trusts: int


EXCLUDED_LAS = (201, 420, 928)
"""City of London and the Isles of Scilly (one or two schools each) and Northamptonshire,
which the file keeps beside its 2021 successors (940, 941)."""

SCALES = {
    "full": ScaleSpec(
        name="full",
        la_codes=None,
        n_schools=16_700,
        n_chains=420,
        n_aggressive=6,
        cluster_las=(909, 878, 815, 926),
        network_la=879,
        n_federations=12,
        n_umbrella_trusts=6,
    ),
    "small": ScaleSpec(
        name="small",
        la_codes=(909, 878, 926, 879, 893, 884),
        n_schools=16_700,
        n_chains=12,
        n_aggressive=1,
        cluster_las=(909, 878, 926),
        network_la=879,
        n_federations=4,
        n_umbrella_trusts=2,
    ),
}


def scale_spec(scale: str) -> ScaleSpec:
    """The :class:`ScaleSpec` named ``scale``; a clear error for unknown names."""
    if scale not in SCALES:
        raise PartnershipEvalError(
            f"unknown scale {scale!r} for synthetic England; use one of {', '.join(SCALES)}"
        )
    return SCALES[scale]


def check_seed(seed: int) -> int:
    """``seed`` as a non-negative int, or a clear error."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise PartnershipEvalError(
            f"seed must be a non-negative integer, got {seed!r} (e.g. --seed 0)"
        )
    return int(seed)


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random generator for one part of the simulation.

    Each part draws from its own stream, so changing one part leaves the draws of the
    others as they were.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def year_index(years: np.ndarray | int) -> np.ndarray | int:
    """Column of ``years`` in school × year arrays."""
    return np.asarray(years) - YEARS[0]
