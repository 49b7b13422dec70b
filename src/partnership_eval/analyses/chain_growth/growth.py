"""How fast academy chains grow, how that compares with US charter chains, and chain results.

Joining and leaving are dated by the panel's May-test rule
(:func:`partnership_eval.panel.exposure_year`): a school joining from 1 May of year Y
(after that year's KS2 tests) counts from Y + 1, as does one leaving then. A chain's
size in year Y counts the schools that are members at the tests of Y. Joiners and
leavers in Y are the memberships starting or ending in Y so dated, so
``size[Y] = size[Y-1] + joiners[Y] - leavers[Y]``. A chain's age is 1 in the first
academic year in which it had a school. Founder schools (age 1) are not growth: pace is
measured on the joiners of later years.

The benchmark is the path the programme documents give for US charter management
organisations: about one new school a year for the first six or seven years, about two a
year after that, about 13 schools after ten years.

Pace classes (see :func:`classify_pace`) treat each year's joiners as a Poisson count
around the chain's underlying pace, so one lucky spell does not make a chain aggressive:
*aggressive* needs the 95% lower confidence bound of the fastest spell's pace to reach
three new schools a year; *steady* keeps up with the US charter chains over the same
years of life; *measured* is slower. What the classes detect is measured by simulating
chains of known pace through the same rule (:func:`pace_detection`). Counts and their
means get exact Poisson (Garwood) intervals, widened when chains differ more than
Poisson counts would (:func:`count_interval`), so they never go below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator
from scipy import stats

from partnership_eval.data.store import DataTables
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.exclusions import Counted, concat_exclusions, exclusion, exclusion_frame
from partnership_eval.labels import kinds_label
from partnership_eval.panel import (
    Area,
    academic_year,
    area_schools,
    as_area,
    as_names,
    as_years,
    exposure_year,
    is_member,
    memberships_of_kind,
)
from partnership_eval.plots import PALETTE, styled
from partnership_eval.result import Result, tidy_frame

PACE_CLASSES = ("measured", "steady", "aggressive")
"""Growth pace classes, slowest first; chains with no year after founding are "too new"."""


def chain_memberships(
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
) -> Counted:
    """Memberships of chains of ``kind`` with the years of joining and leaving.

    Returns the membership rows with ``join_year`` and ``leave_year`` (missing while a
    member), dated by the panel's May-test rule
    (:func:`partnership_eval.panel.exposure_year`): the first academic year whose KS2
    results come after the date. Rows whose leaving date is before their joining date
    cannot be placed in time; they are dropped and counted in the exclusions.
    """
    rows = memberships_of_kind(memberships, partnerships, kind).copy()
    rows["join_year"] = exposure_year(rows["joined"])
    rows["leave_year"] = exposure_year(rows["left"])
    backwards = (rows["left"] < rows["joined"]).fillna(False).astype(bool)
    exclusions = []
    if backwards.any():
        exclusions.append(exclusion("membership left before it joined", rows, backwards))
    rows = rows[~backwards].reset_index(drop=True)
    return Counted(rows, exclusion_frame(exclusions, step="memberships"))


def chain_sizes(
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    last_year: int | None = None,
) -> Counted:
    """Size of every chain in every academic year from its first school to ``last_year``.

    Parameters
    ----------
    memberships, partnerships
        Canonical tables.
    kind
        Partnership kind(s) counted as chains.
    last_year
        Last academic year to show; default: the latest year anyone joined or left.

    Returns
    -------
    Counted
        One row per chain and year: partnership_id, year, chain_age (1 = first year),
        joiners, leavers, size_start (size at the previous year's tests), size
        (at this year's tests) and dose (joiners / size_start; missing when the chain
        had no school before); the exclusions count unusable memberships.

    Examples
    --------
    >>> sizes = chain_sizes(tables.memberships, tables.partnerships)  # doctest: +SKIP
    """
    rows, excluded = chain_memberships(memberships, partnerships, kind)
    columns = ["partnership_id", "year", "chain_age", "joiners", "leavers", "size_start", "size"]
    if rows.empty:
        return Counted(pd.DataFrame(columns=[*columns, "dose"]), excluded)
    if last_year is None:
        last_year = int(pd.concat([rows["join_year"], rows["leave_year"]]).max())
    first = rows.groupby("partnership_id")["join_year"].min().astype("int64")
    first = first[first <= last_year]
    n_years = (last_year - first + 1).to_numpy()
    grid = pd.DataFrame(
        {
            "partnership_id": np.repeat(first.index.to_numpy(), n_years),
            "year": np.concatenate([np.arange(f, last_year + 1) for f in first.to_numpy()]),
        }
    )
    grid["chain_age"] = grid["year"] - grid["partnership_id"].map(first) + 1
    joins = rows.groupby(["partnership_id", "join_year"]).size().rename("joiners")
    leaves = (
        rows.dropna(subset=["leave_year"])
        .groupby(["partnership_id", "leave_year"])
        .size()
        .rename("leavers")
    )
    key = pd.MultiIndex.from_frame(grid[["partnership_id", "year"]])
    grid["joiners"] = joins.reindex(key, fill_value=0).to_numpy()
    grid["leavers"] = leaves.reindex(key, fill_value=0).to_numpy()
    grid["size"] = (grid["joiners"] - grid["leavers"]).groupby(grid["partnership_id"]).cumsum()
    grid["size_start"] = grid["size"] - grid["joiners"] + grid["leavers"]
    grid["dose"] = (grid["joiners"] / grid["size_start"]).where(grid["size_start"] > 0)
    out = grid[[*columns, "dose"]].astype(
        {c: "int64" for c in ("year", "chain_age", "joiners", "leavers", "size", "size_start")}
    )
    return Counted(out, excluded)


def cmo_benchmark(max_age: int = 10) -> pd.DataFrame:
    """The US charter-chain growth path of the programme documents, by chain age.

    One new school a year in years 1–7 and two a year from year 8, which gives about 13
    schools after ten years. Returns chain_age, added and size.
    """
    age = np.arange(1, max_age + 1)
    added = np.where(age <= 7, 1, 2)
    return pd.DataFrame({"chain_age": age, "added": added, "size": np.cumsum(added)})


def count_interval(
    total: np.ndarray | pd.Series,
    exposure: np.ndarray | pd.Series | float,
    alpha: float,
    *,
    dispersion: np.ndarray | pd.Series | float = 1.0,
    sided: str = "two",
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson (Garwood) interval for a rate: ``total`` events over ``exposure``.

    With ``dispersion`` φ > 1 (variance φ times the mean: chains that differ more than
    Poisson counts would) the count is read as ``total / φ`` events over ``exposure / φ``
    (quasi-Poisson), which widens the interval; φ below 1 is taken as 1. The lower bound
    is 0 for a zero count and never negative. ``sided="lower"`` or ``"upper"`` gives the
    one-sided bound at 1 − ``alpha`` (the other side is 0 or infinite).
    """
    phi = np.maximum(np.asarray(dispersion, dtype="float64"), 1.0)
    events = np.asarray(total, dtype="float64") / phi
    scale = phi / np.asarray(exposure, dtype="float64")
    tail = alpha if sided != "two" else alpha / 2
    with np.errstate(invalid="ignore"):
        low = np.nan_to_num(stats.chi2.ppf(tail, 2 * events) / 2, nan=0.0) * scale
        high = stats.chi2.ppf(1 - tail, 2 * events + 2) / 2 * scale
    if sided == "lower":
        high = np.full_like(low, np.inf)
    elif sided == "upper":
        low = np.zeros_like(high)
    return low, high


def _count_mean_interval(values: pd.Series, alpha: float) -> pd.Series:
    """Mean of non-negative counts with a Garwood interval widened for overdispersion."""
    n = int(values.count())
    mean = float(values.mean()) if n else np.nan
    sd = float(values.std(ddof=1)) if n > 1 else np.nan
    phi = sd**2 / mean if n > 1 and mean > 0 else 1.0
    low, high = count_interval(values.sum(), n, alpha, dispersion=phi) if n else (np.nan, np.nan)
    return pd.Series(
        {
            "n_chains": n,
            "mean": mean,
            "se": sd / np.sqrt(n) if n > 1 else np.nan,
            "ci_low": float(low),
            "ci_high": float(high),
        }
    )


def growth_by_age(sizes: pd.DataFrame, *, max_age: int = 10, alpha: float = 0.05) -> pd.DataFrame:
    """Schools added per year and mean chain size by chain age, with count intervals.

    Each chain counts once at every age it has reached by the end of the data, so young
    chains inform only the early ages. Intervals are exact Poisson intervals widened for
    differences between chains (:func:`count_interval`), so they never go below zero.
    Returns chain_age, n_chains, mean (joiners), se, ci_low, ci_high, median, mean_size,
    size_ci_low, size_ci_high and the benchmark's ``cmo_added`` and ``cmo_size``.
    """
    rows = sizes[sizes["chain_age"] <= max_age]
    ages = rows.groupby("chain_age")
    added = ages["joiners"].apply(_count_mean_interval, alpha=alpha).unstack()
    size = ages["size"].apply(_count_mean_interval, alpha=alpha).unstack()
    table = added.assign(
        median=ages["joiners"].median(),
        mean_size=size["mean"],
        size_ci_low=size["ci_low"],
        size_ci_high=size["ci_high"],
    ).reset_index()
    table["n_chains"] = table["n_chains"].astype("int64")
    bench = cmo_benchmark(max_age).rename(columns={"added": "cmo_added", "size": "cmo_size"})
    return table.merge(bench, on="chain_age", how="left")


def classify_pace(
    sizes: pd.DataFrame,
    *,
    steady_share: float = 0.8,
    aggressive_from: float = 3.0,
    window: int | None = 3,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Each chain's growth pace: its fastest spell, its pace against the US path, its class.

    A chain's yearly joiners are read as Poisson counts around its underlying pace, so
    the class rests on evidence, not on the luckiest of many spells:

    - *aggressive*: over its fastest spell of ``window`` years after founding, the
      one-sided ``confidence`` lower bound of its pace is at least ``aggressive_from``
      new schools a year (with the defaults, 15 or more joiners in three years; 12 in
      three years is what a chain growing two a year reaches in some spell often enough);
    - *steady*: otherwise, when its joiners after founding are at least ``steady_share``
      of what the US charter chains added at the same ages (:func:`cmo_benchmark`);
    - *measured*: slower than that; "too new" with no year after founding.

    Parameters
    ----------
    sizes
        Output of :func:`chain_sizes` (possibly starting after some chains' founding).
    steady_share
        Share of the US charter chains' pace from which growth counts as steady.
    aggressive_from
        New schools a year from which growth counts as aggressive; the programme
        documents call three to five a year aggressive.
    window
        Length in years of a spell; only spells whose years all lie in ``sizes`` count
        (chains with fewer years after founding are judged on all they have). ``None``
        judges every chain on all its years after founding.
    confidence
        Confidence of the lower bound that must reach ``aggressive_from``.

    Returns
    -------
    DataFrame
        One row per chain: partnership_id, first_year (first year in ``sizes``),
        years_observed (after founding), founders (missing when the founding year is not
        in ``sizes``), size (latest), peak_year (last year of the fastest spell),
        spell_years, spell_joiners, rate (joiners a year in that spell), rate_low (its
        lower bound), mean_rate (over all years after founding), vs_benchmark (joiners
        after founding / the US chains' at the same ages) with its two-sided
        ``confidence`` interval vs_benchmark_low and vs_benchmark_high (exact Poisson),
        pace (a categorical of :data:`PACE_CLASSES` plus "too new") and sure (the
        interval of vs_benchmark lies wholly on the class's side of ``steady_share``;
        always true of aggressive, whose rule is itself a confidence bound; missing for
        "too new").
    """
    if steady_share <= 0 or aggressive_from <= 0:
        raise InputError(
            f"pace thresholds must be positive; got steady_share={steady_share}, "
            f"aggressive_from={aggressive_from}"
        )
    if not 0 < confidence < 1:
        raise InputError(f"confidence must lie between 0 and 1, got {confidence}")
    if window is not None and window < 1:
        raise InputError(f"window must be a positive number of years, got {window}")
    sizes = sizes.sort_values(["partnership_id", "year"])
    chains = sizes.groupby("partnership_id")
    out = pd.DataFrame(
        {
            "first_year": chains["year"].min(),
            "founders": sizes[sizes["chain_age"] == 1].set_index("partnership_id")["joiners"],
            "size": chains["size"].last(),
        }
    )
    growth = sizes[sizes["chain_age"] >= 2]
    bench = cmo_benchmark(max(int(sizes["chain_age"].max()), 1)).set_index("chain_age")["added"]
    by_chain = growth.groupby("partnership_id")
    out["years_observed"] = by_chain.size().reindex(out.index, fill_value=0)
    out["mean_rate"] = by_chain["joiners"].mean()
    added = by_chain["joiners"].sum()
    us_added = growth["chain_age"].map(bench).groupby(growth["partnership_id"]).sum()
    out["vs_benchmark"] = added / us_added
    low, high = count_interval(added, us_added, 1 - confidence)
    out["vs_benchmark_low"] = pd.Series(low, index=added.index)
    out["vs_benchmark_high"] = pd.Series(high, index=added.index)
    span = window or max(int(out["years_observed"].max()), 1)
    rolling = by_chain["joiners"].rolling(span, min_periods=1)
    spells = growth.assign(
        spell_joiners=rolling.sum().reset_index(level=0, drop=True),
        spell_years=rolling.count().reset_index(level=0, drop=True),
    )
    # A spell counts only when all its years are observed: the chain's full window, or
    # every year it has when it has fewer (a start year cutting into it does not count).
    needed = spells["partnership_id"].map(out["years_observed"]).clip(upper=span)
    spells = spells[spells["spell_years"] == needed]
    fastest = (
        spells.sort_values(["partnership_id", "spell_joiners", "year"])
        .groupby("partnership_id")
        .last()
    )
    out["peak_year"] = fastest["year"].astype("Int64")
    out["spell_years"] = fastest["spell_years"].astype("Int64")
    out["spell_joiners"] = fastest["spell_joiners"].astype("Int64")
    out["rate"] = fastest["spell_joiners"] / fastest["spell_years"]
    out["rate_low"] = pd.Series(
        count_interval(
            fastest["spell_joiners"], fastest["spell_years"], 1 - confidence, sided="lower"
        )[0],
        index=fastest.index,
    )
    pace = np.select(
        [
            out["years_observed"] == 0,
            out["rate_low"] >= aggressive_from,
            out["vs_benchmark"] >= steady_share,
        ],
        ["too new", "aggressive", "steady"],
        "measured",
    )
    out["pace"] = pd.Categorical(pace, categories=[*PACE_CLASSES, "too new"])
    sure = np.select(
        [pace == "aggressive", pace == "steady"],
        [pace == "aggressive", (out["vs_benchmark_low"] >= steady_share).to_numpy()],
        (out["vs_benchmark_high"] < steady_share).to_numpy(),
    )
    out["sure"] = pd.array(sure, dtype="boolean")
    out.loc[pace == "too new", "sure"] = pd.NA
    out["founders"] = out["founders"].astype("Int64")
    columns = [
        "partnership_id",
        "first_year",
        "years_observed",
        "founders",
        "size",
        "peak_year",
        "spell_years",
        "spell_joiners",
        "rate",
        "rate_low",
        "mean_rate",
        "vs_benchmark",
        "vs_benchmark_low",
        "vs_benchmark_high",
        "pace",
        "sure",
    ]
    return out.reset_index()[columns]


def planted_pace(truth: pd.DataFrame | None, window: int | None = 3) -> pd.DataFrame | None:
    """Each synthetic chain's planted pace: its class and its fastest planted rate.

    ``truth``'s ``mat_growth`` rows carry each chain's planted expected joiners a year
    (``effect``; the founding year holds the founders) and its planted class
    (``description``). Returns one row per chain (indexed by partnership_id): planted
    (class) and rate (the highest mean planted joiners a year over ``window`` consecutive
    years after founding; all of them when None). None without such rows.
    """
    if truth is None or "partnership_id" not in truth.columns:
        return None
    rows = truth[truth["programme"] == "mat_growth"].sort_values(["partnership_id", "year"])
    if rows.empty:
        return None
    growing = rows[rows["year"] > rows["cohort"]]
    by_chain = growing.groupby("partnership_id")["effect"]
    span = window or int(by_chain.size().max())
    rate = by_chain.rolling(span, min_periods=1).mean().groupby(level=0).max()
    planted = rows.drop_duplicates("partnership_id").set_index("partnership_id")["description"]
    return pd.DataFrame({"planted": planted, "rate": rate.reindex(planted.index)})


def pace_confusion(
    pace: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    rate_bands: Sequence[float] | None = None,
    window: int | None = 3,
) -> pd.DataFrame:
    """Planted (rows) against classified (columns) pace on synthetic data: counts of chains.

    Rows are the planted classes, or with ``rate_bands`` (lower bounds, the last band
    open) bands of the planted rate of :func:`planted_pace` (new schools a year over the
    fastest ``window`` years). Only chains with a planted pace count.
    """
    planted = planted_pace(truth, window)
    if planted is None:
        raise InputError("the truth table has no planted chain growth (programme mat_growth)")
    chains = pace[pace["partnership_id"].isin(planted.index)]
    mine = planted.reindex(chains["partnership_id"])
    if rate_bands is None:
        rows = pd.Categorical(mine["planted"], categories=PACE_CLASSES)
        name = "planted"
    else:
        edges = [*rate_bands, np.inf]
        labels = [
            f"{lo:g}+" if hi == np.inf else f"{lo:g} to {hi:g}"
            for lo, hi in zip(edges[:-1], edges[1:], strict=True)
        ]
        rows = pd.cut(mine["rate"].to_numpy(), edges, right=False, labels=labels)
        name = "planted schools a year"
    found = pd.Categorical(chains["pace"].astype(str), categories=[*PACE_CLASSES, "too new"])
    return pd.crosstab(rows, found, rownames=[name], colnames=["classified"], dropna=False)


def pace_detection(
    paces: Sequence[float] = (1, 2, 3, 4, 5, 6, 7, 8),
    years: int = 3,
    *,
    steady_share: float = 0.8,
    aggressive_from: float = 3.0,
    window: int | None = 3,
    confidence: float = 0.95,
    n_sims: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """The chance that a chain truly adding ``pace`` schools a year is classed each way.

    Simulates ``n_sims`` chains per pace, each founded with one school and then taking
    Poisson joiners around ``pace`` for ``years`` years (the model of synthetic England),
    and classes them with :func:`classify_pace` under the given rules. Returns one row
    per true pace (indexed by pace) with the chance of each class of
    :data:`PACE_CLASSES` (shares summing to 1).
    """
    if years < 1 or n_sims < 1:
        raise InputError(f"pace_detection needs years >= 1 and n_sims >= 1; got {years}, {n_sims}")
    rng = np.random.default_rng(seed)
    rate = np.repeat(np.asarray(paces, dtype="float64"), n_sims)
    joiners = np.column_stack(
        [np.ones(len(rate), int), rng.poisson(rate[:, None], (len(rate), years))]
    )
    size = joiners.cumsum(axis=1)
    n_years = years + 1
    sizes = pd.DataFrame(
        {
            "partnership_id": np.repeat(np.arange(len(rate)), n_years),
            "year": np.tile(np.arange(n_years), len(rate)),
            "chain_age": np.tile(np.arange(1, n_years + 1), len(rate)),
            "joiners": joiners.ravel(),
            "leavers": 0,
            "size_start": (size - joiners).ravel(),
            "size": size.ravel(),
        }
    )
    classes = classify_pace(
        sizes,
        steady_share=steady_share,
        aggressive_from=aggressive_from,
        window=window,
        confidence=confidence,
    )
    table = pd.crosstab(
        rate[classes["partnership_id"].to_numpy()],
        pd.Categorical(classes["pace"].astype(str), categories=PACE_CLASSES),
        normalize="index",
        dropna=False,
    )
    return table.rename_axis(index="pace", columns="classified")


def members_in_year(chain_rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Memberships (from :func:`chain_memberships`) active at the end of academic ``year``."""
    return chain_rows[is_member(chain_rows["join_year"], chain_rows["leave_year"], year)]


def geographic_spread(
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    schools: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    year: int | None = None,
) -> Counted:
    """How many LAs and regions each chain's schools span at the end of ``year``.

    ``year`` defaults to the latest year anyone joined or left. Returns partnership_id,
    n_schools, n_las, n_regions, main_la (LA with most of its schools) and main_la_share.
    Members with no school record are counted in the exclusions.
    """
    rows, excluded = chain_memberships(memberships, partnerships, kind)
    if year is None:
        year = int(pd.concat([rows["join_year"], rows["leave_year"]]).max())
    current = members_in_year(rows, year).drop_duplicates(["partnership_id", "urn"])
    located = current.merge(schools[["urn", "la_name", "region"]], on="urn", how="left")
    unknown = located["la_name"].isna()
    exclusions = [exclusion("member school with no school record (LA unknown)", located, unknown)]
    located = located[~unknown]
    chains = located.groupby("partnership_id")
    la_counts = located.groupby(["partnership_id", "la_name"]).size().rename("n").reset_index()
    main = la_counts.sort_values(["partnership_id", "n", "la_name"], ascending=[True, False, True])
    main = main.drop_duplicates("partnership_id").set_index("partnership_id")
    out = pd.DataFrame(
        {
            "n_schools": chains["urn"].nunique(),
            "n_las": chains["la_name"].nunique(),
            "n_regions": chains["region"].nunique(),
            "main_la": main["la_name"],
        }
    )
    out["main_la_share"] = main["n"] / out["n_schools"]
    out = out.reset_index()
    spread = exclusion_frame([e for e in exclusions if e["rows"]], step="spread")
    return Counted(out, concat_exclusions(excluded, spread))


def full_years_in_chain(joined: pd.Series, year: pd.Series) -> pd.Series:
    """Full academic years a school has been in its chain by the end of ``year``.

    The year of joining counts only when the school joined on 1 September, its first day.
    """
    joined = pd.to_datetime(joined)
    starts_on_first_day = (joined.dt.month == 9) & (joined.dt.day == 1)
    return (year - academic_year(joined) + starts_on_first_day.astype("int64")).astype("int64")


def chain_performance(
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    outcomes: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    measures: Sequence[str] = ("ks2_rwm_exp", "read_prog", "writ_prog", "mat_prog"),
    min_years: int = 3,
    min_schools: int = 3,
    year_weight_cap: int = 4,
) -> Counted:
    """Chain results in the style of DfE's multi-academy trust performance measures.

    A school counts for its chain in year Y when it was a member at the end of Y and had
    been in the chain at least ``min_years`` full academic years; a chain is shown when it
    has at least ``min_schools`` such schools with results. Each school's result is
    weighted by its cohort times its full years in the chain (capped at
    ``year_weight_cap``, as DfE weights 3 years by 3 and 4 or more by 4).

    Returns
    -------
    Counted
        One row per chain and year: partnership_id, year, n_schools, n_pupils and the
        weighted mean of each measure; the exclusions count the school-years left out
        and why.
    """
    missing = [m for m in measures if m not in outcomes.columns]
    if missing:
        raise InputError(
            f"measure(s) {missing} not in the outcomes table",
            column="measures",
            fix=f"choose from {', '.join(c for c in outcomes.columns if c not in ('urn', 'year'))}",
        )
    rows, excluded = chain_memberships(memberships, partnerships, kind)
    linked = outcomes[["urn", "year", "cohort_n", *measures]].merge(
        rows[["urn", "partnership_id", "joined", "join_year", "leave_year"]], on="urn"
    )
    linked = linked[is_member(linked["join_year"], linked["leave_year"], linked["year"])].copy()
    linked["years_in_chain"] = full_years_in_chain(linked["joined"], linked["year"])
    exclusions = []
    checks = [
        (linked["years_in_chain"] < min_years, f"in the chain fewer than {min_years} full years"),
        (linked[list(measures)].isna().all(axis=1), "no result in any measure"),
        (~(linked["cohort_n"] > 0).fillna(False).astype(bool), "no cohort size"),
    ]
    keep = pd.Series(True, index=linked.index)
    for mask, reason in checks:
        drop = keep & mask
        if drop.any():
            exclusions.append(exclusion(f"school-year {reason}", linked, drop))
        keep &= ~mask
    eligible = linked[keep].copy()
    eligible["weight"] = eligible["cohort_n"] * eligible["years_in_chain"].clip(
        upper=year_weight_cap
    )
    keys = ["partnership_id", "year"]
    table = eligible.groupby(keys).agg(n_schools=("urn", "nunique"), n_pupils=("cohort_n", "sum"))
    for measure in measures:
        present = eligible[eligible[measure].notna()]
        weighted = (
            (present[measure] * present["weight"])
            .groupby([present["partnership_id"], present["year"]])
            .sum()
        )
        table[measure] = weighted / present.groupby(keys)["weight"].sum()
    small = table["n_schools"] < min_schools
    if small.any():
        exclusions.append(
            {
                "reason": f"chain-year with fewer than {min_schools} eligible schools",
                "rows": int(small.sum()),
                "schools": int(table.loc[small, "n_schools"].sum()),
            }
        )
    table = table[~small].reset_index()
    return Counted(
        table, concat_exclusions(excluded, exclusion_frame(exclusions, step="performance"))
    )


@dataclass(frozen=True)
class GrowthSpec:
    """What the growth analysis counted: chain kind, area, founding size, years, pace rules."""

    kind: tuple[str, ...]
    area: str | tuple[str, ...] | None
    min_size: int
    years: tuple[int, int] | None
    max_age: int
    steady_share: float
    aggressive_from: float
    window: int | None
    confidence: float
    alpha: float


@dataclass(frozen=True)
class ChainGrowth(Result):
    """Chain sizes, growth by age against the US benchmark, pace and geographic spread.

    ``sizes`` (chain × year, see :func:`chain_sizes`), ``by_age`` (see
    :func:`growth_by_age`), ``pace`` (see :func:`classify_pace`, with the chain's name and
    spread) and ``exclusions`` (every dropped set of rows).
    """

    spec: GrowthSpec
    sizes: pd.DataFrame
    by_age: pd.DataFrame
    pace: pd.DataFrame
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Chain growth"
    headline_label = "schools added by a chain in its second year"

    def tidy(self) -> pd.DataFrame:
        """Mean schools added per chain by chain age, with intervals (from age 2)."""
        rows = self.by_age[self.by_age["chain_age"] >= 2]
        return tidy_frame(
            pd.DataFrame(
                {
                    "term": "schools added in year " + rows["chain_age"].astype(str),
                    "estimate": rows["mean"],
                    "ci_low": rows["ci_low"],
                    "ci_high": rows["ci_high"],
                    "n_treated": rows["n_chains"],
                    "chain_age": rows["chain_age"],
                    "us_charter_benchmark": rows["cmo_added"],
                }
            ),
            alpha=self.alpha,
        )

    def fastest(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` chains with the fastest growth spell (by its lower bound), fastest first."""
        return self.pace.sort_values(["rate_low", "rate", "size"], ascending=False).head(n)

    def pace_counts(self) -> pd.DataFrame:
        """Number and share of chains in each pace class, indexed by pace."""
        counts = self.pace["pace"].value_counts(sort=False).rename("n_chains").to_frame()
        counts["share"] = counts["n_chains"] / counts["n_chains"].sum()
        return counts.rename_axis("pace")

    def detection(self, years: Sequence[int] | None = None, n_sims: int = 2000) -> pd.DataFrame:
        """What the pace classes detect: the chance (%) that a chain truly adding a given
        number of schools a year is classed each way under this analysis's rules, for
        ``years`` of growth at that pace (default: one spell, and ten years); indexed by
        years of growth and true pace, one column per class (see :func:`pace_detection`)."""
        p = self.spec
        spans = years or sorted({p.window or 3, 10})
        paces = sorted({*range(1, 9), p.aggressive_from, p.aggressive_from + 1})
        rules = dict(
            paces=paces,
            steady_share=p.steady_share,
            aggressive_from=p.aggressive_from,
            window=p.window,
            confidence=p.confidence,
            n_sims=n_sims,
        )
        tables = {span: 100 * pace_detection(years=span, **rules) for span in spans}
        return pd.concat(tables, names=["years", "pace"])

    def class_words(self, detection: pd.DataFrame) -> str:
        """What each pace class means and detects, in words, from :meth:`detection`."""
        p = self.spec
        spans = detection.index.get_level_values("years")
        short, long = int(spans.min()), int(spans.max())

        def chance(pace: float, cls: str, span: int) -> str:
            share = detection.loc[(span, pace), cls]
            return "under 1%" if 0 < share < 0.5 else f"{share:.0f}%"

        spell = f"{p.window}-year spell" if p.window else "life after founding"
        low = p.aggressive_from + 1
        longer = (
            f" ({chance(low, 'aggressive', long)} if it keeps that up for {long} years)"
            if long != short
            else ""
        )
        return (
            f"*Aggressive* = at least {p.aggressive_from:g} new schools a year at "
            f"{p.confidence:.0%} confidence over the fastest {spell}. That catches a chain "
            f"truly adding {low:g} a year for {short} years {chance(low, 'aggressive', short)} "
            f"of the time{longer}, one adding 7 a year {chance(7, 'aggressive', short)}, and "
            f"one adding {p.aggressive_from:g} a year only {chance(p.aggressive_from, 'aggressive', short)}: "
            "a chain not called aggressive may still be growing fast. It wrongly flags a "
            f"chain adding 2 a year {chance(2, 'aggressive', short)} of the time. "
            f"*Steady* = at least {p.steady_share:.0%} of the US charter chains' pace at the "
            f"same ages (about one a year in the first seven years): a chain truly adding "
            f"one a year for {short} years is called steady {chance(1, 'steady', short)} of "
            f"the time and measured {chance(1, 'measured', short)}, so a few years of "
            "growth cannot tell one a year from a little less. *Measured* = slower."
        )

    def steady_words(self) -> str:
        """How sure the steady (and measured) classes are, chain by chain."""
        p = self.spec
        pace = self.pace
        steady = pace[pace["pace"] == "steady"]
        measured = pace[pace["pace"] == "measured"]
        if steady.empty and measured.empty:
            return "No chain is steady or measured."
        level = f"{p.confidence:.0%}"
        lines = []
        if len(steady):
            sure = int(steady["sure"].sum())
            lines.append(
                f"Of the {len(steady)} steady chains, {sure} keep up with at least "
                f"{p.steady_share:.0%} of the US pace with {level} confidence (the whole "
                f"interval on their pace is above it); for the other {len(steady) - sure} "
                "the interval reaches below, so they could as well be measured."
            )
        if len(measured):
            sure = int(measured["sure"].sum())
            lines.append(
                f"Of the {len(measured)} measured chains, {sure} are clearly slower (the "
                f"whole {level} interval is below {p.steady_share:.0%} of the US pace); the "
                f"other {len(measured) - sure} could be steady."
            )
        middle = steady["vs_benchmark"].median()
        if len(steady):
            row = steady.loc[(steady["vs_benchmark"] - middle).abs().idxmin()]
            lines.append(
                f"A typical steady chain added {row['vs_benchmark']:.0%} of the US chains' "
                f"schools at the same ages ({level} interval {row['vs_benchmark_low']:.0%} "
                f"to {row['vs_benchmark_high']:.0%})."
            )
        return " ".join(lines)

    def size_distribution(self, bins: Sequence[int] = (0, 1, 2, 3, 6, 11, 21, 51)) -> pd.DataFrame:
        """Chains by latest size band (lower bounds ``bins``, the last band open), indexed
        by band; a chain whose schools have all left has size 0."""
        edges = [*bins, np.inf]
        labels = [
            f"{lo}" if hi - lo == 1 else (f"{lo}+" if hi == np.inf else f"{lo}-{hi - 1}")
            for lo, hi in zip(edges[:-1], edges[1:], strict=True)
        ]
        band = pd.cut(self.pace["size"], bins=edges, right=False, labels=labels)
        return band.value_counts(sort=False).rename("n_chains").rename_axis("size").to_frame()

    def summary(self) -> str:
        """The growth findings in plain words."""
        p = self.spec
        by_age = self.by_age.set_index("chain_age")
        chosen = "" if p.min_size <= 1 else f" founded with at least {p.min_size} schools"
        kinds = kinds_label(p.kind)
        lines = [
            f"{len(self.pace)} chains ({kinds}){chosen}; median latest size "
            f"{self.pace['size'].median():.0f}, largest {self.pace['size'].max()}.",
        ]
        for age in (2, 5, 10):
            if age in by_age.index and by_age.loc[age, "n_chains"] > 1:
                row = by_age.loc[age]
                lines.append(
                    f"In year {age} chains added {row['mean']:.2f} schools on average "
                    f"({self.level} CI {row['ci_low']:.2f} to {row['ci_high']:.2f}; "
                    f"{row['n_chains']:.0f} chains) against {row['cmo_added']:.0f} for US "
                    f"charter chains; mean size {row['mean_size']:.1f} against "
                    f"{row['cmo_size']:.0f}."
                )
        counts = self.pace_counts()["n_chains"]
        spell = f"{p.window}-year spell" if p.window else "life after founding"
        lines.append(
            "Pace: "
            + ", ".join(f"{n} {name}" for name, n in counts.items())
            + f". Aggressive = with {p.confidence:.0%} confidence at least "
            f"{p.aggressive_from:g} new schools a year over the fastest {spell}; "
            f"steady = at least {p.steady_share:.0%} of the US charter chains' "
            "pace at the same ages; measured = slower."
        )
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Chain size by age: every chain, the mean with its interval, the US benchmark."""
        max_age = int(self.by_age["chain_age"].max())
        curves = self.sizes[self.sizes["chain_age"] <= max_age]
        colour = sns.color_palette(PALETTE)[0]
        with styled(ax) as ax:
            sns.lineplot(
                data=curves,
                x="chain_age",
                y="size",
                units="partnership_id",
                estimator=None,
                color="0.75",
                linewidth=0.6,
                ax=ax,
            )
            ax.fill_between(
                self.by_age["chain_age"],
                self.by_age["size_ci_low"],
                self.by_age["size_ci_high"],
                color=colour,
                alpha=0.25,
                label=f"{self.level} interval",
            )
            ax.plot(self.by_age["chain_age"], self.by_age["mean_size"], color=colour, label="mean")
            ax.plot(
                self.by_age["chain_age"], self.by_age["cmo_size"], "k--", label="US charter chains"
            )
            ax.set(xlabel="chain age (years)", ylabel="schools", title="Chain size by age")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(frameon=False)
        return ax

    def plot_added(self, ax: Axes | None = None) -> Axes:
        """Schools added a year by chain age, with intervals and the US benchmark."""
        colour = sns.color_palette(PALETTE)[0]
        by_age = self.by_age
        with styled(ax) as ax:
            ax.errorbar(
                by_age["chain_age"],
                by_age["mean"],
                yerr=[by_age["mean"] - by_age["ci_low"], by_age["ci_high"] - by_age["mean"]],
                fmt="o",
                color=colour,
                capsize=3,
                label=f"mean ({self.level} CI)",
            )
            ax.step(
                by_age["chain_age"],
                by_age["cmo_added"],
                "k--",
                where="mid",
                label="US charter chains",
            )
            ax.axhline(
                self.spec.aggressive_from, color="#D55E00", lw=0.8, ls=":", label="aggressive pace"
            )
            ax.set(xlabel="chain age (years)", ylabel="schools added", title="Schools added a year")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(frameon=False)
        return ax

    def plot_fastest(self, n: int = 10, ax: Axes | None = None) -> Axes:
        """Size by calendar year of the ``n`` fastest-growing chains."""
        top = self.fastest(n)
        label = top["name"].fillna(top["partnership_id"]).set_axis(top["partnership_id"])
        rows = self.sizes[self.sizes["partnership_id"].isin(top["partnership_id"])]
        rows = rows.assign(chain=rows["partnership_id"].map(label))
        with styled(ax, (9.0, 4.2)) as ax:
            sns.lineplot(
                data=rows, x="year", y="size", hue="chain", marker="o", palette=PALETTE, ax=ax
            )
            ax.set(
                xlabel="academic year", ylabel="schools", title=f"The {len(top)} fastest growers"
            )
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left", frameon=False)
        return ax


def chain_growth(
    data: DataTables,
    kind: str | Sequence[str] = "mat",
    *,
    area: Area = None,
    min_size: int = 1,
    years: tuple[int, int] | None = None,
    max_age: int = 10,
    steady_share: float = 0.8,
    aggressive_from: float = 3.0,
    window: int | None = 3,
    confidence: float = 0.95,
    alpha: float = 0.05,
) -> ChainGrowth:
    """Chain sizes over time, growth by age with the US benchmark, pace and spread.

    Parameters
    ----------
    data
        Canonical tables.
    kind
        Partnership kind(s) counted as chains ("mat" = multi-academy trust).
    area
        Keep chains with at least one school in these LAs/regions (their whole size is
        still counted); all of England when None.
    min_size
        Keep chains founded with at least this many schools (their size at the end of
        their first year). Only the founding size counts, never a later one, so the
        growth curves do not favour chains that went on to grow.
    years
        First and last academic year shown; growth before ``years[0]`` still sets sizes
        and ages. Default: all years in the membership history.
    max_age
        Oldest chain age in the growth-by-age table.
    steady_share, aggressive_from, window, confidence
        Pace classes; see :func:`classify_pace`.
    alpha
        1 - confidence level of the intervals of the growth-by-age table.

    Examples
    --------
    >>> growth = chain_growth(read_tables("data/processed"), area="Surrey")  # doctest: +SKIP
    >>> print(growth.summary())  # doctest: +SKIP
    """
    if min_size < 1:
        raise InputError(f"min_size must be at least 1 school, got {min_size}")
    sizes, excluded = chain_sizes(
        data.memberships, data.partnerships, kind, last_year=None if years is None else years[1]
    )
    exclusions = []
    if area is not None:
        local = area_schools(data.schools, area)["urn"]
        ids = data.memberships.loc[data.memberships["urn"].isin(local), "partnership_id"]
        sizes = sizes[sizes["partnership_id"].isin(ids)]
    founding = sizes.loc[sizes["chain_age"] == 1].set_index("partnership_id")["size"]
    small = founding[founding < min_size].index
    if len(small):
        members = data.memberships[data.memberships["partnership_id"].isin(small)]
        exclusions.append(
            {
                "reason": f"chain founded with fewer than {min_size} schools (rows = chains)",
                "rows": len(small),
                "schools": int(members["urn"].nunique()),
            }
        )
    sizes = sizes[~sizes["partnership_id"].isin(small)]
    if years is not None:
        sizes = sizes[sizes["year"] >= years[0]]
    if sizes.empty:
        raise EstimationError(
            f"no chains of kind {kind!r} founded with at least {min_size} schools for area "
            f"{area!r} and years {years!r}; lower min_size or widen the area or years"
        )
    sizes = sizes.reset_index(drop=True)
    pace = classify_pace(
        sizes,
        steady_share=steady_share,
        aggressive_from=aggressive_from,
        window=window,
        confidence=confidence,
    )
    spread, spread_excluded = geographic_spread(
        data.memberships,
        data.partnerships,
        data.schools,
        kind,
        year=int(sizes["year"].max()),
    )
    spread_excluded = spread_excluded[spread_excluded["step"] == "spread"]
    names = data.partnerships.set_index("partnership_id")["name"]
    pace = pace.merge(
        spread[["partnership_id", "n_las", "n_regions", "main_la", "main_la_share"]],
        on="partnership_id",
        how="left",
    )
    pace[["n_las", "n_regions"]] = pace[["n_las", "n_regions"]].astype("Int64")
    pace.insert(1, "name", pace["partnership_id"].map(names))
    spec = GrowthSpec(
        kind=as_names(kind),
        area=as_area(area),
        min_size=min_size,
        years=as_years(years),
        max_age=max_age,
        steady_share=steady_share,
        aggressive_from=aggressive_from,
        window=window,
        confidence=confidence,
        alpha=alpha,
    )
    return ChainGrowth(
        spec=spec,
        sizes=sizes,
        by_age=growth_by_age(sizes, max_age=max_age, alpha=alpha),
        pace=pace,
        exclusions=concat_exclusions(
            excluded, exclusion_frame(exclusions, step="chains"), spread_excluded
        ),
    )


def heavy_intakes(
    sizes: pd.DataFrame, *, min_dose: float = 0.5, min_joiners: int = 3
) -> pd.DataFrame:
    """Chain-years of heavy intake: many joiners relative to the schools already there.

    A year is heavy when the chain takes at least ``min_joiners`` joiners and the dose
    (joiners / schools at the start of the year) is at least ``min_dose``; founding years
    (no school before) never are. Returns partnership_id, year, chain_age, joiners,
    size_start, dose and first (the chain's first heavy year).
    """
    if min_dose <= 0 or min_joiners < 1:
        raise InputError(
            f"heavy intake needs min_dose > 0 and min_joiners >= 1; got min_dose={min_dose}, "
            f"min_joiners={min_joiners}"
        )
    heavy = sizes[
        (sizes["size_start"] > 0) & (sizes["joiners"] >= min_joiners) & (sizes["dose"] >= min_dose)
    ]
    first = heavy["year"] == heavy.groupby("partnership_id")["year"].transform("min")
    columns = ["partnership_id", "year", "chain_age", "joiners", "size_start", "dose"]
    return heavy[columns].assign(first=first).reset_index(drop=True)
