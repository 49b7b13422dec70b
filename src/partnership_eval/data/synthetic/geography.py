"""Local authorities of synthetic England: how many primaries, how rural, how poor, where.

LA codes, names and regions are the real ones (:func:`partnership_eval.data.geography.la_table`).
School counts approximate the real number of state-funded primaries per LA, scaled to the
national total; positions are invented (British National Grid metres around a made-up
centre per LA), good enough for "nearby schools" and nothing more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.data.geography import la_table
from partnership_eval.data.synthetic.spec import EXCLUDED_LAS, ScaleSpec

APPROX_PRIMARIES = {
    886: 460,
    888: 480,
    881: 450,
    850: 430,
    919: 400,
    926: 360,
    830: 350,
    936: 300,
    878: 310,
    815: 310,
    925: 280,
    909: 270,
    891: 280,
    860: 280,
    935: 250,
    908: 235,
    916: 240,
    931: 240,
    938: 230,
    855: 230,
    933: 210,
    840: 210,
    937: 200,
    873: 200,
    865: 200,
    885: 170,
    825: 170,
    845: 150,
    941: 140,
    893: 130,
    838: 130,
    929: 130,
    811: 125,
    895: 125,
    940: 120,
    896: 115,
    823: 95,
    884: 80,
    839: 70,
    921: 40,
    857: 17,
    330: 300,
    383: 220,
    380: 160,
    352: 150,
    382: 150,
    373: 135,
    341: 120,
    384: 120,
    359: 105,
    801: 100,
    372: 100,
    371: 95,
    333: 95,
    356: 95,
    350: 95,
    344: 90,
    302: 90,
    306: 85,
    331: 85,
    335: 85,
    394: 85,
    343: 80,
    370: 80,
    856: 80,
    879: 77,
    332: 75,
    892: 75,
    336: 70,
}
"""Approximate state-funded primaries in the larger LAs (others take a default by kind)."""

DEFAULT_PRIMARIES = {"london": 60, "metropolitan": 70, "county": 200, "unitary": 50}

RURAL_SHARE = {
    884: 0.75,
    909: 0.65,
    815: 0.65,
    893: 0.65,
    929: 0.65,
    857: 0.7,
    878: 0.6,
    926: 0.6,
    925: 0.6,
    908: 0.55,
    933: 0.55,
    838: 0.55,
    935: 0.55,
    865: 0.55,
    811: 0.5,
    916: 0.45,
    931: 0.45,
    885: 0.45,
    937: 0.4,
    873: 0.45,
    855: 0.4,
    825: 0.35,
    845: 0.4,
    938: 0.35,
}
"""Share of primaries that are rural, for the most rural LAs."""

DEFAULT_RURAL = {"london": 0.0, "metropolitan": 0.05, "county": 0.36, "unitary": 0.12}

REGION_CENTRES = {
    "North East": (420_000, 570_000),
    "North West": (360_000, 450_000),
    "Yorkshire and the Humber": (450_000, 440_000),
    "East Midlands": (480_000, 330_000),
    "West Midlands": (390_000, 290_000),
    "East of England": (570_000, 270_000),
    "London": (530_000, 180_000),
    "South East": (500_000, 140_000),
    "South West": (300_000, 110_000),
}
"""Rough region centres in British National Grid metres."""

REGION_FSM = {
    "North East": 22.0,
    "North West": 20.0,
    "Yorkshire and the Humber": 19.0,
    "East Midlands": 15.0,
    "West Midlands": 20.0,
    "East of England": 13.0,
    "London": 21.0,
    "South East": 12.0,
    "South West": 13.0,
}
"""Typical % of pupils eligible for free school meals, by region."""

ENGLAND_MIN = np.array([85_000.0, 10_000.0])
ENGLAND_MAX = np.array([655_000.0, 655_000.0])
"""Bounding box of England in British National Grid metres (easting, northing)."""

RADIUS_KM = {"london": 5.0, "metropolitan": 8.0, "county": 35.0, "unitary": 9.0}


def _la_kind(codes: pd.Series, regions: pd.Series) -> np.ndarray:
    county = codes.isin(list(RURAL_SHARE) + [k for k, v in APPROX_PRIMARIES.items() if v >= 110])
    kind = np.where(county, "county", "unitary")
    kind = np.where((codes >= 330) & (codes < 400), "metropolitan", kind)
    return np.where(regions == "London", "london", kind)


def local_authorities(spec: ScaleSpec, rng: np.random.Generator) -> pd.DataFrame:
    """One row per LA in the scale: code, name, region, kind, schools, rural share, FSM, centre.

    Every LA gets its traits from the national draw, so an LA looks the same at both scales.
    """
    las = la_table()
    las = las[~las["la_code"].isin(EXCLUDED_LAS)].reset_index(drop=True)
    kind = _la_kind(las["la_code"], las["region"])
    default_n = pd.Series(kind).map(DEFAULT_PRIMARIES).to_numpy(float)
    approx = las["la_code"].map(APPROX_PRIMARIES).to_numpy(float)
    approx = np.where(np.isnan(approx), default_n * rng.uniform(0.8, 1.2, len(las)), approx)
    fixed = las["la_code"].to_numpy() == spec.network_la
    free_total = spec.n_schools - approx[fixed].sum()
    n = np.where(fixed, approx, approx * free_total / approx[~fixed].sum())
    rural = las["la_code"].map(RURAL_SHARE).to_numpy(float)
    rural = np.where(np.isnan(rural), pd.Series(kind).map(DEFAULT_RURAL).to_numpy(float), rural)
    region_fsm = las["region"].map(REGION_FSM).to_numpy(float)
    urban_bonus = np.select([kind == "london", kind == "metropolitan"], [6.0, 4.0], -1.0)
    fsm = np.clip(region_fsm + urban_bonus + rng.normal(0, 3.0, len(las)), 5.0, 40.0)
    centre = np.array([REGION_CENTRES[r] for r in las["region"]], float)
    spread = np.where(kind == "london", 12_000.0, 60_000.0)[:, None]
    centre = np.clip(
        centre + rng.normal(0, 1, (len(las), 2)) * spread,
        ENGLAND_MIN + 30_000,
        ENGLAND_MAX - 30_000,
    )
    frame = pd.DataFrame(
        {
            "la_code": las["la_code"].to_numpy(),
            "la_name": las["la_name"].to_numpy(),
            "region": las["region"].to_numpy(),
            "kind": kind,
            "n_schools": np.round(n).astype(int),
            "rural_share": rural,
            "fsm_mean": fsm,
            "la_effect": rng.normal(0, 2.5, len(las)),
            "centre_e": centre[:, 0],
            "centre_n": centre[:, 1],
            "radius": pd.Series(kind).map(RADIUS_KM).to_numpy(float) * 1000,
        }
    )
    if spec.la_codes is not None:
        frame = frame[frame["la_code"].isin(spec.la_codes)].reset_index(drop=True)
    return frame


def school_positions(
    centre: np.ndarray, radius: np.ndarray, rural: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Easting and northing (metres) of schools: urban ones near the LA centre, rural spread out."""
    scale = np.where(rural, 1.0, 0.35) * radius
    offset = rng.normal(0, 1, (len(radius), 2)) * scale[:, None]
    return np.round(np.clip(centre + offset, ENGLAND_MIN, ENGLAND_MAX), -1)


def serpentine_order(east: np.ndarray, north: np.ndarray, per_strip: int = 12) -> np.ndarray:
    """Positions ordered along a boustrophedon path through horizontal strips.

    Consecutive schools in this order are near each other, so cutting the order into
    short runs makes geographic groups without a loop over schools.
    """
    n = len(east)
    n_strips = max(1, int(round(n / per_strip)))
    strip = np.minimum(
        (np.argsort(np.argsort(north, kind="stable"), kind="stable") * n_strips) // max(n, 1),
        n_strips - 1,
    )
    direction = np.where(strip % 2 == 0, 1.0, -1.0)
    return np.lexsort((direction * east, strip))
