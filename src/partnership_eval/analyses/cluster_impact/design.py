"""Who is compared with whom: treated schools of an area and their comparison pool.

The design behind "did the partnership raise attainment?": the treated schools are those
of the area that joined a partnership of the chosen kind; the comparison pool is schools
never in such a partnership and — for small-school programmes — under the same size
threshold, because small rural schools differ from others in level *and* trend before any
partnership. A county that clusters nearly all its small schools has few small untreated
schools of its own, so by default the pool is drawn from the whole of England (or the
area's region). Every school left out on the way is counted in ``exclusions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from partnership_eval.analyses.cluster_impact.outcomes import add_derived_outcomes
from partnership_eval.data.geography import la_table, resolve_las
from partnership_eval.data.store import DataTables
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.exclusions import exclusion, exclusion_frame
from partnership_eval.impact.matching import MatchResult, matched_controls
from partnership_eval.panel import SIZE_BANDS, build_panel, first_treated, size_band

POOLS = ("england", "region", "area")
"""Where comparison schools may come from."""

TREATED, COMPARISON = "treated", "comparison"

MATCH_COVARIATES = (
    "base_ks2_rwm_exp",
    "base_trend",
    "base_cohort_n",
    "base_disadv_pct",
    "rural",
)
"""Characteristics the matched comparison group is chosen on, all from the years before
the area's first start: attainment, its yearly trend, Year 6 cohort size and the share
of Year 6 pupils disadvantaged; and rurality (a school's place, which does not change).
Where the source has no disadvantaged counts, the schools table's FSM share (a snapshot)
stands in for the disadvantaged share (:func:`match_comparison`)."""

CENSOR_BEFORE = 1
"""A comparison school that later joins a partnership counts until this many years
before its first year in it: schools are often taken on after a bad year, and a
comparison that keeps the bad year but loses the bounce-back after it (censored) would
make the comparison schools look worse than they were."""

CENSORED = (
    "their years from the year before they joined a partnership (comparison schools count "
    "until then)"
)

UNMATCHED = "not matched (unused comparison school, or a baseline covariate missing)"

BALANCE_LABELS = {
    "base_ks2_rwm_exp": "baseline % meeting RWM standard",
    "base_cohort_n": "baseline Year 6 cohort (pupils)",
    "base_trend": "baseline yearly trend (pp)",
    "base_disadv_pct": "baseline % of Year 6 disadvantaged",
    "base_pupils": "pupils on roll before the start (estimated)",
    "fsm_pct": "% eligible for free school meals",
    "pupils": "pupils on roll",
    "rural": "rural (share)",
}


@dataclass(frozen=True)
class ImpactDesign:
    """Treated schools of an area and their comparison pool, as a school × year panel.

    Attributes
    ----------
    panel
        Rows of treated and comparison schools: the :func:`~partnership_eval.panel.build_panel`
        columns plus ``group`` ("treated" / "comparison"), ``weight`` (1 for treated
        schools; for comparison schools the setting weight of :func:`setting_weights`,
        or the matching weight), ``joins_partnership`` (the first year a comparison
        school is in a partnership, 0 never: its rows stop before, see
        :data:`CENSOR_BEFORE`), ``disadv_gap`` and ``below_floor``.
    area
        Label of the area; ``la_codes`` its LAs.
    exclusions
        step, reason, rows, schools: everything left out, in order.
    options
        kind, size_threshold, pool, years, exclude_other_partnerships.
    """

    panel: pd.DataFrame
    area: str
    la_codes: tuple[int, ...]
    exclusions: pd.DataFrame
    options: dict[str, object]
    synthetic: bool
    truth: pd.DataFrame | None = None
    source: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def schools(self) -> pd.DataFrame:
        """One row per school with its group, timing and baseline characteristics."""
        cols = [
            "urn",
            "group",
            "first_treated",
            "partnership_id",
            "la_code",
            "la_name",
            "region",
            "pupils",
            "base_pupils",
            "size_band",
            "rural",
            "fsm_pct",
            "base_ks2_rwm_exp",
            "base_trend",
            "base_cohort_n",
            "base_disadv_pct",
            "weight",
        ]
        return self.panel.drop_duplicates("urn")[cols].reset_index(drop=True)

    @property
    def n_treated(self) -> int:
        """Treated schools in the design."""
        return int(self.panel.loc[self.panel["group"] == TREATED, "urn"].nunique())

    @property
    def n_comparison(self) -> int:
        """Comparison schools in the design."""
        return int(self.panel.loc[self.panel["group"] == COMPARISON, "urn"].nunique())

    @property
    def cohorts(self) -> list[int]:
        """Start years (first treated academic years) of the treated schools."""
        treated = self.panel.loc[self.panel["group"] == TREATED, "first_treated"]
        return sorted(int(g) for g in treated.unique())

    @property
    def years(self) -> list[int]:
        """Academic years with results in the design."""
        return sorted(int(y) for y in self.panel["year"].unique())

    def size_sources(self) -> pd.DataFrame:
        """Schools per group whose size came from their baseline Year 6 cohorts or, lacking
        those, from the schools table's snapshot."""
        s = self.panel.drop_duplicates("urn")
        source = np.where(
            s["size_from_snapshot"], "snapshot (no baseline results)", "baseline cohorts"
        )
        table = pd.crosstab(pd.Series(source, name="size measured from"), s["group"].to_numpy())
        table.columns = [str(c) for c in table.columns]
        return table.astype("int64")

    def setting_table(self) -> pd.DataFrame:
        """Schools per setting and group, and the weight of each comparison school."""
        s = self.panel.drop_duplicates("urn")
        where = setting(s["rural"]).to_numpy()
        table = pd.crosstab(pd.Series(where, name="setting"), s["group"].to_numpy())
        weight = (
            s[s["group"] == COMPARISON]
            .groupby(where[s["group"].to_numpy() == COMPARISON])["weight"]
            .first()
        )
        table["weight of a comparison school"] = weight.reindex(table.index)
        table.columns = [str(c) for c in table.columns]
        return table

    def joiners_table(self) -> pd.DataFrame:
        """Treated schools per start year (rows) by size band and setting (columns), with totals."""
        s = self.schools[self.schools["group"] == TREATED].copy()
        s["setting"] = setting(s["rural"])
        bands = s["size_band"].cat.add_categories("size unknown").fillna("size unknown")
        size = pd.crosstab(s["first_treated"], bands, dropna=False)
        settings = pd.crosstab(s["first_treated"], s["setting"])
        table = pd.concat([size, settings], axis=1)
        table["all schools"] = s.groupby("first_treated").size()
        table.loc["all years"] = table.sum()
        table.index = table.index.map(str).rename("start year")
        table.columns = [str(c) for c in table.columns]
        return table.astype("int64")

    def pool_table(self) -> pd.DataFrame:
        """Comparison schools by region and size band, with totals."""
        s = self.schools[self.schools["group"] == COMPARISON]
        bands = s["size_band"].astype("str").where(s["size_band"].notna(), "size unknown")
        table = pd.crosstab(s["region"].fillna("unknown"), bands)
        order = [b for b in (*SIZE_BANDS, "size unknown") if b in table.columns]
        table = table.loc[:, order]
        table["all schools"] = table.sum(axis=1)
        table.loc["England (pool)"] = table.sum()
        table.columns = [str(c) for c in table.columns]
        return table.astype("int64")

    def summary(self) -> str:
        """What the design compares, in words."""
        o = self.options
        size = f"under {o['size_threshold']} pupils" if o["size_threshold"] else "of any size"
        lines = [
            f"Treated: {self.n_treated} schools in {self.area} that joined a partnership of kind "
            f"{', '.join(o['kind'])} (start years {', '.join(map(str, self.cohorts)) or 'none'}).",
            f"Comparison: {self.n_comparison} schools {size} never in such a partnership, "
            f"drawn from {POOL_WORDS[o['pool']]}.",
        ]
        for row in self.exclusions.itertuples(index=False):
            lines.append(f"left out ({row.step}): {row.schools} schools — {row.reason}")
        return "\n".join(lines)

    def subset(self, mask: pd.Series, step: str, reason: str) -> ImpactDesign:
        """The design restricted to rows where ``mask`` holds; the rest counted as excluded."""
        dropped = ~mask
        entry = {"step": step, **exclusion(reason, self.panel, dropped)}
        exclusions = self.exclusions
        if entry["rows"]:
            exclusions = pd.concat([exclusions, pd.DataFrame([entry])], ignore_index=True)
        return replace(self, panel=self.panel[mask].reset_index(drop=True), exclusions=exclusions)


POOL_WORDS = {
    "england": "the whole of England (every LA in the data)",
    "region": "the area's region(s)",
    "area": "the area itself",
}


def setting(rural: pd.Series) -> pd.Series:
    """ "rural", "urban" or "unknown" for a rural flag that may be missing."""
    flag = rural.astype("boolean")
    return pd.Series(
        np.where(flag.isna(), "unknown", np.where(flag.fillna(False), "rural", "urban")),
        index=rural.index,
    )


def area_label(area: str | int | Sequence[str | int]) -> str:
    """Readable label of an area given as one or several LA names/codes or regions."""
    items = [area] if isinstance(area, str | int) else list(area)
    return " + ".join(str(i) for i in items)


def _baseline_years(
    tables: DataTables, kind: Sequence[str], la_codes: Sequence[int], years: tuple[int, int]
) -> tuple[int, int]:
    """Baseline window: the first year up to the year before the area's first start."""
    starts = first_treated(tables.memberships, tables.partnerships, kind)
    in_area = starts["urn"].isin(
        tables.schools.loc[tables.schools["la_code"].isin(la_codes), "urn"]
    )
    later = starts.loc[in_area & (starts["first_treated"] > years[0]), "first_treated"]
    last = int(later.min()) - 1 if len(later) else years[0]
    return years[0], max(last, years[0])


def impact_design(
    data: DataTables,
    area: str | int | Sequence[str | int],
    *,
    kind: str | Sequence[str] = "cluster",
    size_threshold: int | None = 150,
    pool: str = "england",
    years: tuple[int, int] | None = None,
    exclude_other_partnerships: bool = True,
    balance_setting: bool = True,
) -> ImpactDesign:
    """Treated schools of ``area`` and their comparison pool.

    Parameters
    ----------
    data
        Canonical tables.
    area
        LA name(s)/code(s) or region(s) whose partnership schools are evaluated.
    kind
        Partnership kind(s) that count as treatment.
    size_threshold
        Keep only schools with fewer pupils, treated and comparison alike (the programme's
        "small school"); ``None`` or 0 for schools of any size. Size is measured before
        any start: :data:`YEAR_GROUPS` × the school's mean Year 6 cohort over the baseline
        years (the schools table's snapshot, which may postdate joining, only where a
        school has no baseline cohort; counted by :meth:`ImpactDesign.size_sources`).
    pool
        Where comparison schools come from: ``"england"`` (default), ``"region"`` (the
        area's regions) or ``"area"`` (the area itself).
    years
        First and last academic year (default: every year in which the area's schools
        have results; a national file missing for the area's LAs would otherwise leave
        years with no treated school to compare).
    exclude_other_partnerships
        Follow comparison schools that join partnerships of other kinds only until the
        year before they join (:data:`CENSOR_BEFORE`; their later years are left out,
        counted), as the partnership's own effects would blur the comparison. Schools
        joining the treated kind outside the area are always followed until then.
    balance_setting
        Weight comparison schools so that their mix of rural and urban schools is the
        treated schools' (:func:`setting_weights`); schools of a setting the other group
        lacks are left out, counted.

    Returns
    -------
    ImpactDesign

    Raises
    ------
    InputError
        Unknown area, pool or kind.
    EstimationError
        No treated or no comparison schools.
    """
    if pool not in POOLS:
        raise InputError(f"pool={pool!r} is not one of {POOLS}; use 'england' (default)")
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    items = [area] if isinstance(area, str | int) else list(area)
    la_codes = tuple(resolve_las(items))
    area_urns = data.schools.loc[data.schools["la_code"].isin(la_codes), "urn"]
    outcome_years = data.outcomes.loc[data.outcomes["urn"].isin(area_urns), "year"]
    if outcome_years.empty:
        raise EstimationError(f"no school of {area_label(area)} has KS2 results in the data")
    span = years or (int(outcome_years.min()), int(outcome_years.max()))
    panel, exclusions = _design_panel(data, kinds, la_codes, span)
    chosen, entries = _selection(panel, la_codes, size_threshold, pool, exclude_other_partnerships)
    if balance_setting:
        weight, setting_entries = setting_weights(chosen)
        chosen = chosen.assign(weight=weight)[weight.notna()]
        entries += setting_entries
    chosen = chosen.assign(group=np.where(chosen["first_treated"] > 0, TREATED, COMPARISON))
    design = ImpactDesign(
        panel=chosen.reset_index(drop=True),
        area=area_label(area),
        la_codes=la_codes,
        exclusions=exclusion_frame([*exclusions, *entries]),
        options={
            "kind": list(kinds),
            "size_threshold": size_threshold or None,
            "pool": pool,
            "years": list(span),
            "exclude_other_partnerships": exclude_other_partnerships,
            "balance_setting": balance_setting,
        },
        synthetic=data.synthetic,
        truth=data.truth,
        source=panel,
    )
    _require_both_groups(design)
    return design


YEAR_GROUPS = 7
"""Year groups of a primary school (reception to Year 6): pupils on roll before the start
are estimated as this many times the Year 6 cohort."""


def baseline_characteristics(panel: pd.DataFrame, baseline: tuple[int, int]) -> pd.DataFrame:
    """Each school's characteristics over the baseline years (before any start).

    urn; base_cohort_n, the mean Year 6 cohort; base_pupils, pupils on roll estimated
    as :data:`YEAR_GROUPS` × that cohort, or the schools table's snapshot where the
    school has no baseline cohort (``size_from_snapshot``); base_disadv_pct, the % of
    Year 6 pupils disadvantaged (missing where the source has no counts).
    """
    window = panel[panel["year"].between(*baseline)]
    by_school = window.groupby("urn")
    cohort = by_school["cohort_n"].mean().astype("float64")
    out = pd.DataFrame({"base_cohort_n": cohort})
    if "disadv_n" in window.columns:
        counts = by_school[["disadv_n", "cohort_n"]].sum(min_count=1).astype("float64")
        out["base_disadv_pct"] = (
            100 * counts["disadv_n"] / counts["cohort_n"].where(counts["cohort_n"] > 0)
        )
    else:
        out["base_disadv_pct"] = np.nan
    snapshot = panel.drop_duplicates("urn").set_index("urn")["pupils"].astype("float64")
    out = out.reindex(snapshot.index)
    estimated = (YEAR_GROUPS * out["base_cohort_n"]).round()
    out["size_from_snapshot"] = estimated.isna() & snapshot.notna()
    out["base_pupils"] = estimated.fillna(snapshot)
    return out.reset_index()


def _design_panel(
    data: DataTables, kinds: tuple[str, ...], la_codes: tuple[int, ...], span: tuple[int, int]
) -> tuple[pd.DataFrame, list[dict]]:
    """The school × year panel with derived outcomes, baseline cohort size and timing."""
    baseline = _baseline_years(data, kinds, la_codes, span)
    built = build_panel(data, kinds, years=span, baseline_years=baseline)
    panel = add_derived_outcomes(built.frame)
    panel = panel.merge(baseline_characteristics(panel, baseline), on="urn", how="left")
    panel["size_band"] = size_band(panel["base_pupils"])
    panel["weight"] = 1.0
    exclusions = built.exclusions.to_dict("records")
    late = panel["first_treated"] > span[1]
    if late.any():
        reason = (
            f"joined after {span[1]}: untreated in every year here, so counted as never treated"
        )
        exclusions.append({"step": "timing", **exclusion(reason, panel, late)})
        panel["first_treated"] = panel["first_treated"].where(~late, 0)
    return panel, exclusions


def _selection(
    panel: pd.DataFrame,
    la_codes: tuple[int, ...],
    size_threshold: int | None,
    pool: str,
    exclude_other_partnerships: bool,
) -> tuple[pd.DataFrame, list[dict]]:
    """Rows of treated schools of the area and of the comparison pool; what was left out.

    A school that joins a partnership of the treated kind outside the area, or (with
    ``exclude_other_partnerships``) one of another kind, stays a comparison school until
    the year before it joins (:data:`CENSOR_BEFORE`): its later years are censored,
    never the school for its future.
    """
    in_area = panel["la_code"].isin(la_codes)
    elsewhere = (panel["first_treated"] > 0) & ~in_area
    other = panel["other_first_treated"] if exclude_other_partnerships else 0 * panel["year"]
    joins = panel["first_treated"].where(elsewhere, 0)
    joins = joins.where((joins > 0) & ((other == 0) | (joins <= other)), other)
    panel = panel.assign(first_treated=panel["first_treated"].where(~elsewhere, 0))
    treated = panel["first_treated"] > 0
    panel["joins_partnership"] = joins.where(~treated, 0).astype("int64")
    small = (
        panel["base_pupils"] < size_threshold
        if size_threshold
        else pd.Series(True, index=panel.index)
    )
    if pool == "area":
        in_pool = in_area
    elif pool == "region":
        regions = la_table().loc[la_table()["la_code"].isin(la_codes), "region"].unique()
        in_pool = panel["region"].isin(regions)
    else:
        in_pool = pd.Series(True, index=panel.index)
    steps = [
        ("treated", f"{size_threshold} or more pupils", treated & ~small),
        ("comparison", "outside the comparison pool's area", ~treated & ~in_pool),
        ("comparison", f"{size_threshold} or more pupils", ~treated & ~small),
        (
            "comparison",
            CENSORED,
            ~treated & (joins > 0) & (panel["year"] >= joins - CENSOR_BEFORE),
        ),
    ]
    keep = pd.Series(True, index=panel.index)
    entries = []
    for step, reason, mask in steps:
        mask = mask & keep
        if mask.any():
            entries.append({"step": step, **exclusion(reason, panel, mask)})
        keep &= ~mask
    return panel[keep], entries


def setting_weights(panel: pd.DataFrame) -> tuple[pd.Series, list[dict]]:
    """Weight of each row so that comparison schools have the treated schools' mix of
    settings (rural, urban, unknown), and the rows of settings the other group lacks.

    Small rural schools were on a different path from small urban ones before any
    partnership, so a comparison group with more urban schools than the treated group
    would credit that path to the partnership. Treated schools weigh 1; a comparison
    school weighs (treated share of its setting) / (comparison share of its setting).
    """
    schools = panel.drop_duplicates("urn")
    where = setting(schools["rural"])
    treated = schools["first_treated"].to_numpy() > 0
    share_t = where[treated].value_counts(normalize=True)
    share_c = where[~treated].value_counts(normalize=True)
    ratio = (share_t / share_c).reindex(where.unique()).fillna(0.0)
    school_weight = pd.Series(
        np.where(treated, 1.0, where.map(ratio).to_numpy()), index=schools["urn"].to_numpy()
    )
    weight = panel["urn"].map(school_weight)
    lacking = weight == 0
    row_setting = panel["urn"].map(pd.Series(where.to_numpy(), index=schools["urn"].to_numpy()))
    lone_treated = (panel["first_treated"] > 0) & ~row_setting.isin(share_c.index)
    entries = []
    if lacking.any():
        entries.append(
            {
                "step": "setting",
                **exclusion(
                    "comparison school in a setting no treated school is in", panel, lacking
                ),
            }
        )
    if lone_treated.any():
        entries.append(
            {
                "step": "setting",
                **exclusion(
                    "treated school in a setting no comparison school is in", panel, lone_treated
                ),
            }
        )
    return weight.where(~lacking & ~lone_treated), entries


def _require_both_groups(design: ImpactDesign) -> None:
    o = design.options
    size_threshold, kinds, span = o["size_threshold"], o["kind"], o["years"]
    if design.n_treated == 0:
        raise EstimationError(
            f"no schools in {design.area} joined a partnership of kind {', '.join(kinds)} "
            f"between {span[0] + 1} and {span[1]}"
            + (f" with fewer than {size_threshold} pupils" if size_threshold else "")
            + "; choose another area or kind, or pass size_threshold=0"
        )
    if design.n_comparison == 0:
        raise EstimationError(
            f"no comparison schools for {design.area}: no never-treated schools"
            + (f" under {size_threshold} pupils" if size_threshold else "")
            + f" in {POOL_WORDS[o['pool']]}; widen the pool (pool='england')"
        )


def all_schools_design(design: ImpactDesign) -> ImpactDesign:
    """The same treated schools compared with every never-treated school of any size,
    unweighted.

    The naive comparison the programme documents made: it ignores that small rural
    schools were on a different path before any partnership.
    """
    chosen, _ = _selection(
        design.source,
        design.la_codes,
        None,
        "england",
        bool(design.options["exclude_other_partnerships"]),
    )
    treated_urns = design.panel.loc[design.panel["group"] == TREATED, "urn"]
    treated = chosen["first_treated"] > 0
    keep = ~treated | chosen["urn"].isin(treated_urns)
    panel = chosen[keep].assign(group=np.where(treated[keep], TREATED, COMPARISON), weight=1.0)
    return replace(
        design,
        panel=panel.reset_index(drop=True),
        options={
            **design.options,
            "size_threshold": None,
            "pool": "england",
            "balance_setting": False,
        },
    )


def baseline_covariates(design: ImpactDesign, covariates: Sequence[str]) -> tuple[str, ...]:
    """``covariates`` as the design can measure them: the baseline share of Year 6 pupils
    disadvantaged (``base_disadv_pct``) becomes the schools table's FSM share where the
    source has no disadvantaged counts for the treated schools."""
    treated = design.panel.loc[design.panel["group"] == TREATED, "base_disadv_pct"]
    stand_in = "base_disadv_pct" if treated.notna().any() else "fsm_pct"
    return tuple(stand_in if c == "base_disadv_pct" else c for c in covariates)


@dataclass(frozen=True)
class MatchedDesign:
    """A design whose comparison schools were matched to the treated on baseline data."""

    design: ImpactDesign
    match: MatchResult
    dropped_covariates: tuple[str, ...] = ()

    def balance_table(self) -> pd.DataFrame:
        """Means of treated and comparison schools before and after matching, with SMDs."""
        return balance_table(self.match)


def match_comparison(
    design: ImpactDesign,
    covariates: Sequence[str] = MATCH_COVARIATES,
    *,
    sample: pd.DataFrame | None = None,
    ratio: int = 2,
    seed: int = 0,
) -> MatchedDesign:
    """Keep the comparison schools nearest to each treated school on baseline covariates.

    Nearest-neighbour (Mahalanobis) matching with replacement, ``ratio`` comparison
    schools per treated school; repeated controls carry weight in ``weight`` (which
    replaces the design's setting weights: matching balances rurality itself).
    With ``sample`` (an estimation sample), only its schools are matched, so the balance
    shown is that of the schools estimated from. Covariates missing for every treated
    school are not used (listed in ``dropped_covariates``); treated schools missing
    another covariate stay unmatched and leave the design (counted in ``exclusions``).
    """
    if sample is not None:
        design = design.subset(
            design.panel["urn"].isin(sample["urn"]),
            "sample",
            "not in the estimation sample (no usable results)",
        )
    schools = design.schools.assign(
        is_treated=lambda d: d["group"] == TREATED,
        rural=lambda d: d["rural"].astype("boolean").astype("Float64").astype(float),
    )
    treated = schools[schools["is_treated"]]
    covariates = baseline_covariates(design, covariates)
    usable = [c for c in covariates if treated[c].notna().any()]
    if not usable:
        raise EstimationError(
            f"cannot match: none of {list(covariates)} is known for any treated school in "
            f"{design.area}; use comparison='never_treated'"
        )
    match = matched_controls(
        schools, "urn", "is_treated", usable, ratio=ratio, replace=True, seed=seed
    )
    weights = match.matched_units.set_index("urn")["weight"]
    matched = design.subset(design.panel["urn"].isin(weights.index), "matched", UNMATCHED)
    panel = matched.panel.assign(weight=matched.panel["urn"].map(weights).astype(float))
    dropped = tuple(c for c in covariates if c not in usable)
    return MatchedDesign(replace(matched, panel=panel), match, dropped)


def balance_table(match: MatchResult) -> pd.DataFrame:
    """Readable balance table from a :class:`MatchResult` (one row per covariate)."""
    b = match.balance
    cols = {
        "mean_treated_before": "treated",
        "mean_control_before": "comparison (all)",
        "smd_before": "SMD before",
        "mean_treated_after": "treated (matched)",
        "mean_control_after": "comparison (matched)",
        "smd_after": "SMD after",
    }
    table = b.set_index("covariate")[list(cols)].rename(columns=cols)
    table.index = [BALANCE_LABELS.get(c, c) for c in table.index]
    table.index.name = "baseline characteristic"
    return table
