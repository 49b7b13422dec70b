"""Chain geography: how spread out each chain's schools are, and whether that goes with
how its existing schools' results move.

Per chain and academic year (members at the end of the year, see
:func:`~partnership_eval.analyses.chain_growth.growth.chain_memberships`): the median
straight-line distance of its schools from the chain's centre (the mean of their grid
coordinates), the share within ``radius_km`` of it, the number of LAs, and its local
clusters: groups of schools linked by steps of at most ``cluster_km`` (single linkage,
found as connected components of the "within ``cluster_km``" graph).

The comparison is descriptive. A chain-year is *spread out* when its median distance to
the centre is more than ``radius_km``, *compact* otherwise; each existing school's
year-on-year change in ``measure`` (it was in the chain at the end of both years) is
compared between the two, within the same year, with intervals clustered by chain.
Chains choose where to grow, and the chains that spread out differ from compact ones in
other ways, so a difference is not the effect of distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from matplotlib.axes import Axes
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from partnership_eval.analyses.chain_growth.growth import chain_memberships
from partnership_eval.data.store import DataTables
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.exclusions import Counted, concat_exclusions, exclusion, exclusion_frame
from partnership_eval.maps import distance_km, hull_outline, located, school_map
from partnership_eval.panel import as_names
from partnership_eval.plots import coefficient_plot, styled
from partnership_eval.result import Result, tidy_frame

CAVEAT = (
    "This is a description, not an effect of distance: chains choose where to grow, and "
    "chains that spread out differ from compact ones in other ways (age, size, the schools "
    "they take on)."
)

MEASURE_WORDS = {
    "ks2_rwm_exp": "% of pupils meeting the expected standard in reading, writing and maths",
    "read_prog": "reading progress",
    "writ_prog": "writing progress",
    "mat_prog": "maths progress",
}


def local_clusters(
    east: np.ndarray, north: np.ndarray, groups: np.ndarray, km: float
) -> np.ndarray:
    """Cluster label of each point: single linkage at ``km`` within each of ``groups``.

    Two schools of a group share a cluster when a chain of steps of at most ``km`` joins
    them. Groups are kept apart by shifting each far along the easting axis, so one
    neighbour search serves them all.
    """
    if km <= 0:
        raise InputError(f"cluster distance must be positive, got {km} km", column="cluster_km")
    codes = pd.factorize(pd.Series(groups))[0]
    span = float(np.ptp(east)) + 10 * km * 1000.0 if len(east) else 1.0
    xy = np.column_stack([np.asarray(east) + codes * span, np.asarray(north)])
    pairs = cKDTree(xy).query_pairs(km * 1000.0, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(xy),) * 2)
    return connected_components(graph, directed=False)[1]


def member_years(rows: pd.DataFrame, years: tuple[int, int]) -> pd.DataFrame:
    """One row per chain, school and year it was a member at the end of the year."""
    start = rows["join_year"].clip(lower=years[0]).astype("int64")
    stop = rows["leave_year"].fillna(years[1] + 1).clip(upper=years[1] + 1).astype("int64")
    n = (stop - start).clip(lower=0).to_numpy()
    out = rows.loc[rows.index.repeat(n), ["partnership_id", "urn", "join_year"]]
    offset = out.groupby(level=0).cumcount().to_numpy()
    out["year"] = start.loc[out.index].to_numpy() + offset
    return out.drop_duplicates(["partnership_id", "urn", "year"]).reset_index(drop=True)


def chain_spread(
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    schools: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    years: tuple[int, int] | None = None,
    radius_km: float = 10.0,
    cluster_km: float = 10.0,
) -> tuple[Counted, pd.DataFrame]:
    """Spread of every chain's schools in every year (see the module docstring).

    Returns the chain-year table (partnership_id, year, n_schools, median_km, share_within,
    n_las, n_clusters, largest_cluster_share) with its exclusions, and the located
    member-years behind it (partnership_id, urn, year, join_year, easting, northing,
    la_code, km_to_centre, cluster; schools without coordinates last, with these missing).
    """
    if radius_km <= 0:
        raise InputError(f"radius must be positive, got {radius_km} km", column="radius_km")
    rows, excluded = chain_memberships(memberships, partnerships, kind)
    if rows.empty:
        raise EstimationError(f"no memberships of chains of kind {kind!r}")
    if years is None:
        years = (int(rows["join_year"].min()), int(rows["join_year"].max()))
    members = member_years(rows, years).merge(
        located(schools)[["urn", "easting", "northing", "la_code"]], on="urn", how="left"
    )
    unplaced = members["easting"].isna()
    exclusions = [exclusion("member school-year without coordinates", members, unplaced)]
    unlocated, members = members[unplaced], members[~unplaced].reset_index(drop=True)
    key = ["partnership_id", "year"]
    centre = members.groupby(key)[["easting", "northing"]].transform("mean")
    members["km_to_centre"] = distance_km(
        members["easting"], members["northing"], centre["easting"], centre["northing"]
    )
    members["cluster"] = local_clusters(
        members["easting"].to_numpy(),
        members["northing"].to_numpy(),
        (members["partnership_id"] + ":" + members["year"].astype(str)).to_numpy(),
        cluster_km,
    )
    chains = members.groupby(key)
    table = chains.agg(
        n_schools=("urn", "nunique"),
        median_km=("km_to_centre", "median"),
        n_las=("la_code", "nunique"),
        n_clusters=("cluster", "nunique"),
    )
    table["share_within"] = (
        (members["km_to_centre"] <= radius_km).groupby([members[k] for k in key]).mean()
    )
    largest = members.groupby([*key, "cluster"]).size().groupby(key).max()
    table["largest_cluster_share"] = largest / table["n_schools"]
    spread = exclusion_frame([e for e in exclusions if e["rows"]], step="geography")
    members = pd.concat([members, unlocated], ignore_index=True)
    return Counted(table.reset_index(), concat_exclusions(excluded, spread)), members


def _existing_changes(
    members: pd.DataFrame, outcomes: pd.DataFrame, measure: str
) -> tuple[pd.DataFrame, list[dict]]:
    """Year-on-year change in ``measure`` of schools in their chain at the end of both years."""
    scores = outcomes[["urn", "year", measure]].dropna()
    before = scores.assign(year=scores["year"] + 1).rename(columns={measure: "before"})
    rows = members[members["join_year"] < members["year"]].merge(scores, on=["urn", "year"])
    linked = rows.merge(before, on=["urn", "year"], how="left")
    gap = linked["before"].isna()
    exclusions = [exclusion("existing school-year with no result the year before", linked, gap)]
    linked = linked[~gap].copy()
    linked["change"] = linked[measure] - linked["before"]
    return linked, exclusions


@dataclass(frozen=True)
class GeographySpec:
    """What chain geography measured: chain kind, years, radius, cluster step, outcome."""

    kind: tuple[str, ...]
    years: tuple[int, int]
    radius_km: float
    cluster_km: float
    measure: str
    min_schools: int
    alpha: float


@dataclass(frozen=True)
class ChainGeography(Result):
    """Spread of each chain's schools by year, and existing schools' results by spread.

    ``spread`` (chain × year, see :func:`chain_spread`), ``members`` (member-years, with
    coordinates, distance to the centre and cluster where located),
    ``comparison`` (the tidy rows: mean change in compact and spread-out chains and their
    difference within year, clustered by chain) and ``exclusions``.
    """

    spec: GeographySpec
    spread: pd.DataFrame
    members: pd.DataFrame
    comparison: pd.DataFrame
    names: pd.Series
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    reason: str = ""
    title = "Chain geography"
    caveat = CAVEAT
    headline_label = "existing schools' yearly change, spread-out minus compact chains"

    def tidy(self) -> pd.DataFrame:
        return self.comparison

    def headline_row(self) -> pd.Series:
        return super().headline_row() if self.comparison.empty else self.comparison.iloc[-1]

    def latest(self, partnership_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Each chain's spread in the last year (only ``partnership_ids`` when given), with
        its name, most schools first."""
        last = self.spread[self.spread["year"] == self.spread["year"].max()]
        if partnership_ids is not None:
            last = last[last["partnership_id"].isin(partnership_ids)]
        out = last.assign(name=last["partnership_id"].map(self.names))
        return out.sort_values(["n_schools", "partnership_id"], ascending=[False, True])

    def spread_table(self, partnership_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """The last year's spread measures by chain, in words (counts of schools and LAs)."""
        r, c = self.spec.radius_km, self.spec.cluster_km
        return (
            self.latest(partnership_ids)
            .set_index("partnership_id")[
                ["name", "n_schools", "median_km", "share_within", "n_las", "n_clusters"]
            ]
            .rename(
                columns={
                    "n_schools": "schools with a location",
                    "median_km": "median km to the chain's centre",
                    "share_within": f"share within {r:g} km of it",
                    "n_las": "local authorities",
                    "n_clusters": f"local clusters (steps of {c:g} km or less)",
                }
            )
            .rename_axis("chain")
            .round(2)
        )

    def chain_id(self, chain: str = "", among: Sequence[str] | None = None) -> str:
        """The chain named or numbered ``chain`` (any case); empty: the largest ``among``."""
        last = self.latest(among)
        if not chain.strip():
            if last.empty:
                raise InputError("no chain to map", column="chain", fix="widen the area")
            return str(last["partnership_id"].iloc[0])
        wanted = chain.strip().lower()
        hit = self.names.index[
            (self.names.str.lower() == wanted) | (self.names.index.str.lower() == wanted)
        ]
        if not len(hit):
            raise InputError(
                f"no chain named or numbered {chain!r}",
                column="chain",
                fix=f"choose one of e.g. {', '.join(last['name'].dropna().head(5))}",
            )
        return str(hit[0])

    @property
    def measure_words(self) -> str:
        """The outcome compared, in words."""
        return MEASURE_WORDS.get(self.spec.measure, self.spec.measure)

    def summary(self, digits: int = 2) -> str:
        if self.comparison.empty:
            return f"The comparison of compact and spread-out chains cannot be made: {self.reason}."
        row = self.headline_row()
        r = self.spec.radius_km
        return (
            f"Year-on-year change in existing schools' results ({self.measure_words}) in "
            f"chains spread out (median distance to the chain's centre over {r:g} km) minus "
            f"that in compact chains, same year compared: {row['estimate']:+.{digits}f} "
            f"points ({self.level} interval {row['ci_low']:+.{digits}f} to "
            f"{row['ci_high']:+.{digits}f}, clustered by chain; {int(row['n_treated'])} "
            f"school-years in spread-out chains, {int(row['n_comparison'])} in compact). "
            + self.caveat
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """The mean changes and their difference, with intervals."""
        if self.comparison.empty:
            with styled(ax) as ax:
                ax.text(0.5, 0.5, "not estimable: " + self.reason, ha="center", wrap=True)
                ax.set_axis_off()
            return ax
        return coefficient_plot(
            self.comparison,
            ax=ax,
            xlabel="change from the year before (points)",
            title="Existing schools' results: compact and spread-out chains",
        )

    def plot_map(
        self, partnership_ids: Sequence[str], *, year: int | None = None, title: str = ""
    ) -> Axes:
        """Footprint of the chains ``partnership_ids`` in ``year`` (default: the last)."""
        year = int(self.members["year"].max()) if year is None else year
        shown = self.members[
            self.members["partnership_id"].isin(partnership_ids) & (self.members["year"] == year)
        ]
        if shown.empty:
            raise InputError(
                f"none of the chains {list(partnership_ids)} had schools in {year}",
                column="partnership_ids",
                fix="choose chains from latest()",
            )
        names = shown["partnership_id"].map(self.names).fillna(shown["partnership_id"])
        present = set(names)
        order = [n for n in (self.names.get(p, p) for p in partnership_ids) if n in present]
        whose = f"{order[0]}'s schools" if len(order) == 1 else "the chains' schools"
        placed = shown.dropna(subset=["easting", "northing"])
        return school_map(
            shown.assign(chain=names),
            group="chain",
            order=order,
            outline=hull_outline(placed["easting"].to_numpy(), placed["northing"].to_numpy()),
            title=title or f"Where {whose} are, {year}",
        )


def _clustered(formula: str, frame: pd.DataFrame):
    return smf.ols(formula, frame).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(frame["partnership_id"])[0]}
    )


def _comparison(changes: pd.DataFrame, radius_km: float, alpha: float) -> tuple[pd.DataFrame, str]:
    """The tidy rows comparing compact and spread-out chain-years, or none and why."""
    if changes["spread_out"].nunique() < 2 or changes["partnership_id"].nunique() < 3:
        return tidy_frame([], alpha=alpha), (
            "it needs existing schools in both compact and spread-out chains (and three "
            f"chains); change the compactness radius (now {radius_km:g} km) or widen the years"
        )
    means = _clustered("change ~ 0 + C(spread_out)", changes)
    within = _clustered("change ~ spread_out + C(year)", changes)
    counts = changes.groupby("spread_out").size()
    n_spread, n_compact = int(counts.get(1, 0)), int(counts.get(0, 0))
    ci_means, ci_within = means.conf_int(alpha), within.conf_int(alpha)
    rows = [
        {
            "term": label,
            "estimate": means.params[f"C(spread_out)[{code}]"],
            "se": means.bse[f"C(spread_out)[{code}]"],
            "ci_low": ci_means.loc[f"C(spread_out)[{code}]", 0],
            "ci_high": ci_means.loc[f"C(spread_out)[{code}]", 1],
            "n_treated": n_spread if code else 0,
            "n_comparison": 0 if code else n_compact,
        }
        for code, label in ((0, "compact chains"), (1, "spread-out chains"))
    ]
    rows.append(
        {
            "term": "spread-out minus compact (same year)",
            "estimate": within.params["spread_out"],
            "se": within.bse["spread_out"],
            "ci_low": ci_within.loc["spread_out", 0],
            "ci_high": ci_within.loc["spread_out", 1],
            "n_treated": n_spread,
            "n_comparison": n_compact,
        }
    )
    return tidy_frame(rows, alpha=alpha), ""


def chain_geography(
    data: DataTables,
    kind: str | Sequence[str] = "mat",
    *,
    years: tuple[int, int] | None = None,
    radius_km: float = 10.0,
    cluster_km: float = 10.0,
    measure: str = "ks2_rwm_exp",
    min_schools: int = 3,
    alpha: float = 0.05,
) -> ChainGeography:
    """Chain spread by year and a descriptive comparison of existing schools' results.

    Chain-years with fewer than ``min_schools`` located schools are not compared (their
    spread is still measured). See the module docstring for the measures and the caveat.

    Examples
    --------
    >>> geo = chain_geography(read_tables("data/processed"))  # doctest: +SKIP
    >>> geo.plot_map(geo.latest()["partnership_id"][:3]).figure  # doctest: +SKIP
    """
    if measure not in data.outcomes.columns:
        raise InputError(f"measure {measure!r} not in the outcomes table", column="measure")
    (spread, excluded), members = chain_spread(
        data.memberships,
        data.partnerships,
        data.schools,
        kind,
        years=years,
        radius_km=radius_km,
        cluster_km=cluster_km,
    )
    changes, exclusions = _existing_changes(members, data.outcomes, measure)
    changes = changes.merge(spread, on=["partnership_id", "year"])
    few = changes["n_schools"] < min_schools
    exclusions.append(exclusion(f"chain-year with fewer than {min_schools} schools", changes, few))
    changes = changes[~few].copy()
    changes["spread_out"] = (changes["median_km"] > radius_km).astype("int64")
    comparison, reason = _comparison(changes, radius_km, alpha)
    spec = GeographySpec(
        kind=as_names(kind),
        years=(int(spread["year"].min()), int(spread["year"].max())),
        radius_km=radius_km,
        cluster_km=cluster_km,
        measure=measure,
        min_schools=min_schools,
        alpha=alpha,
    )
    dropped = exclusion_frame([e for e in exclusions if e["rows"]], step="geography comparison")
    return ChainGeography(
        spec=spec,
        spread=spread,
        members=members,
        comparison=comparison,
        reason=reason,
        names=data.partnerships.set_index("partnership_id")["name"],
        exclusions=concat_exclusions(excluded, dropped),
    )
