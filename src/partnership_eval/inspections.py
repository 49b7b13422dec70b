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
This is a descriptive comparison: schools join partnerships for reasons that may also
move their grades.

Time to improvement follows spells below good: a spell starts at an inspection graded
requires improvement or inadequate that follows a good-or-better grade (or no grade) and
ends at the next inspection graded good or better; spells still open are censored at the
last inspection date in the data. The group is membership when the spell starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from partnership_eval.data.schema import PARTNERSHIP_KINDS
from partnership_eval.data.store import DataTables
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.panel import Area, academic_year, area_schools

GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}
GROUPS = ("partnership", "comparison")
MOVEMENTS = ("up", "same", "down")
MOVEMENT_WORDS = {"up": "moved up", "same": "stayed the same", "down": "moved down"}


def _exclusion(reason: str, frame: pd.DataFrame, mask: pd.Series) -> dict:
    return {
        "reason": reason,
        "rows": int(mask.sum()),
        "schools": int(frame.loc[mask, "urn"].nunique()),
    }


def member_on(
    urns: pd.Series,
    dates: pd.Series,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str],
) -> pd.Series:
    """The partnership of ``kind`` each school belonged to on each date (missing if none).

    A school is a member from its joining date until the day before it left. Where a
    school belonged to several, the one it joined first is given.
    """
    kinds = [kind] if isinstance(kind, str) else list(kind)
    unknown = sorted(set(kinds) - set(PARTNERSHIP_KINDS))
    if unknown:
        raise PartnershipEvalError(
            f"unknown partnership kind(s) {unknown} (parameter kind); "
            f"choose from {', '.join(PARTNERSHIP_KINDS)}"
        )
    ids = partnerships.loc[partnerships["kind"].isin(kinds), "partnership_id"]
    spans = memberships.loc[
        memberships["partnership_id"].isin(ids), ["urn", "partnership_id", "joined", "left"]
    ]
    events = pd.DataFrame(
        {"urn": urns.to_numpy(), "date": dates.to_numpy(), "row": np.arange(len(urns))}
    )
    hits = events.merge(spans, on="urn")
    active = (hits["joined"] <= hits["date"]) & ~(hits["left"] <= hits["date"]).fillna(
        False
    ).astype(bool)
    first = hits[active].sort_values(["row", "joined"]).drop_duplicates("row")
    out = pd.Series(pd.NA, index=range(len(urns)), dtype="str")
    out.iloc[first["row"].to_numpy()] = first["partnership_id"].to_numpy()
    return out.set_axis(urns.index)


def _graded(inspections: pd.DataFrame, exclusions: list[dict]) -> pd.DataFrame:
    ungraded = inspections["grade"].isna()
    if ungraded.any():
        exclusions.append(_exclusion("inspection without a grade", inspections, ungraded))
    graded = inspections[~ungraded]
    # Two graded inspections of one school on one day (e.g. two kinds): keep the worse.
    same_day = graded.duplicated(["urn", "date"], keep=False)
    ordered = graded.sort_values(["urn", "date", "grade"])
    dup = ordered.duplicated(["urn", "date"], keep="last")
    if same_day.any():
        exclusions.append(
            _exclusion("second graded inspection on the same day (worse grade kept)", ordered, dup)
        )
    return ordered[~dup].astype({"grade": "int64"}).reset_index(drop=True)


def inspection_pairs(
    inspections: pd.DataFrame,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    schools: pd.DataFrame | None = None,
    area: Area = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
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
    DataFrame
        urn, prior_date, prior_grade, date, grade, year (academic year of the later
        inspection), gap_years, partnership_id, group ("partnership"/"comparison") and
        movement ("up"/"same"/"down"). ``attrs["exclusions"]`` counts dropped rows.
    """
    exclusions: list[dict] = []
    graded = _graded(inspections, exclusions)
    if area is not None:
        if schools is None:
            raise PartnershipEvalError("an area needs the schools table (parameter schools)")
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
    out.attrs["exclusions"] = exclusions
    return out


def _wilson(count: pd.Series, nobs: pd.Series, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    low, high = proportion_confint(
        count.to_numpy(), np.maximum(nobs.to_numpy(), 1), alpha=alpha, method="wilson"
    )
    empty = nobs.to_numpy() == 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def transition_counts(pairs: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Transition counts and row shares with Wilson intervals, by group.

    Returns every group × prior grade × later grade cell (zeros included): group,
    prior_grade, grade, n, row_n, share, ci_low, ci_high.
    """
    full = pd.MultiIndex.from_product(
        [GROUPS, list(GRADES), list(GRADES)], names=["group", "prior_grade", "grade"]
    )
    counts = pairs.groupby(["group", "prior_grade", "grade"]).size().reindex(full, fill_value=0)
    table = counts.rename("n").reset_index()
    table["row_n"] = table.groupby(["group", "prior_grade"])["n"].transform("sum")
    table["share"] = (table["n"] / table["row_n"]).where(table["row_n"] > 0)
    table["ci_low"], table["ci_high"] = _wilson(table["n"], table["row_n"], alpha)
    return table


def movement_shares(
    pairs: pd.DataFrame, *, match_prior: bool = False, alpha: float = 0.05
) -> pd.DataFrame:
    """Share of pairs that moved up, stayed and moved down, by group, with intervals.

    Shares use Wilson intervals. With ``match_prior`` only prior grades both groups have
    count, and the comparison shares are the partnership prior-grade mix applied to the
    comparison's shares within each prior grade, with a normal interval (clipped to
    [0, 1]) from the stratified variance.
    """
    rows = []
    strata = _strata(pairs)
    used = strata[strata["weight"] > 0]
    z = stats.norm.ppf(1 - alpha / 2)
    for group in GROUPS:
        for movement in MOVEMENTS:
            if match_prior and group == GROUPS[1]:
                share, se = _matched_share(strata, movement)
                n = int(used["n_comparison"].sum())
                low, high = max(share - z * se, 0.0), min(share + z * se, 1.0)
                rows.append((group, movement, np.nan, n, share, low, high))
                continue
            source = used if match_prior else strata
            count = int(source[f"{group}_{movement}"].sum())
            n = int(source[f"n_{group}"].sum())
            ci = _wilson(pd.Series([count]), pd.Series([n]), alpha)
            rows.append((group, movement, count, n, count / n if n else np.nan, ci[0][0], ci[1][0]))
    table = pd.DataFrame(
        rows, columns=["group", "movement", "count", "n", "share", "ci_low", "ci_high"]
    )
    table["matched"] = match_prior & (table["group"] == GROUPS[1])
    return table


def _strata(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per prior grade: group sizes, partnership weight and each group's movement counts."""
    counts = pd.crosstab([pairs["prior_grade"]], [pairs["group"], pairs["movement"]]).reindex(
        columns=pd.MultiIndex.from_product([GROUPS, MOVEMENTS]), fill_value=0
    )
    out = pd.DataFrame(index=counts.index)
    for group in GROUPS:
        out[f"n_{group}"] = counts[group].sum(axis=1)
        for movement in MOVEMENTS:
            out[f"{group}_{movement}"] = counts[(group, movement)]
    matched = out[(out["n_partnership"] > 0) & (out["n_comparison"] > 0)]
    out["weight"] = (matched["n_partnership"] / matched["n_partnership"].sum()).reindex(
        out.index, fill_value=0.0
    )
    return out


def _matched_share(strata: pd.DataFrame, movement: str) -> tuple[float, float]:
    used = strata[strata["weight"] > 0]
    p = used[f"comparison_{movement}"] / used["n_comparison"]
    share = float((used["weight"] * p).sum())
    var = float((used["weight"] ** 2 * p * (1 - p) / used["n_comparison"]).sum())
    return share, np.sqrt(var)


def movement_difference(
    pairs: pd.DataFrame, *, match_prior: bool = False, alpha: float = 0.05
) -> pd.DataFrame:
    """Partnership minus comparison share for moved up, stayed and moved down.

    Unmatched: Newcombe's hybrid score interval. Matched on prior grade: both shares are
    taken over the prior grades that both groups have (partnership mix), with a normal
    interval from the stratified variances; partnership pairs whose prior grade has no
    comparison pair are left out and counted in ``attrs["unmatched"]``.

    Returns movement, partnership, comparison, difference, se, ci_low, ci_high,
    n_partnership, n_comparison.
    """
    z = stats.norm.ppf(1 - alpha / 2)
    strata = _strata(pairs)
    unmatched = int(strata.loc[strata["n_comparison"] == 0, "n_partnership"].sum())
    rows = []
    for movement in MOVEMENTS:
        if match_prior:
            used = strata[strata["weight"] > 0]
            n_t = int(used["n_partnership"].sum())
            p_t = float(used[f"partnership_{movement}"].sum() / n_t) if n_t else np.nan
            p_c, se_c = _matched_share(strata, movement)
            se = float(np.sqrt(p_t * (1 - p_t) / n_t + se_c**2)) if n_t else np.nan
            diff = p_t - p_c
            low, high = max(diff - z * se, -1.0), min(diff + z * se, 1.0)
            n_c = int(used["n_comparison"].sum())
        else:
            n_t = int(strata["n_partnership"].sum())
            n_c = int(strata["n_comparison"].sum())
            c_t = int(strata[f"partnership_{movement}"].sum())
            c_c = int(strata[f"comparison_{movement}"].sum())
            if n_t == 0 or n_c == 0:
                raise PartnershipEvalError(
                    f"cannot compare grade movements: {n_t} partnership and {n_c} comparison "
                    "inspection pairs; widen the area or years, or choose another kind"
                )
            p_t, p_c = c_t / n_t, c_c / n_c
            diff = p_t - p_c
            se = float(np.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c))
            low, high = confint_proportions_2indep(
                c_t, n_t, c_c, n_c, method="newcomb", compare="diff", alpha=alpha
            )
        rows.append((movement, p_t, p_c, diff, se, float(low), float(high), n_t, n_c))
    table = pd.DataFrame(
        rows,
        columns=[
            "movement",
            "partnership",
            "comparison",
            "difference",
            "se",
            "ci_low",
            "ci_high",
            "n_partnership",
            "n_comparison",
        ],
    )
    table.attrs["unmatched"] = unmatched if match_prior else 0
    return table


def _chi_square(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson statistic of stacked 2-D tables (..., rows, cols) over non-empty margins."""
    total = table.sum(axis=(-2, -1), keepdims=True)
    expected = table.sum(axis=-1, keepdims=True) * table.sum(axis=-2, keepdims=True)
    expected = np.divide(expected, total, out=np.zeros_like(expected), where=total > 0)
    cells = np.divide(
        (table - expected) ** 2, expected, out=np.zeros_like(expected), where=expected > 0
    )
    return cells.sum(axis=(-2, -1)), expected


def distribution_test(
    pairs: pd.DataFrame,
    *,
    match_prior: bool = False,
    n_permutations: int = 1999,
    seed: int = 0,
    max_exact_n: int = 20_000,
) -> dict:
    """Test whether grade movements (up/same/down) differ between the groups.

    Unmatched: Pearson chi-square on the group × movement table. Matched on prior grade:
    the sum of the chi-squares within prior grades (degrees of freedom add up). When an
    expected count is below 5 and there are at most ``max_exact_n`` pairs, the p-value is
    a permutation p-value (group labels shuffled within prior grades).

    Returns statistic, df, p_value, method, n.
    """
    strata = pairs["prior_grade"].to_numpy() if match_prior else np.zeros(len(pairs), int)
    s_codes, s_index = np.unique(strata, return_inverse=True)
    g_index = (pairs["group"].to_numpy() == GROUPS[1]).astype(int)
    m_index = pd.Categorical(pairs["movement"], categories=MOVEMENTS).codes.astype(int)
    n_s = len(s_codes)

    def tables(groups: np.ndarray) -> np.ndarray:
        flat = (s_index * 2 + groups) * 3 + m_index
        if groups.ndim == 1:
            return np.bincount(flat, minlength=n_s * 6).reshape(n_s, 2, 3).astype(float)
        offset = np.arange(groups.shape[0])[:, None] * n_s * 6
        counts = np.bincount((flat + offset).ravel(), minlength=groups.shape[0] * n_s * 6)
        return counts.reshape(groups.shape[0], n_s, 2, 3).astype(float)

    observed = tables(g_index)
    per_stratum, expected = _chi_square(observed)
    statistic = float(per_stratum.sum())
    rows = (observed.sum(axis=2) > 0).sum(axis=1)
    cols = (observed.sum(axis=1) > 0).sum(axis=1)
    df = int(np.clip((rows - 1) * (cols - 1), 0, None).sum())
    small = bool(((expected > 0) & (expected < 5)).any())
    if df == 0:
        return {
            "statistic": statistic,
            "df": 0,
            "p_value": np.nan,
            "method": "none",
            "n": len(pairs),
        }
    if small and len(pairs) <= max_exact_n:
        rng = np.random.default_rng(seed)
        keys = s_index[None, :] + rng.random((n_permutations, len(pairs)))
        order = np.argsort(keys, axis=1)
        base = np.argsort(s_index, kind="stable")
        shuffled = np.empty_like(order)
        np.put_along_axis(shuffled, base[None, :].repeat(n_permutations, 0), order, axis=1)
        drawn = _chi_square(tables(g_index[shuffled]))[0].sum(axis=1)
        p_value = float((1 + (drawn >= statistic - 1e-9).sum()) / (n_permutations + 1))
        method = f"permutation ({n_permutations} draws)"
    else:
        p_value = float(stats.chi2.sf(statistic, df))
        method = "chi-square"
    if match_prior:
        method += ", stratified by prior grade"
    return {"statistic": statistic, "df": df, "p_value": p_value, "method": method, "n": len(pairs)}


def spells_below_good(
    inspections: pd.DataFrame,
    memberships: pd.DataFrame,
    partnerships: pd.DataFrame,
    kind: str | Sequence[str] = "mat",
    *,
    schools: pd.DataFrame | None = None,
    area: Area = None,
    years: tuple[int, int] | None = None,
    censor_date: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Spells below good and how long each took to reach good or better.

    Returns urn, start, start_grade, end (the good-or-better inspection or the censoring
    date), years, improved (bool), partnership_id and group (membership at the start).
    ``years`` keeps spells starting in those academic years; ``censor_date`` defaults to
    the last inspection date in the data.
    """
    exclusions: list[dict] = []
    graded = _graded(inspections, exclusions)
    if censor_date is None:
        censor_date = graded["date"].max()
    if area is not None:
        if schools is None:
            raise PartnershipEvalError("an area needs the schools table (parameter schools)")
        graded = graded[graded["urn"].isin(area_schools(schools, area)["urn"])]
    below = graded["grade"] >= 3
    previous_below = below.groupby(graded["urn"]).shift(1, fill_value=False).astype(bool)
    starts = below & ~previous_below
    # The first good-or-better inspection at or after each row, within the school.
    next_good = graded["date"].where(~below).groupby(graded["urn"]).bfill()
    spells = graded.loc[starts, ["urn", "date", "grade"]].rename(
        columns={"date": "start", "grade": "start_grade"}
    )
    spells["improved"] = next_good[starts].notna().to_numpy()
    spells["end"] = next_good[starts].fillna(censor_date).to_numpy()
    spells = spells[spells["start"] <= censor_date]
    if years is not None:
        spells = spells[academic_year(spells["start"]).between(*years)]
    spells["years"] = (spells["end"] - spells["start"]).dt.days / 365.25
    spells["partnership_id"] = member_on(
        spells["urn"], spells["start"], memberships, partnerships, kind
    )
    spells["group"] = np.where(spells["partnership_id"].notna(), GROUPS[0], GROUPS[1])
    out = spells[
        ["urn", "start", "start_grade", "end", "years", "improved", "partnership_id", "group"]
    ].reset_index(drop=True)
    out.attrs["exclusions"] = exclusions
    out.attrs["censor_date"] = censor_date
    return out


def improvement_curves(spells: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan–Meier share of spells that reached good, by group, with log-log intervals.

    Returns group, years, improved (1 − survival), ci_low, ci_high, at_risk; the first
    row of each group is time 0.
    """
    z = stats.norm.ppf(1 - alpha / 2)
    parts = []
    for group in GROUPS:
        mine = spells[spells["group"] == group]
        if mine.empty:
            continue
        fit = SurvfuncRight(mine["years"].to_numpy(), mine["improved"].astype(int).to_numpy())
        surv, se = fit.surv_prob, fit.surv_prob_se
        with np.errstate(divide="ignore", invalid="ignore"):
            log_log_se = se / (surv * np.abs(np.log(surv)))
            upper_s = surv ** np.exp(-z * log_log_se)
            lower_s = surv ** np.exp(z * log_log_se)
        ok = (surv > 0) & (surv < 1)
        parts.append(
            pd.DataFrame(
                {
                    "group": group,
                    "years": np.r_[0.0, fit.surv_times],
                    "improved": np.r_[0.0, 1 - surv],
                    "ci_low": np.r_[0.0, np.where(ok, 1 - upper_s, 1 - surv)],
                    "ci_high": np.r_[0.0, np.where(ok, 1 - lower_s, 1 - surv)],
                    "at_risk": np.r_[len(mine), fit.n_risk],
                }
            )
        )
    columns = ["group", "years", "improved", "ci_low", "ci_high", "at_risk"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def improvement_summary(
    spells: pd.DataFrame, curves: pd.DataFrame, *, horizons: Sequence[float] = (2.0, 3.0)
) -> pd.DataFrame:
    """Per group: spells, how many improved, median years to good and share by horizons."""
    rows = []
    for group in GROUPS:
        mine = spells[spells["group"] == group]
        curve = curves[curves["group"] == group]
        row: dict = {"group": group, "spells": len(mine), "improved": int(mine["improved"].sum())}
        reached = curve.loc[curve["improved"] >= 0.5, "years"]
        row["median_years"] = float(reached.iloc[0]) if len(reached) else np.nan
        for h in horizons:
            upto = curve[curve["years"] <= h]
            row[f"improved_by_{h:g}y"] = float(upto["improved"].iloc[-1]) if len(upto) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def logrank_test(spells: pd.DataFrame) -> dict:
    """Log-rank test of equal time to good between the groups (statistic, p_value).

    Missing (NaN) when it cannot be computed: fewer than two groups, or no overlap in
    time between them.
    """
    if spells["group"].nunique() < 2:
        return {"statistic": np.nan, "p_value": np.nan}
    try:
        statistic, p_value = survdiff(
            spells["years"].to_numpy(),
            spells["improved"].astype(int).to_numpy(),
            spells["group"].to_numpy(),
        )
    except np.linalg.LinAlgError:  # no spell at risk in one group when the other improves
        return {"statistic": np.nan, "p_value": np.nan}
    return {"statistic": float(statistic), "p_value": float(p_value)}


@dataclass
class GradeTransitions:
    """Grade transitions of partnership and comparison schools, and time to good.

    ``pairs`` (see :func:`inspection_pairs`), ``counts`` (see :func:`transition_counts`),
    ``movement`` (see :func:`movement_shares`), ``difference`` (see
    :func:`movement_difference`), ``test`` (see :func:`distribution_test`), ``spells``,
    ``curves``, ``improvement`` and ``logrank`` for time to good, every ``exclusions``
    entry and the ``parameters`` used.
    """

    pairs: pd.DataFrame
    counts: pd.DataFrame
    movement: pd.DataFrame
    difference: pd.DataFrame
    test: dict
    spells: pd.DataFrame
    curves: pd.DataFrame
    improvement: pd.DataFrame
    logrank: dict
    exclusions: list[dict] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)

    def matrix(self, group: str = "partnership", value: str = "share") -> pd.DataFrame:
        """Prior grade (rows) × later grade (columns) of ``value`` ("n" or "share")."""
        if group not in GROUPS:
            raise PartnershipEvalError(f"group must be one of {GROUPS}, got {group!r}")
        cells = self.counts[self.counts["group"] == group]
        table = cells.pivot(index="prior_grade", columns="grade", values=value)
        return table.rename(index=GRADES, columns=GRADES)

    @property
    def headline(self) -> pd.Series:
        """The difference in the share moving up (partnership minus comparison)."""
        return self.difference.set_index("movement").loc["up"]

    def summary(self) -> str:
        """The comparison in plain words."""
        matched = self.parameters.get("match_prior")
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
        up = self.headline
        lines.append(
            f"Partnership schools moved up {abs(up['difference']):.1%} "
            f"{'more' if up['difference'] >= 0 else 'less'} often than comparison schools "
            f"(difference {up['difference']:+.1%}, 95% CI {up['ci_low']:+.1%} to "
            f"{up['ci_high']:+.1%})."
        )
        test = self.test
        lines.append(
            f"Test that movements differ: {test['method']}, statistic {test['statistic']:.2f} "
            f"on {test['df']} df, p = {test['p_value']:.3g}."
        )
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

    def plot(self) -> plt.Figure:
        """Heatmaps of the row shares for both groups, annotated with the counts."""
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
        for ax, group in zip(axes, GROUPS, strict=True):
            shares = self.matrix(group, "share")
            counts = self.matrix(group, "n")
            labels = shares.map(lambda v: "" if pd.isna(v) else f"{v:.0%}") + counts.map(
                lambda v: f"\n(n={v})"
            )
            sns.heatmap(
                shares.astype(float),
                annot=labels.to_numpy(),
                fmt="",
                vmin=0,
                vmax=1,
                cmap="Blues",
                cbar=ax is axes[-1],
                ax=ax,
            )
            ax.set(title=f"{group.capitalize()} schools", xlabel="later grade", ylabel="")
        axes[0].set_ylabel("earlier grade")
        fig.tight_layout()
        return fig

    def plot_movement(self) -> plt.Figure:
        """Shares moving up, staying and moving down by group, with intervals."""
        fig, ax = plt.subplots(figsize=(7, 4))
        table = self.movement.assign(movement=self.movement["movement"].map(MOVEMENT_WORDS))
        sns.barplot(data=table, x="movement", y="share", hue="group", ax=ax, errorbar=None)
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
        ax.set(xlabel="", ylabel="share of inspections", title="Grade movement")
        fig.tight_layout()
        return fig

    def plot_time_to_good(self) -> plt.Figure:
        """Kaplan–Meier share of spells below good that reached good, by group."""
        fig, ax = plt.subplots(figsize=(7, 4))
        for i, (group, curve) in enumerate(self.curves.groupby("group", sort=False)):
            ax.step(curve["years"], curve["improved"], where="post", color=f"C{i}", label=group)
            ax.fill_between(
                curve["years"],
                curve["ci_low"],
                curve["ci_high"],
                step="post",
                color=f"C{i}",
                alpha=0.2,
            )
        ax.set(
            xlabel="years since the grade fell below good",
            ylabel="share back to good or better",
            ylim=(0, 1),
            title="Time to improvement",
        )
        ax.legend()
        fig.tight_layout()
        return fig


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
        Seed of the permutation test (used when expected counts are small).

    Examples
    --------
    >>> res = grade_transitions(read_tables("data/processed"), kind="mat")  # doctest: +SKIP
    >>> print(res.summary())  # doctest: +SKIP
    """
    tables = (data.memberships, data.partnerships)
    pairs = inspection_pairs(
        data.inspections, *tables, kind, schools=data.schools, area=area, years=years
    )
    counts = pairs["group"].value_counts()
    if any(counts.get(group, 0) == 0 for group in GROUPS):
        raise PartnershipEvalError(
            f"no inspection pairs for one group (partnership: {counts.get(GROUPS[0], 0)}, "
            f"comparison: {counts.get(GROUPS[1], 0)}) for kind {kind!r}, area {area!r}, "
            f"years {years!r}; widen the area or years, or choose another kind"
        )
    spells = spells_below_good(
        data.inspections, *tables, kind, schools=data.schools, area=area, years=years
    )
    curves = improvement_curves(spells, alpha=alpha)
    difference = movement_difference(pairs, match_prior=match_prior, alpha=alpha)
    exclusions = list(pairs.attrs["exclusions"])
    if match_prior:
        compared = pairs.loc[pairs["group"] == GROUPS[1], "prior_grade"].unique()
        lost = (pairs["group"] == GROUPS[0]) & ~pairs["prior_grade"].isin(compared)
        if lost[pairs["group"] == GROUPS[0]].all():
            raise PartnershipEvalError(
                "no prior grade has both partnership and comparison inspection pairs, so "
                "matching on prior grade leaves nothing to compare; use match_prior=False "
                "or widen the area or years"
            )
        if lost.any():
            exclusions.append(
                _exclusion(
                    "partnership pair whose prior grade no comparison pair has "
                    "(left out of the matched comparison)",
                    pairs,
                    lost,
                )
            )
    return GradeTransitions(
        pairs=pairs,
        counts=transition_counts(pairs, alpha=alpha),
        movement=movement_shares(pairs, match_prior=match_prior, alpha=alpha),
        difference=difference,
        test=distribution_test(pairs, match_prior=match_prior, seed=seed),
        spells=spells,
        curves=curves,
        improvement=improvement_summary(spells, curves),
        logrank=logrank_test(spells),
        exclusions=exclusions,
        parameters={
            "kind": kind,
            "area": area,
            "years": years,
            "match_prior": match_prior,
            "alpha": alpha,
            "seed": seed,
        },
    )
