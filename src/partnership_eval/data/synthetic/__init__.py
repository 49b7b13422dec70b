"""Synthetic England: demonstration data with planted partnership effects.

``build_synthetic_england(scale, seed)`` returns the canonical tables (``schools``,
``outcomes``, ``memberships``, ``partnerships``, ``inspections``) plus ``truth``, every
effect the generator planted; ``write_demo_data`` writes them, labelled synthetic, with a
hash manifest. The same seed gives byte-identical files.

What is planted and how (see each module's docstring for the details):

- :mod:`.schools`, :mod:`.geography`: about 16,700 primaries in 150 real LAs (``full``)
  or six LAs (``small``: Cumbria, Devon, Norfolk, Plymouth, Shropshire, Herefordshire).
- :mod:`.attainment`: % meeting the expected standard in RWM, a binomial draw on the
  cohort, calibrated to the published national figures; 2010-2015 back-cast on the
  expected-standard scale (real results then used the old level-4 measure); no rows for
  2020 and 2021. Small rural schools differ from others in level and trend (the trap).
- :mod:`.clusters`, :mod:`.chains`, :mod:`.networks`: small-school clusters, academy
  chains (growth paces, sponsored selection on low results, intake dip), an LA-wide
  peer-review network, federations and umbrella trusts, each with a planted effect.
- :mod:`.inspections`: Ofsted grades driven by latent quality and attainment.
- :mod:`.reviews`: self-reviews and peer reviews of peer-review networks and umbrella
  trusts, with planted over-rating on chosen themes and school types.
- :mod:`.shocks`: what real results have and designs assume away: LA × year shocks,
  partnership × year shocks after joining, clusters starting after a bad year, trusts
  taking on schools after a bad year. All on by default; ``shocks=Shocks.off()`` (or
  ``dataclasses.replace`` of one field with 0) turns them off. :mod:`.calibration`
  measures them (``benchmarks/calibrate_shocks.py`` sizes them on real KS2 files).
- :mod:`.phonics`, :mod:`.absence`: Year 1 phonics check results (calibrated to the
  national series) and persistent absence (the 10% threshold).
- :mod:`.truth`: how effects are planted and what the truth table holds.

Real academy conversions issue a new URN; here a school keeps its URN for simplicity.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import partnership_eval
from partnership_eval.data.store import write_tables
from partnership_eval.data.synthetic.england import SyntheticWorld, simulate
from partnership_eval.data.synthetic.spec import Shocks, scale_spec

__all__ = ["Shocks", "SyntheticWorld", "build_synthetic_england", "simulate", "write_demo_data"]


def build_synthetic_england(
    scale: str = "small", seed: int = 0, shocks: Shocks | None = None
) -> dict[str, pd.DataFrame]:
    """The canonical tables of synthetic England plus ``truth``.

    Parameters
    ----------
    scale : {"small", "full"}
        ``small``: six LAs (about 1,200 schools) for tests; ``full``: about 16,700
        primaries in 150 LAs.
    seed : int
        Non-negative random seed; the same seed gives identical tables.
    shocks : Shocks, optional
        Which shocks to plant and how big (default: the scale's, all on).

    Returns
    -------
    dict of DataFrame
        Keys ``schools``, ``outcomes``, ``memberships``, ``partnerships``,
        ``inspections``, ``reviews``, ``truth``.

    Examples
    --------
    >>> tables = build_synthetic_england("small", seed=0)
    >>> sorted(tables)
    ['inspections', 'memberships', 'outcomes', 'partnerships', 'reviews', 'schools', 'truth']
    """
    return simulate(scale, seed, shocks).tables


def write_demo_data(
    out_dir: str | Path,
    scale: str = "full",
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    shocks: Shocks | None = None,
) -> Path:
    """Build synthetic England and write its tables to ``out_dir``; return the manifest path.

    Every file is marked synthetic and records generator, scale, seed, shocks and version.
    """
    report = progress or (lambda message: None)
    report(f"building synthetic England (scale {scale}, seed {seed})")
    tables = build_synthetic_england(scale, seed, shocks)
    shocks = scale_spec(scale).shocks if shocks is None else shocks
    report(f"writing {len(tables)} tables to {out_dir}")
    provenance = {
        "generator": "partnership_eval.data.synthetic",
        "scale": scale,
        "seed": seed,
        "shocks": dataclasses.asdict(shocks),
        "version": partnership_eval.__version__,
        "note": "synthetic data; 2010-2015 back-cast on the expected-standard scale",
    }
    return write_tables(tables, out_dir, synthetic=True, provenance=provenance)
