"""What a synthetic England contains at each scale, its calendar and its random streams."""

from __future__ import annotations

import numbers
import zlib
from dataclasses import dataclass

import numpy as np

from partnership_eval.data.schema import NO_TESTS
from partnership_eval.errors import InputError, PartnershipEvalError

YEARS = np.arange(2010, 2025)
"""Academic years simulated (named by the year they end)."""

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


LA_YEAR_SD = 1.0
"""SD (pp) of the LA × year shock, calibrated on the real national KS2 files 2016-2018 by
``benchmarks/calibrate_shocks.py``: between 149 LAs, pupil-weighted RWM changes net of the
national change vary by 2.2-2.4 pp a year, of which 1.8 pp is what independent changes of
their schools give; the excess (2.0 pp² a year on average) is what a fresh yearly shock of
SD 1.0 pp gives (2 × 1.0²)."""

PARTNERSHIP_SD = 1.0
"""SD (pp) of the partnership × year shock shared by a partnership's members after joining.
Real trusts with 3+ primaries (May 2018 links) show an excess over their LAs' changes of
about 1.1 pp (imprecise: 0 with 5+ primaries); 1.0 pp, like the LA shock, is taken."""

BAD_YEAR_SHARE = 0.5
"""Share of clusters whose start year is the one after their worst year (of the candidates)."""

TAKEOVER_SHARE = 0.5
"""Share of sponsored joining slots filled by the school with the worst year just before."""


@dataclass(frozen=True)
class Shocks:
    """The shocks real KS2 results have, each switched off by setting it to 0.

    ``la_year_sd``: LA × year shock (pp, drawn afresh each year) added to every school of the
    LA (writing is teacher-assessed and moderated by the LA). ``partnership_sd``: partnership
    × year shock (pp) shared by its members from the year they join. ``bad_year_share``:
    share of small-school clusters that start in the year after their worst year (selection
    on a bad draw, so mean reversion flatters a before/after). ``takeover_share``: share of
    sponsored academy-chain joiners taken on after their worst year rather than for a low
    level, many of them comparison schools of other programmes.
    """

    la_year_sd: float = LA_YEAR_SD
    partnership_sd: float = PARTNERSHIP_SD
    bad_year_share: float = BAD_YEAR_SHARE
    takeover_share: float = TAKEOVER_SHARE

    @classmethod
    def off(cls) -> Shocks:
        """No shocks: the world every design assumption holds in."""
        return cls(la_year_sd=0.0, partnership_sd=0.0, bad_year_share=0.0, takeover_share=0.0)

    def __post_init__(self) -> None:
        for name in ("la_year_sd", "partnership_sd", "bad_year_share", "takeover_share"):
            value = getattr(self, name)
            top = 1.0 if name.endswith("share") else np.inf
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
            if not ok or not 0.0 <= value <= top:
                raise InputError(
                    f"shock {name} must be a number from 0 to {top:g}, got {value!r}",
                    fix="0 switches it off",
                )


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
    shocks: Shocks = Shocks()


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
