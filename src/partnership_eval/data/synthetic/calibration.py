"""How much results move together within a group from one year to the next.

Used to size the shocks of :mod:`~partnership_eval.data.synthetic.shocks` from real KS2
files (``benchmarks/calibrate_shocks.py``) and to check that the synthetic ones come out at
that size. For every pair of consecutive years with results, each school's change in the
% meeting the expected standard in RWM is weighted by its mean cohort; a group's change
is the weighted mean over its schools (pupil-weighted). Between groups, the variance of
those changes around their mean (the national change) is::

    var(group change) = shock part + noise part

The noise part is what changes independent between schools would give (pupil sampling,
a school's own good and bad cohorts): estimated per group from its schools' spread
around the group change (``sum w_s^2 (d_s - d_g)^2 * m / (m - 1)``), averaged over groups.
The excess is the shock part; a shock drawn afresh each year with SD ``sd`` moves a
year-to-year change by ``2 sd^2``, so ``shock_sd = sqrt(excess / 2)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnership_eval.errors import InputError

MIN_SCHOOLS = 10
"""Groups with fewer schools than this in a year pair are left out (their noise estimate is poor)."""

PUBLISHED_FROM = 6
"""Cohorts of five or fewer are suppressed; only schools with 6+ pupils in both years count."""


def school_changes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Each school's change in ``ks2_rwm_exp`` between consecutive years, with its weight.

    ``outcomes`` needs ``urn``, ``year``, ``cohort_n``, ``ks2_rwm_exp``. Returns ``urn``,
    ``year`` (the later year), ``change`` (pp) and ``weight`` (mean cohort of the two years).
    """
    needed = ["urn", "year", "cohort_n", "ks2_rwm_exp"]
    missing = [c for c in needed if c not in outcomes.columns]
    if missing:
        raise InputError(
            f"outcomes lack {', '.join(missing)}",
            column=missing[0],
            fix="pass the canonical outcomes table (urn, year, cohort_n, ks2_rwm_exp)",
        )
    ok = outcomes[outcomes["ks2_rwm_exp"].notna() & (outcomes["cohort_n"] >= PUBLISHED_FROM)]
    now = ok[needed].astype({"urn": "int64", "year": "int64", "cohort_n": "float64"})
    before = now.assign(year=now["year"] + 1)
    pairs = now.merge(before, on=["urn", "year"], suffixes=("", "_before"))
    return pd.DataFrame(
        {
            "urn": pairs["urn"],
            "year": pairs["year"],
            "change": pairs["ks2_rwm_exp"] - pairs["ks2_rwm_exp_before"],
            "weight": (pairs["cohort_n"] + pairs["cohort_n_before"]) / 2.0,
        }
    )


def group_changes(changes: pd.DataFrame, group: pd.Series) -> pd.DataFrame:
    """Pupil-weighted change per group and year, with the noise variance of that mean.

    ``group`` maps URN → group (e.g. LA code); schools it does not map are left out.
    Returns ``group``, ``year``, ``schools``, ``change``, ``noise_var``.
    """
    d = changes.assign(group=changes["urn"].map(group)).dropna(subset=["group"])
    keys = [d["group"], d["year"]]
    total = d.groupby(keys)["weight"].transform("sum")
    w = d["weight"] / total
    mean = (w * d["change"]).groupby(keys).transform("sum")
    m = d.groupby(keys)["change"].transform("size")
    with np.errstate(divide="ignore", invalid="ignore"):
        piece = w**2 * (d["change"] - mean) ** 2 * m / (m - 1)
    out = (
        d.assign(wc=w * d["change"], piece=piece)
        .groupby(["group", "year"])
        .agg(schools=("change", "size"), change=("wc", "sum"), noise_var=("piece", "sum"))
        .reset_index()
    )
    return out


def between_group_variance(
    changes: pd.DataFrame, group: pd.Series, min_schools: int = MIN_SCHOOLS
) -> pd.DataFrame:
    """Per year: between-group SD of changes, its noise part, the excess and the implied shock SD.

    Columns: ``year``, ``groups``, ``sd_change`` (SD across groups of the change net of
    their mean), ``noise_sd`` (square root of the mean noise variance), ``excess_var``
    (``sd_change^2 - noise_sd^2``, may be negative by chance) and ``shock_sd``
    (``sqrt(max(excess_var, 0) / 2)``, the SD of a yearly shock that explains it).
    """
    per = group_changes(changes, group)
    per = per[per["schools"] >= min_schools]
    out = per.groupby("year").agg(
        groups=("change", "size"),
        sd_change=("change", lambda c: c.std(ddof=1)),
        noise_var=("noise_var", "mean"),
    )
    out["excess_var"] = out["sd_change"] ** 2 - out["noise_var"]
    out["noise_sd"] = np.sqrt(out.pop("noise_var"))
    out["shock_sd"] = np.sqrt(np.maximum(out["excess_var"], 0.0) / 2.0)
    return out.reset_index()[["year", "groups", "sd_change", "noise_sd", "excess_var", "shock_sd"]]


def net_of_group(changes: pd.DataFrame, group: pd.Series) -> pd.DataFrame:
    """``changes`` with each school's group change (e.g. its LA's) taken off.

    Used to look for shocks shared inside smaller groups (trusts) beyond their LA's.
    """
    per = group_changes(changes, group).set_index(["group", "year"])["change"]
    key = pd.MultiIndex.from_arrays([changes["urn"].map(group), changes["year"]])
    shift = per.reindex(key).to_numpy()
    return changes.assign(change=changes["change"].to_numpy() - shift).dropna(subset=["change"])
