"""Other outcomes the programme claimed: Ofsted grades and the KS2 floor standard, event-based.

Each design school is seen twice around its start: its last graded Ofsted inspection
before the start and its first graded inspection after it; its last KS2 floor-standard
result before the start and its first one after. Only schools seen both times enter — the
same schools before and after — and the others are counted in ``exclusions``.

Start of a comparison school. Comparison schools never start, so each gets a pretend one
(:func:`claim_starts`): with a matched design, the start year of the treated school(s) it
was matched to; otherwise every treated start year, weighted by that year's share of the
treated schools, so the comparison's mix of start years is the treated one's (a stacked
comparison; the rows of one school share its cluster). A comparison school that later
joins a partnership itself is seen only until it joins.

Timing. Start year ``g`` (named by the academic year it ends) begins on 1 September of
``g - 1``. "Before" is an inspection before 1 September of ``g - 1 - anticipation``, or
a KS2 result of a year before ``g - anticipation``; "after" an inspection from the start
to the end of the design's last year (31 August), or a KS2 result from year ``g`` on. A
graded inspection is one with a grade (short inspections that confirm a grade count).

Measures and inference. Per group: the mean before, after and the mean change of its
schools; then the difference in changes (partnership minus comparison), a linear
probability difference-in-differences with school fixed effects — on two periods of the
same schools, the weighted regression of each school's change on a partnership indicator
(statsmodels WLS). Intervals are cluster-robust with t critical values on clusters − 1
degrees of freedom: partnership schools clustered by partnership (its schools share
shocks and the decision to join) unless ``cluster="school"``, comparison schools each
their own cluster.

Reading. Descriptive with intervals, not a causal estimate: Ofsted inspects on a schedule
set by the last grade (weaker schools sooner; outstanding schools were exempt from
routine inspection 2012-2020), so which schools have an "after" inspection and how long
after differs by their "before" grade, and schools are often chosen for a partnership
after a bad result, from which they would partly recover anyway. The floor standard
(:func:`~partnership_eval.analyses.cluster_impact.outcomes.below_floor`) existed only in
2016-2019, so programmes that started earlier have no "before" for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import statsmodels.api as sm

from partnership_eval.analyses.cluster_impact.design import (
    COMPARISON,
    TREATED,
    ImpactDesign,
    MatchedDesign,
)
from partnership_eval.analyses.cluster_impact.outcomes import FLOOR_YEARS
from partnership_eval.errors import InputError
from partnership_eval.labels import estimate_words, number
from partnership_eval.result import Result, concat_exclusions, exclusion_frame, tidy_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

GOOD = (1, 2)
"""Ofsted grades counted as good or better."""

MEASURES = ("good", "below_floor", "grade")
"""Measures in the order of the tidy table (the first is the headline)."""

CLAIM_LABELS = {
    "good": "% good or better at Ofsted",
    "below_floor": "% below the KS2 floor standard",
    "grade": "mean Ofsted grade (1 outstanding, 4 inadequate)",
}
UNITS = {"good": "percentage points", "below_floor": "percentage points", "grade": "grades"}
DIGITS = {"good": 0, "below_floor": 0, "grade": 2}
SUFFIX = {"good": "%", "below_floor": "%", "grade": ""}
"""Decimals and unit sign of each measure's levels in words."""
GROUP_WORDS = {TREATED: "partnership schools", COMPARISON: "comparison schools"}
SOURCE = {"good": "Ofsted", "grade": "Ofsted", "below_floor": "floor standard"}
OBSERVATION = {
    "Ofsted": "graded inspection",
    "floor standard": "floor-standard result",
}
CLUSTERS = ("partnership", "school")
INSPECTION_COLUMNS = ("urn", "date", "grade")


@dataclass(frozen=True)
class ClaimsSpec:
    """How the claims were compared: start years, timing and clustering."""

    starts: tuple[int, ...]
    last_year: int
    anticipation: int = 0
    comparison_starts: str = "every treated start year, weighted by its share of treated schools"
    cluster: str = "partnership"
    method: str = (
        "same schools before and after; difference in changes by weighted least squares of "
        "each school's change on a partnership indicator, cluster-robust intervals"
    )
    alpha: float = 0.05


@dataclass(frozen=True)
class ClaimsResult(Result):
    """Ofsted and floor-standard claims, same schools before and after their start.

    Attributes
    ----------
    schools
        One row per school and (pretend) start seen both times, per measure: measure,
        urn, group, start, weight, partnership and school (the two clusterings), before,
        after, change, years_apart.
    before_after
        measure, group, schools, before, after, change, years_apart (weighted means).
    estimates
        The tidy rows: per measure the difference in changes, then each group's before,
        after and change, with cluster-robust intervals.
    notes
        measure → why it could not be estimated.
    """

    spec: ClaimsSpec
    schools: pd.DataFrame
    before_after: pd.DataFrame
    estimates: pd.DataFrame
    notes: dict[str, str] = field(default_factory=dict)
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Claimed outcomes (same schools before and after the start)"
    headline_label = "difference in changes, % good or better at Ofsted (points)"

    def tidy(self) -> pd.DataFrame:
        """Per measure the difference in changes, then each group's before, after, change."""
        return tidy_frame(self.estimates, alpha=self.alpha)

    def estimated(self, measure: str) -> bool:
        """Whether ``measure`` has a difference in changes."""
        return measure not in self.notes

    def differences(self) -> pd.DataFrame:
        """Reader table: per measure the schools compared, each group's change and the
        difference in changes with its interval, or why there is none."""
        rows = self.estimates[self.estimates["statistic"] == "difference in changes"]
        change = self.estimates[self.estimates["statistic"] == "change"].pivot(
            index="measure", columns="group", values="estimate"
        )
        out = pd.DataFrame(
            {
                "outcome": rows["measure"].map(CLAIM_LABELS),
                "n_treated": rows["n_treated"],
                "n_comparison": rows["n_comparison"],
                "change, partnership schools": rows["measure"].map(change.get(TREATED, {})),
                "change, comparison schools": rows["measure"].map(change.get(COMPARISON, {})),
                "difference in changes": rows["estimate"],
                "ci_low": rows["ci_low"],
                "ci_high": rows["ci_high"],
                "note": rows["note"],
            }
        )
        return out.set_index("outcome")

    def table(self) -> pd.DataFrame:
        """Reader table: per measure and group the schools, before, after and change."""
        t = self.before_after
        out = pd.DataFrame(
            {
                "outcome": t["measure"].map(CLAIM_LABELS),
                "group": t["group"].map(GROUP_WORDS),
                "schools": t["schools"],
                "before the start": t["before"],
                "after the start": t["after"],
                "change": t["change"],
                "years between before and after": t["years_apart"],
            }
        )
        return out.set_index(["outcome", "group"])

    def reading(self) -> str:
        """The claims in words: first why they are not a causal estimate, then per measure
        each group's before and after and the difference in changes with its interval."""
        ba = self.before_after.set_index(["measure", "group"])
        rows = self.estimates.set_index(["measure", "statistic", "group"])
        parts = [
            "Not a causal estimate: these compare the same schools before and after their "
            "start, but Ofsted inspects weaker schools sooner, so which schools have an "
            "inspection after the start, and how long after, depends on the grade before; "
            "and schools are often chosen for a partnership after a bad result they would "
            "partly recover from anyway."
        ]
        for measure in MEASURES:
            label = CLAIM_LABELS[measure][0].upper() + CLAIM_LABELS[measure][1:]
            if not self.estimated(measure):
                parts.append(f"- {label}: no comparison — {self.notes[measure]}.")
                continue
            groups, digits, unit = [], DIGITS[measure], SUFFIX[measure]
            for group in (TREATED, COMPARISON):
                r = ba.loc[(measure, group)]
                groups.append(
                    f"{int(r['schools']):,} {GROUP_WORDS[group]} went from "
                    f"{number(r['before'], digits)}{unit} to {number(r['after'], digits)}{unit}"
                )
            did = rows.loc[(measure, "difference in changes", "partnership minus comparison")]
            ci = (None, None) if pd.isna(did["ci_low"]) else (did["ci_low"], did["ci_high"])
            parts.append(
                f"- {label}: {groups[0]}; {groups[1]}. Difference in changes: "
                f"{estimate_words(did['estimate'], *ci, self.level, UNITS[measure])}."
            )
        return "\n".join(parts[:1] + [""] + parts[1:])

    def summary(self) -> str:
        """The comparison in words, with intervals and what it cannot show."""
        lines = [self.title, self.reading()]
        if not self.exclusions.empty:
            lines.append("left out:")
            for row in self.exclusions.itertuples(index=False):
                lines.append(f"  {row.step}: {row.reason} — {row.schools} schools")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None, *, measure: str = "good", title: str = "") -> Axes:
        """Each group's mean before and after the start (same schools), with intervals."""
        from partnership_eval.analyses.cluster_impact.figures import before_after_plot

        if measure not in MEASURES:
            raise InputError(f"measure={measure!r} is not one of {MEASURES}", fix="use 'good'")
        rows = self.estimates[
            (self.estimates["measure"] == measure)
            & self.estimates["statistic"].isin(["before", "after"])
        ]
        return before_after_plot(
            rows.assign(group=rows["group"].map(GROUP_WORDS)),
            CLAIM_LABELS[measure],
            note=self.notes.get(measure, ""),
            title=title,
            ax=ax,
        )


def claim_starts(design: ImpactDesign, matched: MatchedDesign | None = None) -> pd.DataFrame:
    """The (pretend) start of every design school: urn, group, start, weight, cluster, joins.

    Treated schools: their start year, weight 1 (their match weight). Comparison schools:
    with ``matched``, the start years of the treated schools they were matched to,
    weighted as the match weights them; otherwise one row per treated start year,
    weighted by its share of treated schools. ``joins`` is a comparison school's own later
    start (0 if never); ``cluster`` the partnership of a treated school (school if none).
    """
    panel = design.panel
    schools = panel.drop_duplicates("urn")[["urn", "group", "first_treated", "match_weight"]]
    pid = panel.drop_duplicates("urn")["partnership_id"] if "partnership_id" in panel else None
    treated = schools[schools["group"] == TREATED]
    comparison = schools[schools["group"] == COMPARISON]
    rows_t = treated.assign(start=treated["first_treated"], weight=treated["match_weight"])
    if matched is not None:
        pairs = matched.match.pairs
        per_treated = pairs.groupby("treated_unit")["control_unit"].transform("size")
        start_of = treated.set_index("urn")["first_treated"]
        stacked = pd.DataFrame(
            {
                "urn": pairs["control_unit"].to_numpy(),
                "start": pairs["treated_unit"].map(start_of).to_numpy(),
                "weight": (1.0 / per_treated).to_numpy(),
            }
        ).dropna(subset=["start"])
        stacked = stacked.groupby(["urn", "start"], as_index=False)["weight"].sum()
        rows_c = comparison.drop(columns="match_weight").merge(stacked, on="urn")
    else:
        shares = treated["first_treated"].value_counts(normalize=True).rename("weight")
        cohorts = shares.rename_axis("start").reset_index()
        rows_c = comparison.merge(cohorts, how="cross")
        rows_c["weight"] = rows_c["weight"] * rows_c["match_weight"]
    out = pd.concat([rows_t, rows_c], ignore_index=True)
    out["start"] = out["start"].astype("int64")
    out["joins"] = np.where(out["group"] == COMPARISON, out["first_treated"], 0).astype("int64")
    school = "school " + out["urn"].astype(str)
    if pid is not None:
        partnership = out["urn"].map(pd.Series(pid.to_numpy(), index=schools["urn"]))
        use = (out["group"] == TREATED) & partnership.notna()
        out["partnership"] = np.where(use, "partnership " + partnership.astype(str), school)
    else:
        out["partnership"] = school
    out["school"] = school
    return out[["urn", "group", "start", "weight", "joins", "partnership", "school"]]


def claimed_outcomes(
    design: ImpactDesign,
    inspections: pd.DataFrame,
    *,
    matched: MatchedDesign | None = None,
    anticipation: int = 0,
    cluster: str = "partnership",
    alpha: float = 0.05,
) -> ClaimsResult:
    """Good-or-better at Ofsted, mean grade and below-floor share: the same schools before
    and after their start, partnership against comparison schools.

    Parameters
    ----------
    design
        The impact design (its treated and comparison schools and their KS2 panel).
    inspections
        Ofsted inspections: urn, date, grade (missing: ungraded).
    matched
        A matched design: its comparison schools, each given the start of the treated
        schools it was matched to (default: every comparison school, every start year).
    anticipation
        Years before the start left out of "before" (as in the main estimate).
    cluster
        ``"partnership"`` (partnership schools clustered by partnership) or ``"school"``.
    alpha
        1 − the interval level.

    Raises
    ------
    InputError
        Inspections without urn, date or grade; an unknown ``cluster``; a negative
        ``anticipation``.
    """
    _check(inspections, cluster, anticipation)
    if matched is not None:
        design = matched.design
    starts = claim_starts(design, matched)
    last_year = int(design.years[-1])
    starts, early = _censor_joiners(starts)
    observed = {
        "Ofsted": _ofsted_pairs(starts, inspections, anticipation, last_year),
        "floor standard": _floor_pairs(starts, design.panel, anticipation, last_year),
    }
    frames, exclusions, notes = [], [early], {}
    for source, pairs in observed.items():
        exclusions.append(_missing(pairs, source))
        seen = pairs.dropna(subset=["before", "after"])
        for measure in [m for m in MEASURES if SOURCE[m] == source]:
            frames.append(_measure_frame(seen, measure))
    schools = pd.concat(frames, ignore_index=True)
    cluster_col = "partnership" if cluster == "partnership" else "school"
    estimates = []
    for measure in MEASURES:
        rows = schools[schools["measure"] == measure]
        note = _not_estimable(rows, measure, starts, anticipation)
        if note:
            notes[measure] = note
        estimates.append(_estimate(rows, measure, cluster_col, alpha, note))
    spec = ClaimsSpec(
        starts=tuple(design.cohorts),
        last_year=last_year,
        anticipation=anticipation,
        comparison_starts="the start year of the treated schools each was matched to"
        if matched is not None
        else ClaimsSpec.comparison_starts,
        cluster=cluster,
        alpha=alpha,
    )
    estimates = pd.concat(estimates, ignore_index=True)
    order = {"difference in changes": 0}
    estimates = estimates.sort_values(
        "statistic", key=lambda s: s.map(order).fillna(1), kind="stable"
    ).reset_index(drop=True)
    return ClaimsResult(
        spec=spec,
        schools=schools,
        before_after=_before_after(schools),
        estimates=estimates,
        notes=notes,
        exclusions=concat_exclusions(*exclusions),
    )


def _check(inspections: pd.DataFrame, cluster: str, anticipation: int) -> None:
    if not isinstance(inspections, pd.DataFrame):
        raise InputError(
            f"inspections must be a DataFrame, not {type(inspections).__name__}",
            fix="pass the canonical inspections table (data.inspections)",
        )
    missing = [c for c in INSPECTION_COLUMNS if c not in inspections]
    if missing:
        raise InputError(
            f"inspections lack {', '.join(missing)}",
            column=missing[0],
            fix="pass the canonical inspections table (urn, date, grade)",
        )
    if cluster not in CLUSTERS:
        raise InputError(f"cluster={cluster!r} is not one of {CLUSTERS}", fix="use 'partnership'")
    if anticipation < 0:
        raise InputError(f"anticipation={anticipation} is negative", fix="use 0 or more years")


def _censor_joiners(starts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop comparison rows whose pretend start is at or after the school's own joining."""
    late = (starts["joins"] > 0) & (starts["start"] >= starts["joins"])
    record = {
        "step": "comparison start",
        "reason": "comparison school: joined a partnership itself by its pretend start",
        "rows": int(late.sum()),
        "schools": int(starts.loc[late, "urn"].nunique()),
    }
    return starts[~late].reset_index(drop=True), exclusion_frame([record] if late.any() else [])


def _year_start(years: pd.Series) -> pd.Series:
    """1 September at the beginning of each academic year (named by the year it ends)."""
    return pd.to_datetime((years - 1).astype(str) + "-09-01").astype("datetime64[us]")


def _ofsted_pairs(
    starts: pd.DataFrame, inspections: pd.DataFrame, anticipation: int, last_year: int
) -> pd.DataFrame:
    """Each start row with the grade of its last inspection before and first after."""
    graded = inspections.loc[
        inspections["urn"].isin(starts["urn"]) & inspections["grade"].notna(),
        ["urn", "date", "grade"],
    ].astype({"urn": "int64", "date": "datetime64[us]", "grade": "float64"})
    graded = graded.sort_values("date").rename(columns={"date": "seen"})
    rows = starts.assign(
        cut=_year_start(starts["start"] - anticipation),
        begins=_year_start(starts["start"]),
        until=_year_start(
            pd.Series(
                np.where(starts["joins"] > 0, starts["joins"], last_year + 1), index=starts.index
            )
        ),
        urn=starts["urn"].astype("int64"),
    )
    before = pd.merge_asof(
        rows.sort_values("cut"),
        graded,
        left_on="cut",
        right_on="seen",
        by="urn",
        direction="backward",
        allow_exact_matches=False,
    )
    after = pd.merge_asof(
        rows.sort_values("begins"),
        graded,
        left_on="begins",
        right_on="seen",
        by="urn",
        direction="forward",
    )
    keys = ["urn", "start"]
    after = after[after["seen"] < after["until"]]
    out = rows.merge(
        before[[*keys, "seen", "grade"]].rename(columns={"seen": "before_at", "grade": "before"}),
        on=keys,
        how="left",
    ).merge(
        after[[*keys, "seen", "grade"]].rename(columns={"seen": "after_at", "grade": "after"}),
        on=keys,
        how="left",
    )
    out["years_apart"] = (out["after_at"] - out["before_at"]).dt.days / 365.25
    return out.drop(columns=["cut", "begins", "until", "before_at", "after_at"])


def _floor_pairs(
    starts: pd.DataFrame, panel: pd.DataFrame, anticipation: int, last_year: int
) -> pd.DataFrame:
    """Each start row with its last floor-standard result before and first after."""
    known = panel.loc[panel["below_floor"].notna(), ["urn", "year", "below_floor"]]
    known = known.astype({"urn": "int64", "year": "int64", "below_floor": "float64"})
    known = known.rename(columns={"year": "seen"}).sort_values("seen")
    rows = starts.assign(
        cut=(starts["start"] - anticipation).astype("int64"),
        until=np.where(starts["joins"] > 0, starts["joins"], last_year + 1).astype("int64"),
        urn=starts["urn"].astype("int64"),
    )
    before = pd.merge_asof(
        rows.sort_values("cut"),
        known,
        left_on="cut",
        right_on="seen",
        by="urn",
        direction="backward",
        allow_exact_matches=False,
    )
    after = pd.merge_asof(
        rows.sort_values("start"),
        known,
        left_on="start",
        right_on="seen",
        by="urn",
        direction="forward",
    )
    after = after[after["seen"] < after["until"]]
    keys = ["urn", "start"]
    named = {"seen": "before_at", "below_floor": "before"}
    out = rows.merge(before[[*keys, *named]].rename(columns=named), on=keys, how="left")
    named = {"seen": "after_at", "below_floor": "after"}
    out = out.merge(after[[*keys, *named]].rename(columns=named), on=keys, how="left")
    out["years_apart"] = (out["after_at"] - out["before_at"]).astype("float64")
    return out.drop(columns=["cut", "until", "before_at", "after_at"])


def _missing(pairs: pd.DataFrame, source: str) -> pd.DataFrame:
    """Schools (start rows) without a before, an after, or either observation."""
    what = OBSERVATION[source]
    no_before, no_after = pairs["before"].isna(), pairs["after"].isna()
    records = []
    for group in (TREATED, COMPARISON):
        mine = pairs["group"] == group
        for reason, mask in (
            (f"no {what} before the start and none after", no_before & no_after),
            (f"no {what} before the start", no_before & ~no_after),
            (f"no {what} after the start", ~no_before & no_after),
        ):
            mask = mask & mine
            if mask.any():
                records.append(
                    {
                        "step": source,
                        "reason": f"{GROUP_WORDS[group]}: {reason}",
                        "rows": int(mask.sum()),
                        "schools": int(pairs.loc[mask, "urn"].nunique()),
                    }
                )
    return exclusion_frame(records)


def _measure_frame(seen: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The before/after values of one measure (shares in %, grades as they are)."""
    if measure == "good":
        before, after = 100.0 * seen["before"].isin(GOOD), 100.0 * seen["after"].isin(GOOD)
    elif measure == "below_floor":
        before, after = 100.0 * seen["before"], 100.0 * seen["after"]
    else:
        before, after = seen["before"], seen["after"]
    out = seen[["urn", "group", "start", "weight", "partnership", "school", "years_apart"]]
    out = out.assign(measure=measure, before=before, after=after, change=after - before)
    cols = ["measure", "urn", "group", "start", "weight", "partnership", "school"]
    return out[[*cols, "before", "after", "change", "years_apart"]].reset_index(drop=True)


def _not_estimable(
    rows: pd.DataFrame, measure: str, starts: pd.DataFrame, anticipation: int
) -> str:
    """Why ``measure`` has no difference in changes ("" when it has one)."""
    if measure == "below_floor":
        treated = starts.loc[starts["group"] == TREATED, "start"]
        first, last = min(FLOOR_YEARS), max(FLOOR_YEARS)
        if len(treated) and (treated - anticipation).max() <= first:
            return (
                f"the floor standard applied only in {first}-{last}; every start here "
                f"({', '.join(map(str, sorted(treated.unique())))}) is too early for a "
                "floor-standard result before it"
            )
        if len(treated) and treated.min() > last:
            return f"the floor standard applied only in {first}-{last}, before every start here"
    missing = [GROUP_WORDS[g] for g in (TREATED, COMPARISON) if not (rows["group"] == g).any()]
    if missing:
        what = OBSERVATION[SOURCE[measure]]
        return f"no {' and no '.join(missing)} with a {what} both before and after the start"
    return ""


def _estimate(
    rows: pd.DataFrame, measure: str, cluster: str, alpha: float, note: str
) -> pd.DataFrame:
    """The tidy rows of one measure: the difference in changes, then each group's
    before, after and change, each with a cluster-robust interval."""
    label = CLAIM_LABELS[measure]
    counts = {
        f"n_{key}": rows.loc[rows["group"] == group, "urn"].nunique()
        for key, group in (("treated", TREATED), ("comparison", COMPARISON))
    }
    did = {
        "term": f"{label}: difference in changes",
        "measure": measure,
        "group": "partnership minus comparison",
        "statistic": "difference in changes",
        **counts,
        "note": note,
    }
    if note:
        return pd.DataFrame([did])
    treated = (rows["group"] == TREATED).astype(float).to_numpy()
    groups = pd.factorize(rows[cluster])[0]
    few = [g for g in (TREATED, COMPARISON) if rows.loc[rows["group"] == g, cluster].nunique() < 2]
    design = np.column_stack([np.ones(len(rows)), treated])
    fit = _fit(rows["change"], design, rows["weight"], groups, alpha)
    did.update(_row(fit, 1, hide=bool(few)))
    if few:
        did["note"] = f"one cluster of {' and of '.join(GROUP_WORDS[g] for g in few)}: no interval"
    out = [did]
    by_group = np.column_stack([1.0 - treated, treated])
    for statistic in ("before", "after", "change"):
        fit = _fit(rows[statistic], by_group, rows["weight"], groups, alpha)
        for column, group in enumerate((COMPARISON, TREATED)):
            mine = rows["group"] == group
            out.append(
                {
                    "term": f"{label}: {statistic} ({GROUP_WORDS[group]})",
                    "measure": measure,
                    "group": group,
                    "statistic": statistic,
                    **_row(fit, column, hide=group in few),
                    "n_treated": counts["n_treated"] if group == TREATED else 0,
                    "n_comparison": counts["n_comparison"] if group == COMPARISON else 0,
                    "note": "",
                    "years_apart": np.average(
                        rows.loc[mine, "years_apart"], weights=rows.loc[mine, "weight"]
                    ),
                }
            )
    return pd.DataFrame(out)


def _fit(y: pd.Series, x: np.ndarray, w: pd.Series, groups: np.ndarray, alpha: float) -> dict:
    """Weighted least squares with cluster-robust covariance (t on clusters − 1 df)."""
    fit = sm.WLS(y.to_numpy(float), x, weights=w.to_numpy(float)).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    return {"params": fit.params, "bse": fit.bse, "ci": fit.conf_int(alpha)}


def _row(fit: dict, column: int, *, hide: bool) -> dict:
    """One coefficient of a fit as estimate, se, ci_low, ci_high (no interval if ``hide``)."""
    out = {"estimate": float(fit["params"][column])}
    spread = (np.nan, np.nan, np.nan) if hide else (fit["bse"][column], *fit["ci"][column])
    out.update(dict(zip(("se", "ci_low", "ci_high"), map(float, spread), strict=True)))
    return out


def _before_after(schools: pd.DataFrame) -> pd.DataFrame:
    """Per measure and group: schools and the weighted mean before, after, change, gap."""
    frame = schools.assign(
        **{c: schools[c] * schools["weight"] for c in ("before", "after", "change", "years_apart")}
    )
    grouped = frame.groupby(["measure", "group"], sort=False)
    sums = grouped[["before", "after", "change", "years_apart", "weight"]].sum()
    out = sums[["before", "after", "change", "years_apart"]].div(sums["weight"], axis=0)
    out.insert(0, "schools", grouped["urn"].nunique())
    return out.reset_index()
