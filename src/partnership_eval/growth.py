"""How fast academy chains grow, how that compares with US charter chains, and chain results.

A chain's size in academic year Y counts the schools that are members at the end of Y
(31 August): those that joined in or before Y and had not left by then. Joiners and
leavers in Y are the memberships starting or ending in Y, so
``size[Y] = size[Y-1] + joiners[Y] - leavers[Y]``. A chain's age is 1 in the first
academic year in which it had a school. Founder schools (age 1) are not growth: pace is
measured on the joiners of later years.

The benchmark is the path the programme documents give for US charter management
organisations: about one new school a year for the first six or seven years, about two a
year after that, about 13 schools after ten years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from scipy import stats

from partnership_eval.data.schema import PARTNERSHIP_KINDS
from partnership_eval.data.store import DataTables
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.panel import Area, academic_year, area_schools

PACE_CLASSES = ("measured", "steady", "aggressive")
"""Growth pace classes, slowest first; chains with no year after founding are "too new"."""


def _kinds(kind: str | Sequence[str]) -> list[str]:
    kinds = [kind] if isinstance(kind, str) else list(kind)
    unknown = sorted(set(kinds) - set(PARTNERSHIP_KINDS))
    if unknown:
        raise PartnershipEvalError(
            f"unknown partnership kind(s) {unknown} (parameter kind); "
            f"choose from {', '.join(PARTNERSHIP_KINDS)}"
        )
    return kinds


def chain_memberships(
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
) -> pd.DataFrame:
    """Memberships of chains of ``kind`` with the academic years of joining and leaving.

    Returns the membership rows with ``join_year`` and ``leave_year`` (missing while a
    member). Rows whose leaving date is before their joining date cannot be placed in
    time; they are dropped and counted in ``attrs["exclusions"]``.
    """
    ids = partnerships.loc[partnerships["kind"].isin(_kinds(kind)), "partnership_id"]
    rows = memberships[memberships["partnership_id"].isin(ids)].copy()
    rows["join_year"] = academic_year(rows["joined"])
    rows["leave_year"] = academic_year(rows["left"])
    backwards = (rows["left"] < rows["joined"]).fillna(False).astype(bool)
    exclusions = []
    if backwards.any():
        exclusions.append(
            {
                "reason": "membership left before it joined",
                "rows": int(backwards.sum()),
                "schools": int(rows.loc[backwards, "urn"].nunique()),
            }
        )
    rows = rows[~backwards].reset_index(drop=True)
    rows.attrs["exclusions"] = exclusions
    return rows


def chain_sizes(
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    last_year: int | None = None,
) -> pd.DataFrame:
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
    DataFrame
        One row per chain and year: partnership_id, year, chain_age (1 = first year),
        joiners, leavers, size_start (size at the end of the previous year), size
        (at the end of the year) and dose (joiners / size_start; missing when the chain
        had no school before). ``attrs["exclusions"]`` counts unusable memberships.

    Examples
    --------
    >>> sizes = chain_sizes(tables.memberships, tables.partnerships)  # doctest: +SKIP
    """
    rows = chain_memberships(memberships, partnerships, kind)
    columns = ["partnership_id", "year", "chain_age", "joiners", "leavers", "size_start", "size"]
    if rows.empty:
        out = pd.DataFrame(columns=[*columns, "dose"])
        out.attrs["exclusions"] = rows.attrs["exclusions"]
        return out
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
    out.attrs["exclusions"] = rows.attrs["exclusions"]
    return out


def cmo_benchmark(max_age: int = 10) -> pd.DataFrame:
    """The US charter-chain growth path of the programme documents, by chain age.

    One new school a year in years 1–7 and two a year from year 8, which gives about 13
    schools after ten years. Returns chain_age, added and size.
    """
    age = np.arange(1, max_age + 1)
    added = np.where(age <= 7, 1, 2)
    return pd.DataFrame({"chain_age": age, "added": added, "size": np.cumsum(added)})


def _mean_interval(values: pd.Series, alpha: float) -> pd.Series:
    n = int(values.count())
    mean = float(values.mean()) if n else np.nan
    se = float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    half = float(stats.t.ppf(1 - alpha / 2, n - 1) * se) if n > 1 else np.nan
    return pd.Series(
        {"n_chains": n, "mean": mean, "se": se, "ci_low": mean - half, "ci_high": mean + half}
    )


def growth_by_age(sizes: pd.DataFrame, *, max_age: int = 10, alpha: float = 0.05) -> pd.DataFrame:
    """Schools added per year and mean chain size by chain age, with t intervals.

    Each chain counts once at every age it has reached by the end of the data, so young
    chains inform only the early ages. Returns chain_age, n_chains, mean (joiners), se,
    ci_low, ci_high, median, mean_size, size_ci_low, size_ci_high and the benchmark's
    ``cmo_added`` and ``cmo_size``.
    """
    rows = sizes[sizes["chain_age"] <= max_age]
    ages = rows.groupby("chain_age")
    added = ages["joiners"].apply(_mean_interval, alpha=alpha).unstack()
    size = ages["size"].apply(_mean_interval, alpha=alpha).unstack()
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
    steady_from: float = 1.5,
    aggressive_from: float = 3.0,
    window: int | None = 3,
) -> pd.DataFrame:
    """Each chain's growth pace: new schools a year in its fastest spell, and its class.

    Parameters
    ----------
    sizes
        Output of :func:`chain_sizes`.
    steady_from, aggressive_from
        New schools a year at which pace counts as steady and aggressive; below
        ``steady_from`` it is measured. The default follows the programme documents:
        about one a year is the US benchmark, three to five a year is aggressive.
    window
        Length in years of the spell over which the rate is averaged (the fastest
        such spell after the founding year counts); ``None`` averages over all years
        after founding. Chains with fewer years than ``window`` use all they have.

    Returns
    -------
    DataFrame
        One row per chain: partnership_id, first_year, years_observed (after founding),
        founders, size (latest), peak_year (last year of the fastest spell), rate,
        mean_rate (over all years after founding) and pace (a categorical of
        :data:`PACE_CLASSES`, or "too new" for chains with no year after founding).
    """
    if not 0 < steady_from <= aggressive_from:
        raise PartnershipEvalError(
            f"pace thresholds must satisfy 0 < steady_from <= aggressive_from; got "
            f"steady_from={steady_from}, aggressive_from={aggressive_from}"
        )
    if window is not None and window < 1:
        raise PartnershipEvalError(f"window must be a positive number of years, got {window}")
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
    by_chain = growth.groupby("partnership_id")["joiners"]
    out["years_observed"] = by_chain.size().reindex(out.index, fill_value=0)
    out["mean_rate"] = by_chain.mean()
    span = window or max(int(out["years_observed"].max()), 1)
    rate = by_chain.rolling(span, min_periods=1).mean().reset_index(level=0, drop=True)
    spells = growth.assign(rate=rate)
    complete = spells["chain_age"] - 1 >= span
    # A chain younger than the window is judged on all the years it has (its last row).
    young_last = (spells["partnership_id"].map(out["years_observed"]) < span) & (
        spells["year"] == spells["partnership_id"].map(chains["year"].max())
    )
    spells = spells[complete | young_last]
    fastest = (
        spells.sort_values(["partnership_id", "rate", "year"]).groupby("partnership_id").last()
    )
    out["rate"] = fastest["rate"]
    out["peak_year"] = fastest["year"].astype("Int64")
    out["pace"] = pd.cut(
        out["rate"],
        bins=[-np.inf, steady_from, aggressive_from, np.inf],
        right=False,
        labels=list(PACE_CLASSES),
    )
    out["pace"] = out["pace"].cat.add_categories("too new").fillna("too new")
    return out.reset_index()[
        [
            "partnership_id",
            "first_year",
            "years_observed",
            "founders",
            "size",
            "peak_year",
            "rate",
            "mean_rate",
            "pace",
        ]
    ]


def members_in_year(chain_rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Memberships (from :func:`chain_memberships`) active at the end of academic ``year``."""
    active = (chain_rows["join_year"] <= year) & ~(chain_rows["leave_year"] <= year).fillna(
        False
    ).astype(bool)
    return chain_rows[active]


def geographic_spread(
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    schools: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    year: int | None = None,
) -> pd.DataFrame:
    """How many LAs and regions each chain's schools span at the end of ``year``.

    ``year`` defaults to the latest year anyone joined or left. Returns partnership_id,
    n_schools, n_las, n_regions, main_la (LA with most of its schools) and main_la_share.
    Members with no school record are counted in ``attrs["exclusions"]``.
    """
    rows = chain_memberships(memberships, partnerships, kind)
    if year is None:
        year = int(pd.concat([rows["join_year"], rows["leave_year"]]).max())
    current = members_in_year(rows, year).drop_duplicates(["partnership_id", "urn"])
    located = current.merge(schools[["urn", "la_name", "region"]], on="urn", how="left")
    unknown = located["la_name"].isna()
    exclusions = list(rows.attrs["exclusions"])
    if unknown.any():
        exclusions.append(
            {
                "reason": "member school with no school record (LA unknown)",
                "rows": int(unknown.sum()),
                "schools": int(located.loc[unknown, "urn"].nunique()),
            }
        )
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
    out.attrs["exclusions"] = exclusions
    out.attrs["year"] = year
    return out


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
) -> pd.DataFrame:
    """Chain results in the style of DfE's multi-academy trust performance measures.

    A school counts for its chain in year Y when it was a member at the end of Y and had
    been in the chain at least ``min_years`` full academic years; a chain is shown when it
    has at least ``min_schools`` such schools with results. Each school's result is
    weighted by its cohort times its full years in the chain (capped at
    ``year_weight_cap``, as DfE weights 3 years by 3 and 4 or more by 4).

    Returns
    -------
    DataFrame
        One row per chain and year: partnership_id, year, n_schools, n_pupils and the
        weighted mean of each measure. ``attrs["exclusions"]`` counts the school-years
        left out and why.
    """
    missing = [m for m in measures if m not in outcomes.columns]
    if missing:
        raise PartnershipEvalError(
            f"measure(s) {missing} not in the outcomes table (parameter measures); "
            f"available: {', '.join(c for c in outcomes.columns if c not in ('urn', 'year'))}"
        )
    rows = chain_memberships(memberships, partnerships, kind)
    linked = outcomes[["urn", "year", "cohort_n", *measures]].merge(
        rows[["urn", "partnership_id", "joined", "join_year", "leave_year"]], on="urn"
    )
    active = (linked["join_year"] <= linked["year"]) & ~(
        linked["leave_year"] <= linked["year"]
    ).fillna(False).astype(bool)
    linked = linked[active].copy()
    linked["years_in_chain"] = full_years_in_chain(linked["joined"], linked["year"])
    exclusions = list(rows.attrs["exclusions"])
    checks = [
        (linked["years_in_chain"] < min_years, f"in the chain fewer than {min_years} full years"),
        (linked[list(measures)].isna().all(axis=1), "no result in any measure"),
        (~(linked["cohort_n"] > 0).fillna(False).astype(bool), "no cohort size"),
    ]
    keep = pd.Series(True, index=linked.index)
    for mask, reason in checks:
        drop = keep & mask
        if drop.any():
            exclusions.append(
                {
                    "reason": f"school-year {reason}",
                    "rows": int(drop.sum()),
                    "schools": int(linked.loc[drop, "urn"].nunique()),
                }
            )
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
    table.attrs["exclusions"] = exclusions
    return table


@dataclass
class ChainGrowth:
    """Chain sizes, growth by age against the US benchmark, pace and geographic spread.

    ``sizes`` (chain × year, see :func:`chain_sizes`), ``by_age`` (see
    :func:`growth_by_age`), ``pace`` (see :func:`classify_pace`, with the chain's name and
    spread), ``exclusions`` (every dropped set of rows) and the ``parameters`` used.
    """

    sizes: pd.DataFrame
    by_age: pd.DataFrame
    pace: pd.DataFrame
    exclusions: list[dict] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)

    def fastest(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` chains with the fastest growth spell, fastest first."""
        return self.pace.sort_values(["rate", "size"], ascending=False).head(n)

    def pace_counts(self) -> pd.DataFrame:
        """Number and share of chains in each pace class."""
        counts = self.pace["pace"].value_counts(sort=False).rename("n_chains").to_frame()
        counts["share"] = counts["n_chains"] / counts["n_chains"].sum()
        return counts.reset_index()

    def size_distribution(self, bins: Sequence[int] = (1, 2, 3, 6, 11, 21, 51)) -> pd.DataFrame:
        """Chains by latest size band: lower bounds ``bins`` (the last band is open)."""
        edges = [*bins, np.inf]
        labels = [
            f"{lo}" if hi - lo == 1 else (f"{lo}+" if hi == np.inf else f"{lo}-{hi - 1}")
            for lo, hi in zip(edges[:-1], edges[1:], strict=True)
        ]
        band = pd.cut(self.pace["size"], bins=edges, right=False, labels=labels)
        counts = band.value_counts(sort=False).rename("n_chains").rename_axis("size")
        return counts.reset_index()

    def summary(self) -> str:
        """The growth findings in plain words."""
        p = self.parameters
        by_age = self.by_age.set_index("chain_age")
        lines = [
            f"{len(self.pace)} chains ({p.get('kind')}) with at least {p.get('min_size')} "
            f"schools; median latest size {self.pace['size'].median():.0f}, "
            f"largest {self.pace['size'].max()}.",
        ]
        for age in (2, 5, 10):
            if age in by_age.index and by_age.loc[age, "n_chains"] > 1:
                row = by_age.loc[age]
                lines.append(
                    f"In year {age} chains added {row['mean']:.2f} schools on average "
                    f"(95% CI {row['ci_low']:.2f} to {row['ci_high']:.2f}; {row['n_chains']:.0f} "
                    f"chains) against {row['cmo_added']:.0f} for US charter chains; mean size "
                    f"{row['mean_size']:.1f} against {row['cmo_size']:.0f}."
                )
        counts = self.pace_counts().set_index("pace")["n_chains"]
        lines.append(
            "Pace: "
            + ", ".join(f"{n} {name}" for name, n in counts.items())
            + f" (aggressive = at least {p.get('aggressive_from')} new schools a year over "
            f"the fastest {p.get('window') or 'whole'}-year spell)."
        )
        return "\n".join(lines)

    def plot(self) -> plt.Figure:
        """Growth curves by chain age and schools added per year, with the US benchmark."""
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
        max_age = int(self.by_age["chain_age"].max())
        curves = self.sizes[self.sizes["chain_age"] <= max_age]
        sns.lineplot(
            data=curves,
            x="chain_age",
            y="size",
            units="partnership_id",
            estimator=None,
            color="0.75",
            linewidth=0.6,
            ax=left,
        )
        left.fill_between(
            self.by_age["chain_age"],
            self.by_age["size_ci_low"],
            self.by_age["size_ci_high"],
            color="C0",
            alpha=0.25,
        )
        left.plot(self.by_age["chain_age"], self.by_age["mean_size"], color="C0", label="mean")
        left.plot(
            self.by_age["chain_age"], self.by_age["cmo_size"], "k--", label="US charter chains"
        )
        left.set(xlabel="chain age (years)", ylabel="schools", title="Chain size by age")
        left.legend()
        right.errorbar(
            self.by_age["chain_age"],
            self.by_age["mean"],
            yerr=[
                self.by_age["mean"] - self.by_age["ci_low"],
                self.by_age["ci_high"] - self.by_age["mean"],
            ],
            fmt="o",
            color="C0",
            capsize=3,
            label="mean (95% CI)",
        )
        right.step(
            self.by_age["chain_age"],
            self.by_age["cmo_added"],
            "k--",
            where="mid",
            label="US charter chains",
        )
        right.axhline(self.parameters.get("aggressive_from", 3.0), color="C3", lw=0.8, ls=":")
        right.set(xlabel="chain age (years)", ylabel="schools added", title="Schools added a year")
        right.legend()
        fig.tight_layout()
        return fig

    def plot_fastest(self, n: int = 10) -> plt.Figure:
        """Size by calendar year of the ``n`` fastest-growing chains."""
        top = self.fastest(n)
        label = top["name"].fillna(top["partnership_id"]).set_axis(top["partnership_id"])
        rows = self.sizes[self.sizes["partnership_id"].isin(top["partnership_id"])]
        rows = rows.assign(chain=rows["partnership_id"].map(label))
        fig, ax = plt.subplots(figsize=(8, 4.2))
        sns.lineplot(data=rows, x="year", y="size", hue="chain", marker="o", ax=ax)
        ax.set(xlabel="academic year", ylabel="schools", title=f"The {len(top)} fastest growers")
        ax.legend(fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left")
        fig.tight_layout()
        return fig


def chain_growth(
    data: DataTables,
    kind: str | Sequence[str] = "mat",
    *,
    area: Area = None,
    min_size: int = 2,
    years: tuple[int, int] | None = None,
    max_age: int = 10,
    steady_from: float = 1.5,
    aggressive_from: float = 3.0,
    window: int | None = 3,
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
        Keep chains that reached at least this many schools.
    years
        First and last academic year shown; growth before ``years[0]`` still sets sizes
        and ages. Default: all years in the membership history.
    max_age
        Oldest chain age in the growth-by-age table.
    steady_from, aggressive_from, window
        Pace thresholds (new schools a year) and spell length; see :func:`classify_pace`.
    alpha
        1 - confidence level of the intervals.

    Examples
    --------
    >>> growth = chain_growth(read_tables("data/processed"), area="Surrey")  # doctest: +SKIP
    >>> print(growth.summary())  # doctest: +SKIP
    """
    sizes = chain_sizes(
        data.memberships, data.partnerships, kind, last_year=None if years is None else years[1]
    )
    exclusions = list(sizes.attrs["exclusions"])
    if area is not None:
        local = area_schools(data.schools, area)["urn"]
        ids = data.memberships.loc[data.memberships["urn"].isin(local), "partnership_id"]
        sizes = sizes[sizes["partnership_id"].isin(ids)]
    peak = sizes.groupby("partnership_id")["size"].max()
    small = peak[peak < min_size].index
    if len(small):
        members = data.memberships.loc[data.memberships["partnership_id"].isin(small), "urn"]
        exclusions.append(
            {
                "reason": f"chain never reached {min_size} schools (rows = chains)",
                "rows": len(small),
                "schools": int(members.nunique()),
            }
        )
    sizes = sizes[~sizes["partnership_id"].isin(small)]
    if sizes.empty:
        raise PartnershipEvalError(
            f"no chains of kind {kind!r} with at least {min_size} schools for area {area!r}; "
            "lower min_size or widen the area"
        )
    if years is not None:
        sizes = sizes[sizes["year"] >= years[0]]
    sizes = sizes.reset_index(drop=True)
    pace = classify_pace(
        sizes, steady_from=steady_from, aggressive_from=aggressive_from, window=window
    )
    spread = geographic_spread(
        data.memberships,
        data.partnerships,
        data.schools,
        kind,
        year=int(sizes["year"].max()),
    )
    exclusions.extend(e for e in spread.attrs["exclusions"] if e not in exclusions)
    names = data.partnerships.set_index("partnership_id")["name"]
    pace = pace.merge(
        spread[["partnership_id", "n_las", "n_regions", "main_la", "main_la_share"]],
        on="partnership_id",
        how="left",
    )
    pace.insert(1, "name", pace["partnership_id"].map(names))
    parameters = {
        "kind": kind,
        "area": area,
        "min_size": min_size,
        "years": years,
        "max_age": max_age,
        "steady_from": steady_from,
        "aggressive_from": aggressive_from,
        "window": window,
        "alpha": alpha,
    }
    return ChainGrowth(
        sizes=sizes,
        by_age=growth_by_age(sizes, max_age=max_age, alpha=alpha),
        pace=pace,
        exclusions=exclusions,
        parameters=parameters,
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
        raise PartnershipEvalError(
            f"heavy intake needs min_dose > 0 and min_joiners >= 1; got min_dose={min_dose}, "
            f"min_joiners={min_joiners}"
        )
    heavy = sizes[
        (sizes["size_start"] > 0) & (sizes["joiners"] >= min_joiners) & (sizes["dose"] >= min_dose)
    ]
    first = heavy["year"] == heavy.groupby("partnership_id")["year"].transform("min")
    columns = ["partnership_id", "year", "chain_age", "joiners", "size_start", "dose"]
    return heavy[columns].assign(first=first).reset_index(drop=True)
