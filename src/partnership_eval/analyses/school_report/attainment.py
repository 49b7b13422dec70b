"""A school's KS2 results over time beside its LA, England and its similar schools.

The school's % meeting the expected standard comes with a Wilson score interval for a
binomial proportion given its number of pupils: with few pupils, chance alone moves a
school's percentage a lot, and the interval shows how much (it treats each year's
pupils as a draw from the pupils the school could have had). Group lines are
pupil-weighted averages of the schools' published percentages; they rest on hundreds
or thousands of pupils, so their own chance variation is small and not drawn.

"England" is all schools in the data in a year only where the data cover most of
England that year (at least :data:`ENGLAND_COVERAGE` of the LAs of the best-covered
year and :data:`ENGLAND_LAS` LAs); otherwise the line is named for what it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from partnership_eval.analyses.school_report.wording import missing_sentence

ENGLAND_COVERAGE = 0.8
ENGLAND_LAS = 100
SCHOOL, SIMILAR, LA = "this school", "similar schools", "local authority"


def wilson_interval(
    pct: np.ndarray | float, pupils: np.ndarray | float, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (in %) for a percentage ``pct`` of ``pupils`` pupils.

    NaN where the percentage or the pupil count is missing or the count is 0.

    Examples
    --------
    >>> low, high = wilson_interval(50.0, 14)
    >>> round(float(low), 1), round(float(high), 1)
    (26.8, 73.2)
    """
    p = np.asarray(pct, dtype="float64") / 100
    n = np.asarray(pupils, dtype="float64")
    n = np.where(n > 0, n, np.nan)
    z = norm.ppf(1 - alpha / 2)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return 100 * (centre - half), 100 * (centre + half)


def _weighted(outcomes: pd.DataFrame, measure: str, base: str) -> pd.DataFrame:
    """Pupil-weighted mean of ``measure`` per year, with pupils and schools behind it."""
    rows = outcomes[outcomes[measure].notna() & (outcomes[base].fillna(0) > 0)]
    w = rows[base].astype("float64")
    parts = (
        pd.DataFrame({"year": rows["year"], "w": w, "wy": w * rows[measure], "urn": rows["urn"]})
        .groupby("year")
        .agg(w=("w", "sum"), wy=("wy", "sum"), schools=("urn", "nunique"))
    )
    return pd.DataFrame(
        {"pct": parts["wy"] / parts["w"], "pupils": parts["w"], "schools": parts["schools"]}
    )


def england_label(outcomes: pd.DataFrame, schools: pd.DataFrame) -> pd.Series:
    """Per year: ``"England"`` where the data cover England, else what they do cover."""
    las = schools.set_index("urn")["la_code"]
    counts = (
        outcomes.loc[outcomes["ks2_rwm_exp"].notna(), ["year", "urn"]]
        .assign(la=lambda f: f["urn"].map(las))
        .groupby("year")["la"]
        .nunique()
    )
    if counts.empty:
        return pd.Series(dtype="str")
    full = (counts >= ENGLAND_COVERAGE * counts.max()) & (counts >= ENGLAND_LAS)
    return pd.Series(
        np.where(full, "England", "all schools in these data (" + counts.astype(str) + " areas)"),
        index=counts.index,
    )


def results_over_time(
    schools: pd.DataFrame,
    outcomes: pd.DataFrame,
    urn: int,
    similar: Sequence[int],
    *,
    measure: str = "ks2_rwm_exp",
    base: str = "cohort_n",
    alpha: float = 0.05,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per year and group (this school, similar schools, its LA, England).

    Columns: year, group, pct, pupils, schools, ci_low, ci_high (this school only),
    missing (why this school's result is not shown, in words; empty when it is) and
    reason (the source's reason code behind it).
    """
    school = schools.set_index("urn").loc[urn]
    mine = outcomes[outcomes["urn"] == urn].set_index("year")
    years = sorted(set(years) if years is not None else set(mine.index))
    reason = f"{measure}_reason"
    rows = []
    if years:
        pct = mine[measure].reindex(years).astype("float64")
        pupils = mine[base].reindex(years).astype("float64") if base in mine else pct * np.nan
        low, high = wilson_interval(pct.to_numpy(), pupils.to_numpy(), alpha)
        reasons = mine[reason].reindex(years) if reason in mine else pd.Series(None, index=years)
        rows.append(
            pd.DataFrame(
                {
                    "year": years,
                    "group": SCHOOL,
                    "pct": pct.to_numpy(),
                    "pupils": pupils.to_numpy(),
                    "schools": 1.0,
                    "ci_low": low,
                    "ci_high": high,
                    "missing": [
                        "" if pd.notna(p) else missing_sentence("The result", y, r)
                        for y, p, r in zip(years, pct, reasons, strict=True)
                    ],
                    "reason": reasons.where(pct.isna()).to_numpy(),
                }
            )
        )
        in_years = outcomes[outcomes["year"].isin(years)]
        la_urns = schools.loc[schools["la_code"] == school["la_code"], "urn"]
        groups = {
            SIMILAR: in_years[in_years["urn"].isin(similar)],
            f"{LA} ({school['la_name']})": in_years[in_years["urn"].isin(la_urns)],
            "England": in_years,
        }
        labels = england_label(outcomes, schools)
        for name, rows_of in groups.items():
            if not len(similar) and name == SIMILAR:
                continue
            table = _weighted(rows_of, measure, base).reindex(years).rename_axis("year")
            table = table.reset_index().assign(group=name, missing="", reason=None)
            if name == "England":
                table["group"] = table["year"].map(labels).fillna("England")
            rows.append(table)
    columns = [
        "year",
        "group",
        "pct",
        "pupils",
        "schools",
        "ci_low",
        "ci_high",
        "missing",
        "reason",
    ]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.concat(rows, ignore_index=True)[columns]
    out["year"] = out["year"].astype("int64")
    return out
