"""How Ofsted grades move between inspections, for partnership schools and the rest.

Pairs are consecutive graded inspections of the same school (grades 1 outstanding …
4 inadequate; "Satisfactory" is already 3). A pair belongs to the partnership group when
the school was a member of a partnership of the chosen kind on the date of the *later*
inspection, otherwise to the comparison group. A school "moved up" when its later grade
is better (a smaller number).

Transition rows condition on the prior grade already; the summary shares do not, and a
group with more outstanding schools can only stay or move down. With
``match_prior=True`` comparison pairs are reweighted to the partnership pairs' mix of
prior grades, so the difference in shares compares like with like on the prior grade.

A school is inspected several times and can be in both groups (before and after
joining), so pairs are not independent: every interval and test is clustered by school
(cluster-robust variances of the shares and their differences, as a linear probability
model with standard errors clustered by school gives them; Wilson intervals of cell
shares use the effective number of pairs after the design effect of clustering).

This is a descriptive comparison. Schools join partnerships for reasons that also move
their grades: sponsored schools join *because* of a poor grade, so the partnership group
holds more schools whose next grade regresses towards the mean; and from 2012 to 2020
outstanding schools were exempt from routine inspection, so the outstanding schools that
were re-inspected were those giving cause for concern.

The headline is by earlier grade (:func:`rise_by_prior_grade`): an overall "moved up"
share averages schools that were good (who can only reach outstanding) with schools
below good (who have far to climb), and the mix differs between the groups. Time back to
good is in :mod:`.time_to_good`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from partnership_eval.analyses.inspections.history import GROUPS, graded_inspections, member_on
from partnership_eval.analyses.inspections.time_to_good import (
    improvement_curves,
    improvement_summary,
    logrank_test,
    spells_below_good,
)
from partnership_eval.data.store import DataTables
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.exclusions import Counted, concat_exclusions, exclusion, exclusion_frame
from partnership_eval.labels import estimate_words, kinds_label
from partnership_eval.panel import (
    Area,
    academic_year,
    area_schools,
    as_area,
    as_names,
    as_years,
)
from partnership_eval.plots import PALETTE, styled
from partnership_eval.result import HypothesisTest, Result, tidy_frame

GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}
MOVEMENTS = ("up", "same", "down")
MOVEMENT_WORDS = {"up": "moved up", "same": "stayed the same", "down": "moved down"}


def inspection_pairs(
    inspections: pd.DataFrame,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    schools: pd.DataFrame | None = None,
    area: Area = None,
    years: tuple[int, int] | None = None,
) -> Counted:
    """Consecutive graded inspections of each school, with the group of the later one.

    Parameters
    ----------
    inspections, memberships, partnerships
        Canonical tables.
    kind
        Partnership kind(s) whose members form the partnership group.
    schools, area
        Keep schools in these LAs/regions (``schools`` is needed to place them).
    years
        Keep pairs whose later inspection falls in these academic years (inclusive).

    Returns
    -------
    Counted
        urn, prior_date, prior_grade, date, grade, year (academic year of the later
        inspection), gap_years, partnership_id, group ("partnership"/"comparison") and
        movement ("up"/"same"/"down"); the exclusions count dropped rows.
    """
    exclusions: list[dict] = []
    graded = graded_inspections(inspections, exclusions)
    if area is not None:
        if schools is None:
            raise InputError(
                "an area needs the schools table", column="schools", fix="pass schools=data.schools"
            )
        graded = graded[graded["urn"].isin(area_schools(schools, area)["urn"])]
    prior = graded.groupby("urn")[["date", "grade"]].shift(1)
    pairs = graded.assign(prior_date=prior["date"], prior_grade=prior["grade"])
    pairs = pairs[pairs["prior_grade"].notna()].copy()
    pairs["prior_grade"] = pairs["prior_grade"].astype("int64")
    pairs["year"] = academic_year(pairs["date"]).astype("int64")
    if years is not None:
        pairs = pairs[pairs["year"].between(*years)]
    pairs["gap_years"] = (pairs["date"] - pairs["prior_date"]).dt.days / 365.25
    pairs["partnership_id"] = member_on(
        pairs["urn"], pairs["date"], memberships, partnerships, kind
    )
    pairs["group"] = np.where(pairs["partnership_id"].notna(), GROUPS[0], GROUPS[1])
    pairs["movement"] = np.select(
        [pairs["grade"] < pairs["prior_grade"], pairs["grade"] > pairs["prior_grade"]],
        ["up", "down"],
        "same",
    )
    columns = ["urn", "prior_date", "prior_grade", "date", "grade", "year", "gap_years"]
    out = pairs[[*columns, "partnership_id", "group", "movement"]].reset_index(drop=True)
    return Counted(out, exclusion_frame(exclusions, step="inspection pairs"))


def _wilson(
    share: np.ndarray, n_effective: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson interval of ``share`` on ``n_effective`` pairs (missing where there are none)."""
    n = np.asarray(n_effective, dtype="float64")
    safe = np.where(n > 0, n, 1.0)
    low, high = proportion_confint(
        np.asarray(share, dtype="float64") * safe, safe, alpha=alpha, method="wilson"
    )
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def _effective_n(
    share: np.ndarray, var: np.ndarray, n: np.ndarray, schools: np.ndarray
) -> np.ndarray:
    """Pairs divided by the design effect of clustering (never more than the pairs).

    Where the design effect cannot be estimated (a share of 0 or 1, no spread between
    schools, a single school) each school counts as one observation.
    """
    independent = share * (1 - share)
    estimable = (independent > 0) & (var > 0) & (schools > 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(estimable, independent / var, schools)
    return np.minimum(n_eff, n)


def _cluster_variance(scores: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """Cluster-robust variance (CR1) of estimates whose influence scores are ``scores``
    (pairs × estimates): the sum over schools of the squared per-school score sums."""
    sums = pd.DataFrame(scores).groupby(clusters).sum().to_numpy()
    g = len(sums)
    return np.einsum("ci,cj->ij", sums, sums) * (g / (g - 1) if g > 1 else np.nan)


def transition_counts(pairs: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Transition counts and row shares with school-clustered Wilson intervals, by group.

    Returns every group × prior grade × later grade cell (zeros included): group,
    prior_grade, grade, n, row_n, share, ci_low, ci_high. The intervals are Wilson
    intervals on the row's pairs divided by the design effect of repeated inspections of
    the same school.
    """
    full = pd.MultiIndex.from_product(
        [GROUPS, list(GRADES), list(GRADES)], names=["group", "prior_grade", "grade"]
    )
    counts = pairs.groupby(["group", "prior_grade", "grade"]).size().reindex(full, fill_value=0)
    table = counts.rename("n").reset_index()
    table["row_n"] = table.groupby(["group", "prior_grade"])["n"].transform("sum")
    table["share"] = (table["n"] / table["row_n"]).where(table["row_n"] > 0)
    # Per school and row: its pairs (m) and those in each cell (a); the cell share's
    # clustered variance is sum_c (a_c - p m_c)^2 / row_n^2 times G / (G - 1).
    row = ["group", "prior_grade"]
    per_school = pairs.groupby([*row, "urn", "grade"]).size().rename("a").reset_index()
    per_school["m"] = per_school.groupby([*row, "urn"])["a"].transform("sum")
    m2 = (
        per_school.drop_duplicates([*row, "urn"])
        .groupby(row)["m"]
        .agg(m2=lambda m: (m**2).sum(), schools="size")
    )
    cells = per_school.assign(a2=per_school["a"] ** 2, am=per_school["a"] * per_school["m"])
    cells = cells.groupby([*row, "grade"])[["a2", "am"]].sum()
    table = table.merge(cells, on=[*row, "grade"], how="left").merge(m2, on=row, how="left")
    table[["a2", "am"]] = table[["a2", "am"]].fillna(0.0)
    p, n = table["share"].to_numpy(), table["row_n"].to_numpy(dtype="float64")
    g = table["schools"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (table["a2"] - 2 * p * table["am"] + p**2 * table["m2"]).to_numpy() / n**2
        var = var * g / (g - 1)
    table["ci_low"], table["ci_high"] = _wilson(p, _effective_n(p, var, n, g), alpha)
    return table.drop(columns=["a2", "am", "m2", "schools"])


def _strata(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per prior grade: each group's pairs and the partnership share of the shared grades."""
    counts = pd.crosstab(pairs["prior_grade"], pairs["group"]).reindex(
        columns=list(GROUPS), fill_value=0
    )
    out = counts.rename(columns={g: f"n_{g}" for g in GROUPS})
    shared = out[(out["n_partnership"] > 0) & (out["n_comparison"] > 0)]
    out["weight"] = (shared["n_partnership"] / shared["n_partnership"].sum()).reindex(
        out.index, fill_value=0.0
    )
    return out


def pair_weights(pairs: pd.DataFrame, *, match_prior: bool = False) -> np.ndarray:
    """Weight of each pair in the movement shares.

    Unmatched: 1. Matched on prior grade: pairs whose prior grade one group lacks weigh
    0; partnership pairs weigh 1; comparison pairs are reweighted so that their prior
    grades have the partnership pairs' mix.
    """
    if not match_prior:
        return np.ones(len(pairs))
    strata = _strata(pairs)
    used = strata[strata["weight"] > 0]
    scale = used["weight"] * used["n_comparison"].sum() / used["n_comparison"]
    grade_weight = pairs["prior_grade"].map(scale).fillna(0.0).to_numpy()
    partnership = (pairs["group"] == GROUPS[0]).to_numpy()
    return np.where(partnership, (grade_weight > 0).astype(float), grade_weight)


def _movement_estimates(
    pairs: pd.DataFrame, weights: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Weighted up/same/down shares of each group and of their difference, with
    school-clustered covariance matrices (keys: the groups and "difference")."""
    moves = (pairs["movement"].to_numpy()[:, None] == np.array(MOVEMENTS)[None, :]).astype(float)
    clusters = pairs["urn"].to_numpy()
    shares, scores = {}, {}
    for group in GROUPS:
        w = weights * (pairs["group"].to_numpy() == group)
        total = w.sum()
        shares[group] = (w @ moves) / total if total > 0 else np.full(len(MOVEMENTS), np.nan)
        scores[group] = w[:, None] * (moves - shares[group]) / (total if total > 0 else 1.0)
    shares["difference"] = shares[GROUPS[0]] - shares[GROUPS[1]]
    scores["difference"] = scores[GROUPS[0]] - scores[GROUPS[1]]
    used = weights > 0
    variances = {
        key: _cluster_variance(score[used], clusters[used]) for key, score in scores.items()
    }
    return shares, variances


def movement_shares(
    pairs: pd.DataFrame, *, match_prior: bool = False, alpha: float = 0.05
) -> pd.DataFrame:
    """Share of pairs that moved up, stayed and moved down, by group, with intervals.

    Wilson intervals on the effective number of pairs (school-clustered). With
    ``match_prior`` only prior grades both groups have count and comparison pairs are
    reweighted to the partnership pairs' prior grades (see :func:`pair_weights`).
    Returns group, movement, count (pairs; missing for the reweighted comparison), n,
    share, ci_low, ci_high, matched.
    """
    weights = pair_weights(pairs, match_prior=match_prior)
    shares, variances = _movement_estimates(pairs, weights)
    parts = []
    for group in GROUPS:
        mine = (pairs["group"] == group).to_numpy() & (weights > 0)
        n = int(mine.sum())
        share = shares[group]
        schools = pairs.loc[mine, "urn"].nunique()
        n_eff = _effective_n(share, np.diag(variances[group]), n, schools)
        low, high = _wilson(share, n_eff, alpha)
        reweighted = match_prior and group == GROUPS[1]
        counts = pairs.loc[mine, "movement"].value_counts().reindex(list(MOVEMENTS), fill_value=0)
        parts.append(
            pd.DataFrame(
                {
                    "group": group,
                    "movement": list(MOVEMENTS),
                    "count": pd.array([pd.NA] * 3 if reweighted else counts.to_numpy(), "Int64"),
                    "n": n,
                    "share": share,
                    "ci_low": low,
                    "ci_high": high,
                    "matched": reweighted,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def movement_difference(
    pairs: pd.DataFrame, *, match_prior: bool = False, alpha: float = 0.05
) -> pd.DataFrame:
    """Partnership minus comparison share for moved up, stayed and moved down.

    The difference of (weighted) shares, as the coefficient of a linear probability
    model on the group, with standard errors clustered by school (a school's pairs are
    not independent, and a school can be in both groups) and normal intervals. Matched
    on prior grade: comparison pairs reweighted to the partnership prior-grade mix
    (see :func:`pair_weights`); partnership pairs whose prior grade has no comparison
    pair get weight 0 (:func:`grade_transitions` counts them among its exclusions).

    Returns movement, partnership, comparison, difference, se, ci_low, ci_high,
    n_partnership, n_comparison (pairs) and n_schools (clusters).
    """
    groups = pairs["group"].value_counts()
    if any(groups.get(group, 0) == 0 for group in GROUPS):
        raise EstimationError(
            f"cannot compare grade movements: {groups.get(GROUPS[0], 0)} partnership and "
            f"{groups.get(GROUPS[1], 0)} comparison inspection pairs; widen the area or "
            "years, or choose another kind"
        )
    weights = pair_weights(pairs, match_prior=match_prior)
    shares, variances = _movement_estimates(pairs, weights)
    used = weights > 0
    z = stats.norm.ppf(1 - alpha / 2)
    se = np.sqrt(np.diag(variances["difference"]))
    diff = shares["difference"]
    table = pd.DataFrame(
        {
            "movement": list(MOVEMENTS),
            "partnership": shares[GROUPS[0]],
            "comparison": shares[GROUPS[1]],
            "difference": diff,
            "se": se,
            "ci_low": np.maximum(diff - z * se, -1.0),
            "ci_high": np.minimum(diff + z * se, 1.0),
            "n_partnership": int((used & (pairs["group"] == GROUPS[0]).to_numpy()).sum()),
            "n_comparison": int((used & (pairs["group"] == GROUPS[1]).to_numpy()).sum()),
            "n_schools": int(pairs.loc[used, "urn"].nunique()),
        }
    )
    return table


PRIOR_GRADES_THAT_CAN_RISE = (2, 3, 4)
HEADLINE_PRIOR = 3
"""The headline compares schools whose earlier grade was requires improvement: the
programme's claim (RI → good) and the group whose next grade partnership work targets."""


def rise_by_prior_grade(pairs: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Partnership minus comparison share moving up, separately for each earlier grade
    that can rise (good, requires improvement, inadequate); clustered by school.

    Returns prior_grade, partnership, comparison, difference, se, ci_low, ci_high,
    n_partnership, n_comparison, n_schools; missing where a group has no such pair.
    """
    rows = []
    for grade in PRIOR_GRADES_THAT_CAN_RISE:
        subset = pairs[pairs["prior_grade"] == grade]
        try:
            up = movement_difference(subset, alpha=alpha).set_index("movement").loc["up"]
        except EstimationError:
            up = pd.Series(np.nan, index=["difference"])
        rows.append({"prior_grade": grade, **up.to_dict()})
    return pd.DataFrame(rows)


def distribution_test(pairs: pd.DataFrame, *, match_prior: bool = False) -> HypothesisTest:
    """Test whether grade movements (up/same/down) differ between the groups.

    A Wald test that the shares moving up and moving down (hence also staying) are the
    same in both groups, with the school-clustered covariance of the differences (see
    :func:`movement_difference`); with ``match_prior`` the comparison is reweighted to
    the partnership prior grades. Chi-square on 2 degrees of freedom (fewer when a
    movement never occurs).

    ``n`` counts pairs, ``n_clusters`` schools.
    """
    weights = pair_weights(pairs, match_prior=match_prior)
    shares, variances = _movement_estimates(pairs, weights)
    keep = [MOVEMENTS.index("up"), MOVEMENTS.index("down")]
    diff = shares["difference"][keep]
    cov = variances["difference"][np.ix_(keep, keep)]
    n_schools = int(pairs.loc[weights > 0, "urn"].nunique())
    method = "Wald test of the up and down shares, clustered by school"
    if match_prior:
        method += ", comparison reweighted to partnership prior grades"
    df = int(np.linalg.matrix_rank(cov)) if np.isfinite(cov).all() else 0
    if df == 0:
        return HypothesisTest(np.nan, 0, np.nan, "none", len(pairs), n_schools)
    statistic = float(diff @ np.linalg.pinv(cov) @ diff)
    p_value = float(stats.chi2.sf(statistic, df))
    return HypothesisTest(statistic, df, p_value, method, len(pairs), n_schools)


@dataclass(frozen=True)
class TransitionsSpec:
    """What was compared: partnership kind, area, years, prior-grade matching, level."""

    kind: tuple[str, ...]
    area: str | tuple[str, ...] | None
    years: tuple[int, int] | None
    match_prior: bool
    alpha: float


@dataclass(frozen=True)
class GradeTransitions(Result):
    """Grade transitions of partnership and comparison schools, and time to good.

    ``pairs`` (see :func:`inspection_pairs`), ``counts`` (see :func:`transition_counts`),
    ``movement`` (see :func:`movement_shares`), ``difference`` (see
    :func:`movement_difference`), ``test`` (see :func:`distribution_test`), ``spells``,
    ``curves``, ``improvement`` and ``logrank`` for time to good, and ``exclusions``.
    """

    spec: TransitionsSpec
    pairs: pd.DataFrame
    counts: pd.DataFrame
    movement: pd.DataFrame
    difference: pd.DataFrame
    by_prior: pd.DataFrame
    test: HypothesisTest
    spells: pd.DataFrame
    curves: pd.DataFrame
    improvement: pd.DataFrame
    logrank: HypothesisTest
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    title = "Ofsted grade transitions"
    headline_label = (
        "difference in the % of inspections after a requires-improvement grade that found "
        "the school good or better, percentage points (partnership minus comparison; "
        "interval clustered by school)"
    )

    def tidy(self) -> pd.DataFrame:
        """Partnership minus comparison share moving up by earlier grade (requires
        improvement first: the headline), then moving up, staying and moving down over
        all earlier grades; percentage points."""
        by_prior = self.by_prior.sort_values(
            "prior_grade", key=lambda g: (g != HEADLINE_PRIOR).astype(int), kind="stable"
        ).assign(movement="up")
        words = "moved up from " + by_prior["prior_grade"].map(GRADES).str.lower()
        d = pd.concat(
            [
                by_prior.assign(term=words),
                self.difference.assign(
                    term="all earlier grades: " + self.difference["movement"].map(MOVEMENT_WORDS)
                ),
            ],
            ignore_index=True,
        )
        return tidy_frame(
            pd.DataFrame(
                {
                    "term": d["term"],
                    "estimate": 100 * d["difference"],
                    "se": 100 * d["se"],
                    "ci_low": 100 * d["ci_low"],
                    "ci_high": 100 * d["ci_high"],
                    "n_treated": d["n_partnership"],
                    "n_comparison": d["n_comparison"],
                    "n_schools": d["n_schools"],
                }
            ),
            alpha=self.alpha,
        )

    def finding(self) -> str:
        """The headline in bold, then how it differs with the earlier grade."""
        rows = self.by_prior.set_index("prior_grade")
        lines = []
        for grade in (
            HEADLINE_PRIOR,
            *[g for g in PRIOR_GRADES_THAT_CAN_RISE if g != HEADLINE_PRIOR],
        ):
            up = rows.loc[grade]
            name = GRADES[grade].lower()
            if not np.isfinite(up["difference"]):
                lines.append(f"After a {name} grade: too few inspections in one group to compare.")
                continue
            text = (
                f"after a {name} grade, partnership schools' next inspection found them better "
                f"in {up['partnership']:.0%} of cases against {up['comparison']:.0%} for "
                f"comparison schools: {up['difference'] * 100:+.1f} percentage points "
                f"({self.level} CI {up['ci_low'] * 100:+.1f} to {up['ci_high'] * 100:+.1f}, "
                f"clustered by school; {int(up['n_schools']):,} schools)."
            )
            lines.append(
                f"**{text[0].upper()}{text[1:]}**"
                if grade == HEADLINE_PRIOR
                else text[0].upper() + text[1:]
            )
        lines.append(
            "The overall difference mixes these: a school already good can move up only to "
            "outstanding, one below good has much further to climb, so it is shown by earlier "
            "grade."
        )
        return "\n\n".join(lines)

    def findings(self) -> list[str]:
        """The report's "What we found": the requires-improvement comparison in words."""
        up = self.by_prior.set_index("prior_grade").loc[HEADLINE_PRIOR]
        kinds = kinds_label(self.spec.kind)
        if not np.isfinite(up["difference"]):
            head = (
                "There were too few inspections after a requires-improvement grade in one of "
                "the groups to compare them."
            )
        else:
            diff = estimate_words(
                100 * up["difference"],
                100 * up["ci_low"],
                100 * up["ci_high"],
                self.level,
                "percentage points",
            )
            head = (
                f"After a requires-improvement grade, {up['partnership']:.0%} of the next "
                f"inspections of schools in {kinds} found them good or better, against "
                f"{up['comparison']:.0%} for other schools: a difference of {diff}."
            )
        after = int(up["n_partnership"] + up["n_comparison"])
        return [
            head,
            f"It rests on {after:,} inspections that followed a requires-improvement grade, "
            f"at {int(up['n_schools']):,} schools, with each school's group fixed by its "
            "membership on the day of the later inspection.",
            "Schools that joined after a poor grade tend to improve anyway, and outstanding "
            "schools were long exempt from re-inspection, so the difference describes; it "
            "does not show what partnership caused.",
        ]

    def matrix(self, group: str = "partnership", value: str = "share") -> pd.DataFrame:
        """Prior grade (rows) × later grade (columns) of ``value`` ("n" or "share")."""
        if group not in GROUPS:
            raise InputError(f"group must be one of {GROUPS}, got {group!r}", column="group")
        cells = self.counts[self.counts["group"] == group]
        table = cells.pivot(index="prior_grade", columns="grade", values=value)
        return table.rename(index=GRADES, columns=GRADES)

    def summary(self) -> str:
        """The comparison in plain words."""
        matched = self.spec.match_prior
        share = self.movement.set_index(["group", "movement"])["share"]
        n = self.movement.groupby("group")["n"].first()
        lines = []
        for group in GROUPS:
            words = ", ".join(f"{share[(group, m)]:.0%} {MOVEMENT_WORDS[m]}" for m in MOVEMENTS)
            weighted = (
                " (reweighted to the partnership schools' prior grades)"
                if (matched and group == GROUPS[1])
                else ""
            )
            lines.append(f"Of {n[group]} {group} inspections{weighted}: {words}.")
        up = self.difference.set_index("movement").loc["up"]
        lines.append(
            f"Partnership schools moved up {abs(up['difference']) * 100:.1f} percentage points "
            f"{'more' if up['difference'] >= 0 else 'less'} often than comparison schools "
            f"(difference {up['difference']:+.1%}, {self.level} CI {up['ci_low']:+.1%} to "
            f"{up['ci_high']:+.1%}, clustered by school: {int(up['n_schools']):,} schools)."
        )
        lines.append(f"Test that movements differ: {self.test.summary()}.")
        for row in self.improvement.itertuples():
            median = (
                f"median {row.median_years:.1f} years"
                if np.isfinite(row.median_years)
                else "median not reached"
            )
            lines.append(
                f"{row.group.capitalize()} spells below good: {row.spells}, "
                f"{row.improved} reached good; {median}."
            )
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None, *, group: str = GROUPS[0]) -> Axes:
        """Heatmap of one group's transition shares, annotated with the counts."""
        shares = self.matrix(group, "share")
        counts = self.matrix(group, "n")
        labels = shares.map(lambda v: "" if pd.isna(v) else f"{v:.0%}") + counts.map(
            lambda v: f"\n(n={v})"
        )
        with styled(ax) as ax:
            sns.heatmap(
                shares.astype(float),
                annot=labels.to_numpy(),
                fmt="",
                vmin=0,
                vmax=1,
                cmap="Blues",
                ax=ax,
            )
            ax.set(
                title=f"{group.capitalize()} schools", xlabel="later grade", ylabel="earlier grade"
            )
        return ax

    def plot_movement(self, ax: Axes | None = None) -> Axes:
        """Shares moving up, staying and moving down by group, with intervals."""
        table = self.movement.assign(movement=self.movement["movement"].map(MOVEMENT_WORDS))
        with styled(ax) as ax:
            sns.barplot(
                data=table,
                x="movement",
                y="share",
                hue="group",
                ax=ax,
                errorbar=None,
                palette=PALETTE,
            )
            for patch_group, group in zip(ax.containers, GROUPS, strict=False):
                rows = table[table["group"] == group]
                centres = [bar.get_x() + bar.get_width() / 2 for bar in patch_group]
                ax.errorbar(
                    centres,
                    rows["share"],
                    yerr=[rows["share"] - rows["ci_low"], rows["ci_high"] - rows["share"]],
                    fmt="none",
                    color="black",
                    capsize=3,
                )
            ax.set(
                xlabel="",
                ylabel="share of inspections",
                title=f"Grade movement ({self.level} intervals)",
            )
            ax.legend(frameon=False)
        return ax

    def plot_time_to_good(self, ax: Axes | None = None) -> Axes:
        """Kaplan–Meier share of spells below good that reached good, by group."""
        colours = sns.color_palette(PALETTE)
        with styled(ax) as ax:
            for i, (group, curve) in enumerate(self.curves.groupby("group", sort=False)):
                ax.step(
                    curve["years"], curve["improved"], where="post", color=colours[i], label=group
                )
                ax.fill_between(
                    curve["years"],
                    curve["ci_low"],
                    curve["ci_high"],
                    step="post",
                    color=colours[i],
                    alpha=0.2,
                )
            ax.set(
                xlabel="years since the grade fell below good",
                ylabel="share back to good or better",
                ylim=(0, 1),
                title=f"Time to improvement ({self.level} intervals)",
            )
            ax.legend(frameon=False)
        return ax


def grade_transitions(
    data: DataTables,
    kind: str | Sequence[str] = "mat",
    *,
    area: Area = None,
    years: tuple[int, int] | None = None,
    match_prior: bool = True,
    alpha: float = 0.05,
    seed: int = 0,
) -> GradeTransitions:
    """Grade transitions, movement shares and time to good for partnership vs comparison.

    Parameters
    ----------
    data
        Canonical tables.
    kind
        Partnership kind(s) whose members form the partnership group.
    area
        LA name(s)/code(s) or region(s); all of England when None.
    years
        Academic years of the later inspection (and of the start of spells below good).
    match_prior
        Reweight comparison schools to the partnership schools' mix of prior grades.
    alpha
        1 - confidence level of intervals.
    seed
        Seed of the bootstrap over schools behind the time-to-good intervals and test.

    Examples
    --------
    >>> res = grade_transitions(read_tables("data/processed"), kind="mat")  # doctest: +SKIP
    >>> print(res.summary())  # doctest: +SKIP
    """
    tables = (data.memberships, data.partnerships)
    pairs, pair_exclusions = inspection_pairs(
        data.inspections, *tables, kind, schools=data.schools, area=area, years=years
    )
    counts = pairs["group"].value_counts()
    if any(counts.get(group, 0) == 0 for group in GROUPS):
        raise EstimationError(
            f"no inspection pairs for one group (partnership: {counts.get(GROUPS[0], 0)}, "
            f"comparison: {counts.get(GROUPS[1], 0)}) for kind {kind!r}, area {area!r}, "
            f"years {years!r}; widen the area or years, or choose another kind"
        )
    spells, spell_exclusions = spells_below_good(
        data.inspections, *tables, kind, schools=data.schools, area=area, years=years
    )
    curves = improvement_curves(spells, alpha=alpha, seed=seed)
    difference = movement_difference(pairs, match_prior=match_prior, alpha=alpha)
    exclusions = []
    if match_prior:
        compared = pairs.loc[pairs["group"] == GROUPS[1], "prior_grade"].unique()
        lost = (pairs["group"] == GROUPS[0]) & ~pairs["prior_grade"].isin(compared)
        if lost[pairs["group"] == GROUPS[0]].all():
            raise EstimationError(
                "no prior grade has both partnership and comparison inspection pairs, so "
                "matching on prior grade leaves nothing to compare; use match_prior=False "
                "or widen the area or years"
            )
        if lost.any():
            exclusions.append(
                exclusion(
                    "partnership pair whose prior grade no comparison pair has "
                    "(left out of the matched comparison)",
                    pairs,
                    lost,
                )
            )
    spec = TransitionsSpec(
        kind=as_names(kind),
        area=as_area(area),
        years=as_years(years),
        match_prior=match_prior,
        alpha=alpha,
    )
    return GradeTransitions(
        spec=spec,
        pairs=pairs,
        counts=transition_counts(pairs, alpha=alpha),
        movement=movement_shares(pairs, match_prior=match_prior, alpha=alpha),
        difference=difference,
        by_prior=rise_by_prior_grade(pairs, alpha=alpha),
        test=distribution_test(pairs, match_prior=match_prior),
        spells=spells,
        curves=curves,
        improvement=improvement_summary(spells, curves),
        logrank=logrank_test(spells, seed=seed),
        exclusions=concat_exclusions(
            pair_exclusions,
            exclusion_frame(exclusions, step="matching on prior grade"),
            spell_exclusions,
        ),
    )
