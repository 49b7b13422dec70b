"""Primary schools of synthetic England: size, rurality, disadvantage, place, latent quality.

Sizes are log-normal, rural schools much smaller than urban ones, so that nearly a quarter
of primaries have fewer than 150 pupils and about 1,400 fewer than 75, mostly rural.
Each school also gets a latent quality (percentage points on the expected-standard scale)
and a latent trend, used by :mod:`~partnership_eval.data.synthetic.attainment`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.geography import school_positions

SMALL_SCHOOL = 150
"""Schools with fewer pupils than this are 'small' (the clusters' threshold)."""

NAME_STEMS = np.array(
    [
        "St Mary's",
        "St John's",
        "St Peter's",
        "Holy Trinity",
        "All Saints",
        "Christ Church",
        "St Michael's",
        "Oakfield",
        "Hillside",
        "Meadowbank",
        "Brookside",
        "Ashgrove",
        "Elmwood",
        "Church Lane",
        "Westfield",
        "Northgate",
        "Southfields",
        "Riverside",
        "Woodlands",
        "Greenacres",
        "Highfield",
        "Orchard",
        "Millbrook",
        "Fairfield",
        "Beechwood",
        "Springfield",
        "Kingsway",
        "Queensbridge",
        "Parkside",
        "Valley",
    ]
)
NAME_ENDINGS = np.array(
    [
        " Primary School",
        " Church of England Primary School",
        " Community Primary School",
        " Catholic Primary School",
        " Infant and Junior School",
        " Primary Academy",
    ]
)
SCHOOL_TYPES = np.array(
    [
        "Community school",
        "Voluntary controlled school",
        "Voluntary aided school",
        "Foundation school",
    ]
)


def _urban_rural(rural: np.ndarray, small: np.ndarray, conurbation: np.ndarray, u: np.ndarray):
    rural_label = np.where(
        small,
        np.select(
            [u < 0.15, u < 0.8],
            ["Rural hamlet and isolated dwellings", "Rural village"],
            "Rural town and fringe",
        ),
        np.where(u < 0.6, "Rural town and fringe", "Rural village"),
    )
    urban_label = np.where(conurbation, "Urban major conurbation", "Urban city and town")
    return np.where(rural, rural_label, urban_label)


def build_schools(las: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per school with the canonical columns plus latent ``quality`` and ``trend``.

    ``is_academy`` and ``school_type`` describe maintained schools here; academy chains
    overwrite them for their members.
    """
    la_pos = np.repeat(np.arange(len(las)), las["n_schools"].to_numpy())
    la = las.iloc[la_pos].reset_index(drop=True)
    n = len(la)
    rural = rng.random(n) < la["rural_share"].to_numpy()
    log_size = np.where(rural, rng.normal(np.log(102), 0.66, n), rng.normal(np.log(300), 0.45, n))
    pupils = np.clip(np.round(np.exp(log_size)), 12, 950).astype(int)
    small = pupils < SMALL_SCHOOL
    fsm = la["fsm_mean"].to_numpy() * np.exp(rng.normal(0, 0.45, n)) * np.where(rural, 0.7, 1.0)
    fsm = np.round(np.clip(fsm, 0.0, 80.0), 1)
    positions = school_positions(
        la[["centre_e", "centre_n"]].to_numpy(), la["radius"].to_numpy(), rural, rng
    )
    conurbation = la["kind"].isin(["london", "metropolitan"]).to_numpy()
    urns = 100_000 + rng.choice(50_000, size=n, replace=False)
    names = pd.Series(NAME_STEMS[rng.integers(0, len(NAME_STEMS), n)]) + pd.Series(
        NAME_ENDINGS[rng.integers(0, len(NAME_ENDINGS), n)]
    )
    opened = pd.to_datetime(
        pd.DataFrame({"year": rng.integers(1950, 2009, n), "month": 9, "day": 1})
    )
    return pd.DataFrame(
        {
            "urn": urns.astype("int64"),
            "name": names.astype(str),
            "la_code": la["la_code"].astype("int64"),
            "la_name": la["la_name"].astype(str),
            "region": la["region"].astype(str),
            "phase": "Primary",
            "school_type": SCHOOL_TYPES[rng.choice(4, n, p=[0.55, 0.2, 0.17, 0.08])],
            "is_academy": np.zeros(n, bool),
            "pupils": pupils.astype("int64"),
            "rural": rural,
            "urban_rural": _urban_rural(rural, small, conurbation, rng.random(n)),
            "fsm_pct": fsm,
            "open_date": opened,
            "close_date": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
            "easting": positions[:, 0],
            "northing": positions[:, 1],
            "status": "Open",
            "quality": rng.normal(0, 10.0, n),
            "trend": rng.normal(0, 0.35, n),
            "la_effect": la["la_effect"].to_numpy(),
        }
    )


def canonical_schools(schools: pd.DataFrame) -> pd.DataFrame:
    """The schools table as published: latent columns dropped."""
    return schools.drop(columns=["quality", "trend", "la_effect"])
