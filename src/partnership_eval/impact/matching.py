"""Matched comparison groups for treated schools, with covariate balance before and after.

Estimand. Matching itself estimates nothing: it builds a comparison group whose baseline
covariates (size, rurality, FSM share, prior attainment and its trend) resemble the
treated schools', so that a DiD on the matched sample compares like with like. A DiD on
the matched sample targets the ATT of the matched treated schools.

Identifying assumption. Selection on observables *for trends*: after matching on the
baseline covariates, treated and matched schools would have followed parallel outcome
paths without the partnership. Matching cannot balance what it does not see; the balance
table shows only the covariates matched on. Treated schools that find no match (caliper,
empty exact stratum, controls used up) leave the estimand — they are counted in
``unmatched``, never dropped silently.

Methods. ``"nearest"``: Mahalanobis distance on standardised covariates (Euclidean after
whitening, so one k-d tree serves every query). ``"propensity"``: absolute difference in
the logit of a propensity score from a logistic regression (statsmodels) on the
standardised covariates. Without replacement the matching is optimal (minimum total
distance, ``scipy.optimize.linear_sum_assignment``) when the cost matrix is moderate, and
greedy nearest-available beyond that; with replacement each treated unit takes its
nearest controls.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from matplotlib.axes import Axes
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from partnership_eval.errors import EstimationError, InputError
from partnership_eval.impact.panel_checks import collinear_columns, numeric_column, require_columns
from partnership_eval.plots import new_axes
from partnership_eval.result import Result, exclusion_frame, tidy_frame

DENSE_ASSIGNMENT_LIMIT = 10_000_000
"""Largest cost matrix (treated × ratio × controls cells, per exact stratum) solved optimally."""

UNMATCHED_REASONS = (
    "missing covariate",
    "no control in exact stratum",
    "no control within caliper",
    "not enough controls",
)


@dataclass(frozen=True)
class MatchSpec:
    """How units were matched (the arguments of :func:`matched_controls`)."""

    unit: str
    treated: str
    covariates: tuple[str, ...]
    method: str = "nearest"
    ratio: int = 1
    caliper: float | None = None
    replace: bool = False
    exact: tuple[str, ...] = ()
    seed: int = 0
    alpha: float = 0.05


@dataclass(frozen=True)
class MatchResult(Result):
    """A matched comparison group and its covariate balance.

    Attributes
    ----------
    pairs
        treated_unit, control_unit, distance — one row per match; the distance is
        Mahalanobis (``"nearest"``) or the absolute difference in logit propensity.
    matched_units
        The unit column, ``treated`` and ``weight``: matched treated units weigh 1, each
        control the sum over its matches of 1 / (matches of that treated unit).
    unmatched
        treated_unit, n_matched, reason — treated units with fewer than ``ratio`` matches.
    balance
        Per covariate: means of treated and controls before and after matching,
        standardised mean differences (difference over the pooled pre-matching standard
        deviation) and variance ratios (treated / control).
    excluded_controls
        Controls left out for a missing covariate or exact-matching value.
    spec, exclusions
        The settings (:class:`MatchSpec`) and the standard exclusions table (controls
        with missing values, treated units left unmatched).
    """

    pairs: pd.DataFrame
    matched_units: pd.DataFrame
    unmatched: pd.DataFrame
    balance: pd.DataFrame
    n_treated: int
    excluded_controls: int
    algorithm: str
    spec: MatchSpec
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    headline_label: ClassVar[str] = "largest |standardised mean difference| after matching"
    title: ClassVar[str] = "Matched comparison group"

    @property
    def inputs(self) -> dict[str, object]:
        """The settings as a dict (``spec`` is the frozen form)."""
        return asdict(self.spec)

    def tidy(self) -> pd.DataFrame:
        """Balance: the largest |SMD| after matching first, then one row per covariate."""
        n_controls = int((~self.matched_units["treated"]).sum())
        n_matched = self.n_treated - int((self.unmatched["n_matched"] == 0).sum())
        worst = self.balance["smd_after"].abs().max()
        rows = [{"term": "largest |SMD| after", "estimate": worst}]
        rows += [
            {"term": f"SMD after: {row.covariate}", "estimate": row.smd_after,
             "smd_before": row.smd_before}
            for row in self.balance.itertuples(index=False)
        ]  # fmt: skip
        frame = tidy_frame(rows, alpha=self.alpha)
        frame[["n_treated", "n_comparison"]] = [n_matched, n_controls]
        return frame

    def matched_panel(self, panel: pd.DataFrame) -> pd.DataFrame:
        """Rows of ``panel`` for matched units, with their weights in a ``match_weight`` column."""
        unit = str(self.inputs["unit"])
        require_columns(panel, {"unit": unit}, who="matched_panel")
        weights = self.matched_units.set_index(unit)["weight"].rename("match_weight")
        return panel[panel[unit].isin(weights.index)].join(weights, on=unit)

    def summary(self) -> str:
        """Plain-text summary: matched and unmatched counts by reason, and balance."""
        ratio = self.inputs["ratio"]
        fully = int((self.unmatched["n_matched"] == 0).sum())
        partly = len(self.unmatched) - fully
        n_controls = int((~self.matched_units["treated"]).sum())
        lines = [
            f"{self.inputs['method']} matching ({self.algorithm}), {ratio} control(s) per treated unit, "
            f"{'with' if self.inputs['replace'] else 'without'} replacement"
            + (f", caliper {self.inputs['caliper']}" if self.inputs["caliper"] is not None else "")
            + (f", exact on {self.inputs['exact']}" if self.inputs["exact"] else ""),
            f"{self.n_treated - fully} of {self.n_treated} treated units matched to {n_controls} distinct controls",
        ]
        if fully or partly:
            counts = [f"{fully} treated units with no match"]
            if partly:
                counts.append(f"{partly} with fewer than {ratio} controls")
            reasons = self.unmatched.groupby("reason").size()
            lines.append(
                f"Unmatched: {', '.join(counts)} ("
                + ", ".join(f"{reason}: {n}" for reason, n in reasons.items())
                + ")"
            )
        if self.excluded_controls:
            lines.append(f"Controls excluded for missing values: {self.excluded_controls}")
        worst_before = self.balance["smd_before"].abs().max()
        worst_after = self.balance["smd_after"].abs().max()
        lines.append(
            f"Largest |standardised mean difference|: {worst_before:.3f} before, {worst_after:.3f} after"
        )
        lines.append(self.balance.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None, threshold: float = 0.1) -> Axes:
        """Love plot: |standardised mean difference| per covariate before and after matching."""
        ax = ax if ax is not None else new_axes((6, 0.5 * len(self.balance) + 1.5))
        y = np.arange(len(self.balance))
        ax.scatter(
            self.balance["smd_before"].abs(),
            y,
            marker="o",
            facecolors="none",
            edgecolors="grey",
            label="before",
        )
        ax.scatter(self.balance["smd_after"].abs(), y, marker="o", color="black", label="after")
        ax.axvline(threshold, color="grey", linestyle="--", linewidth=0.8)
        ax.set_yticks(y, self.balance["covariate"])
        ax.set_xlabel("|standardised mean difference|")
        ax.set_title("Covariate balance before and after matching")
        ax.legend(frameon=False)
        return ax


def matched_controls(
    df: pd.DataFrame,
    unit: str,
    treated: str,
    covariates: Sequence[str],
    *,
    method: Literal["nearest", "propensity"] = "nearest",
    ratio: int = 1,
    caliper: float | None = None,
    replace: bool = False,
    exact: Sequence[str] | None = None,
    seed: int = 0,
) -> MatchResult:
    """Match each treated unit to ``ratio`` comparison units on baseline covariates.

    Parameters
    ----------
    df
        One row per unit with the treatment flag and baseline covariates.
    unit, treated
        Unit id column and treatment column (True/False or 1/0).
    covariates
        Numeric baseline covariates (booleans allowed).
    method
        ``"nearest"`` (Mahalanobis) or ``"propensity"`` (logit propensity score).
    ratio
        Controls per treated unit.
    caliper
        Largest allowed distance, in standard deviations: Mahalanobis units for
        ``"nearest"``, standard deviations of the logit propensity score for
        ``"propensity"`` (0.2 is a common choice). Treated units without a control within
        it are reported in ``unmatched``.
    replace
        Whether a control may serve several treated units.
    exact
        Columns to match exactly on (e.g. region); matching runs within each stratum.
    seed
        Breaks ties between equidistant controls reproducibly.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> schools = pd.DataFrame({"urn": range(400), "fsm": rng.normal(size=400)})
    >>> schools["cluster"] = rng.random(400) < 1 / (1 + np.exp(2 - schools["fsm"]))
    >>> res = matched_controls(schools, "urn", "cluster", ["fsm"])
    >>> bool(abs(res.balance["smd_after"].iloc[0]) < abs(res.balance["smd_before"].iloc[0]))
    True
    """
    who = "matched_controls"
    covariates = list(covariates)
    exact = list(exact or [])
    if method not in ("nearest", "propensity"):
        raise InputError(f"{who}: method={method!r}; choose 'nearest' or 'propensity'")
    if ratio < 1:
        raise InputError(f"{who}: ratio={ratio}; it must be a positive whole number")
    if not covariates:
        raise InputError(f"{who}: no covariates given; name the baseline covariates to match on")
    roles = {"unit": unit, "treated": treated} | {f"covariate {c}": c for c in covariates}
    require_columns(df, roles | {f"exact {c}": c for c in exact}, who=who)
    if df[unit].duplicated().any():
        raise InputError(
            f"{who}: {int(df[unit].duplicated().sum())} repeated values of {unit!r}; pass one row per "
            "unit (baseline covariates, e.g. the last pre-treatment year)"
        )
    is_treated = _treatment_flag(df, treated, who)
    x = np.column_stack([numeric_column(df, c, "covariate", who=who) for c in covariates])

    # Shuffling once makes tie-breaking depend on the seed, not on the input row order.
    order = np.random.default_rng(seed).permutation(len(df))
    df, is_treated, x = df.iloc[order], is_treated[order], x[order]
    usable = ~np.isnan(x).any(axis=1)
    if exact:
        usable &= df[exact].notna().all(axis=1).to_numpy()
    if not is_treated.any():
        raise EstimationError(f"{who}: no treated units — {treated!r} is False for every row")
    if not (usable & is_treated).any():
        raise EstimationError(
            f"{who}: no treated unit has complete covariates {covariates + exact}; fill or drop "
            "the covariates that are missing"
        )
    if not (usable & ~is_treated).any():
        raise EstimationError(
            f"{who}: no comparison units with complete covariates; every usable unit is treated"
        )

    score, scale = _matching_space(x[usable], is_treated[usable], covariates, method, who)
    strata = (
        df.loc[usable, exact].groupby(exact, sort=False, dropna=False).ngroup().to_numpy()
        if exact
        else np.zeros(int(usable.sum()), dtype=int)
    )
    units = df[unit].to_numpy()[usable]
    max_distance = np.inf if caliper is None else caliper * scale
    matches, shortfall, algorithm = _match_all(
        score, is_treated[usable], strata, ratio, max_distance, replace, caliper is not None
    )

    pairs = pd.DataFrame(
        {
            "treated_unit": units[matches[0]],
            "control_unit": units[matches[1]],
            "distance": matches[2],
        }
    ).sort_values(["treated_unit", "distance"], ignore_index=True)
    missing_treated = df.loc[is_treated & ~usable, unit].to_numpy()
    unmatched = pd.concat(
        [
            pd.DataFrame(
                {"treated_unit": missing_treated, "n_matched": 0, "reason": "missing covariate"}
            ),
            pd.DataFrame(
                {
                    "treated_unit": units[shortfall[0]],
                    "n_matched": shortfall[1],
                    "reason": shortfall[2],
                }
            ),
        ],
        ignore_index=True,
    ).astype({"n_matched": "int64"})
    matched_units = _matched_weights(pairs, unit)
    n_excluded = int((~is_treated & ~usable).sum())
    n_unmatched = int((unmatched["n_matched"] == 0).sum())
    return MatchResult(
        pairs=pairs,
        matched_units=matched_units,
        unmatched=unmatched.sort_values("treated_unit", ignore_index=True),
        balance=_balance(
            df[usable], is_treated[usable], x[usable], covariates, matched_units, unit
        ),
        n_treated=int(is_treated.sum()),
        excluded_controls=n_excluded,
        algorithm=algorithm,
        spec=MatchSpec(
            unit=unit,
            treated=treated,
            covariates=tuple(covariates),
            method=method,
            ratio=ratio,
            caliper=caliper,
            replace=replace,
            exact=tuple(exact),
            seed=seed,
        ),  # fmt: skip
        exclusions=exclusion_frame(
            [
                {
                    "reason": "comparison unit with a missing covariate or exact-matching value",
                    "rows": n_excluded,
                    "schools": n_excluded,
                },
                {
                    "reason": "treated unit without a match",
                    "rows": n_unmatched,
                    "schools": n_unmatched,
                },
            ],  # fmt: skip
            step="matched_controls",
        )
        .query("rows > 0")
        .reset_index(drop=True),
    )


def _treatment_flag(df: pd.DataFrame, treated: str, who: str) -> np.ndarray:
    values = df[treated]
    if values.isna().any():
        raise EstimationError(
            f"{who}: {int(values.isna().sum())} missing values in {treated!r}; give every unit True or False"
        )
    if not (pd.api.types.is_bool_dtype(values) or set(pd.unique(values)) <= {0, 1}):
        raise InputError(
            f"{who}: {treated!r} must be True/False or 1/0, found {sorted(map(str, pd.unique(values)))[:5]}"
        )
    return values.to_numpy().astype(bool)


def _matching_space(
    x: np.ndarray, is_treated: np.ndarray, covariates: list[str], method: str, who: str
) -> tuple[np.ndarray, float]:
    """Coordinates in which Euclidean distance is the matching distance, and the caliper unit."""
    sd = x.std(axis=0, ddof=1)
    constant = [c for c, s in zip(covariates, sd, strict=True) if not s > 0]
    if constant:
        raise EstimationError(
            f"{who}: covariate(s) {constant} take a single value; drop them (they cannot distinguish units)"
        )
    z = (x - x.mean(axis=0)) / sd
    collinear = collinear_columns(z.T @ z, covariates)
    if collinear:
        raise EstimationError(
            f"{who}: covariate(s) {collinear} are linear combinations of the others, so the "
            "covariance matrix is singular; drop them"
        )
    if method == "nearest":
        # Whitening with the Cholesky factor of the correlation matrix turns Mahalanobis
        # distance into Euclidean distance.
        chol = np.linalg.cholesky(np.corrcoef(z, rowvar=False).reshape(z.shape[1], z.shape[1]))
        return np.linalg.solve(chol, z.T).T, 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            fit = sm.Logit(is_treated.astype(float), sm.add_constant(z, has_constant="add")).fit(
                disp=0, maxiter=100
            )
        except (PerfectSeparationWarning, ConvergenceWarning, np.linalg.LinAlgError) as error:
            raise EstimationError(
                f"{who}: the propensity model does not converge ({type(error).__name__}): the "
                f"covariates {covariates} separate treated from comparison units almost "
                "perfectly, so there is no overlap to match on; use fewer or coarser covariates, "
                "exact matching, or method='nearest'"
            ) from error
    logit = np.asarray(fit.fittedvalues)[:, None]
    return logit, float(logit.std(ddof=1))


def _match_all(
    score: np.ndarray,
    is_treated: np.ndarray,
    strata: np.ndarray,
    ratio: int,
    max_distance: float,
    replace: bool,
    has_caliper: bool,
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...], str]:
    """Match within each stratum.

    Returns the matches (treated index, control index, distance), the treated units short of
    ``ratio`` matches (index, matches found, reason) and the algorithm used.
    """
    found, short_idx, short_n, short_reason, algorithms = [], [], [], [], set()
    for stratum in np.unique(strata):
        in_stratum = strata == stratum
        treated_idx = np.flatnonzero(in_stratum & is_treated)
        control_idx = np.flatnonzero(in_stratum & ~is_treated)
        if treated_idx.size == 0:
            continue
        if control_idx.size == 0:
            short_idx.append(treated_idx)
            short_n.append(np.zeros(treated_idx.size, dtype=int))
            short_reason.append(
                np.full(treated_idx.size, "no control in exact stratum", dtype=object)
            )
            continue
        if replace:
            rows, algorithm = _nearest_with_replacement(
                score[treated_idx], score[control_idx], ratio, max_distance
            )
        elif treated_idx.size * ratio * control_idx.size <= DENSE_ASSIGNMENT_LIMIT:
            rows, algorithm = _optimal_without_replacement(
                score[treated_idx], score[control_idx], ratio, max_distance
            )
        else:
            rows, algorithm = _greedy_without_replacement(
                score[treated_idx], score[control_idx], ratio, max_distance
            )
        algorithms.add(algorithm)
        matched_t = rows[:, 0].astype(int)
        found.append((treated_idx[matched_t], control_idx[rows[:, 1].astype(int)], rows[:, 2]))
        counts = np.bincount(matched_t, minlength=treated_idx.size)
        short = counts < ratio
        if short.any():
            too_few = control_idx.size < ratio or (
                not replace and control_idx.size < ratio * treated_idx.size
            )
            reason = (
                "no control within caliper"
                if has_caliper and not too_few
                else "not enough controls"
            )
            short_idx.append(treated_idx[short])
            short_n.append(counts[short])
            short_reason.append(np.full(int(short.sum()), reason, dtype=object))
    matches = tuple(
        np.concatenate([part[i] for part in found]) if found else np.empty(0, dtype=dtype)
        for i, dtype in enumerate((int, int, float))
    )
    shortfall = tuple(
        np.concatenate(parts) if parts else np.empty(0, dtype=dtype)
        for parts, dtype in ((short_idx, int), (short_n, int), (short_reason, object))
    )
    return matches, shortfall, " + ".join(sorted(algorithms)) or "none"


def _nearest_with_replacement(
    treated: np.ndarray, controls: np.ndarray, ratio: int, max_distance: float
) -> tuple[np.ndarray, str]:
    k = min(ratio, len(controls))
    distance, index = cKDTree(controls).query(treated, k=k, distance_upper_bound=max_distance)
    distance, index = distance.reshape(len(treated), k), index.reshape(len(treated), k)
    ok = np.isfinite(distance)
    rows = np.nonzero(ok)[0]
    return np.column_stack([rows, index[ok], distance[ok]]), "nearest with replacement"


def _optimal_without_replacement(
    treated: np.ndarray, controls: np.ndarray, ratio: int, max_distance: float
) -> tuple[np.ndarray, str]:
    cost = cdist(np.repeat(treated, ratio, axis=0), controls)
    allowed = cost <= max_distance
    # Forbidden pairs cost more than any assignment of allowed ones, so the solver first
    # maximises the number of pairs within the caliper, then minimises their distance.
    penalty = (cost[allowed].max(initial=0.0) + 1.0) * cost.shape[0]
    rows, cols = linear_sum_assignment(np.where(allowed, cost, penalty))
    keep = allowed[rows, cols]
    return np.column_stack(
        [rows[keep] // ratio, cols[keep], cost[rows[keep], cols[keep]]]
    ), "optimal"


def _greedy_without_replacement(
    treated: np.ndarray, controls: np.ndarray, ratio: int, max_distance: float
) -> tuple[np.ndarray, str]:
    """Nearest-available matching: accept candidate pairs in order of distance."""
    need = np.full(len(treated), ratio)
    free = np.ones(len(controls), dtype=bool)
    accepted: list[tuple[int, int, float]] = []
    while need.any() and free.any():
        waiting = np.flatnonzero(need > 0)
        available = np.flatnonzero(free)
        k = min(len(available), 4 * ratio)
        distance, index = cKDTree(controls[available]).query(
            treated[waiting], k=k, distance_upper_bound=max_distance
        )
        distance, index = distance.reshape(len(waiting), k), index.reshape(len(waiting), k)
        ok = np.isfinite(distance)
        if not ok.any():
            break
        # The closest candidate pair is always accepted, so every round makes progress.
        candidate_t, candidate_rank = np.nonzero(ok)
        by_distance = np.argsort(distance[ok], kind="stable")
        for t, c, d in zip(
            waiting[candidate_t[by_distance]],
            available[index[candidate_t, candidate_rank][by_distance]],
            distance[ok][by_distance],
            strict=True,
        ):
            if need[t] and free[c]:
                accepted.append((t, c, d))
                need[t] -= 1
                free[c] = False
    return np.array(accepted, dtype=float).reshape(-1, 3), "greedy nearest available"


def _matched_weights(pairs: pd.DataFrame, unit: str) -> pd.DataFrame:
    per_treated = pairs.groupby("treated_unit")["control_unit"].transform("size")
    control_weight = (1.0 / per_treated).groupby(pairs["control_unit"]).sum()
    treated_units = pairs["treated_unit"].drop_duplicates()
    return pd.concat(
        [
            pd.DataFrame({unit: treated_units.to_numpy(), "treated": True, "weight": 1.0}),
            pd.DataFrame(
                {
                    unit: control_weight.index.to_numpy(),
                    "treated": False,
                    "weight": control_weight.to_numpy(),
                }
            ),
        ],
        ignore_index=True,
    )


def _balance(
    df: pd.DataFrame,
    is_treated: np.ndarray,
    x: np.ndarray,
    covariates: list[str],
    matched_units: pd.DataFrame,
    unit: str,
) -> pd.DataFrame:
    """Means, standardised mean differences and variance ratios before and after matching."""
    weight = df[unit].map(matched_units.set_index(unit)["weight"]).fillna(0.0).to_numpy()
    before_t, before_c = _moments(x[is_treated]), _moments(x[~is_treated])
    after_t, after_c = (
        _moments(x[is_treated], weight[is_treated]),
        _moments(x[~is_treated], weight[~is_treated]),
    )
    pooled_sd = np.sqrt((before_t[1] + before_c[1]) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "covariate": covariates,
                "mean_treated_before": before_t[0],
                "mean_control_before": before_c[0],
                "mean_treated_after": after_t[0],
                "mean_control_after": after_c[0],
                "smd_before": (before_t[0] - before_c[0]) / pooled_sd,
                "smd_after": (after_t[0] - after_c[0]) / pooled_sd,
                "var_ratio_before": before_t[1] / before_c[1],
                "var_ratio_after": after_t[1] / after_c[1],
            }
        )


def _moments(x: np.ndarray, weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted column means and variances (unbiased for equal weights); NaN if no weight."""
    weight = np.ones(len(x)) if weight is None else weight
    total = weight.sum()
    if total <= 0:
        return np.full(x.shape[1], np.nan), np.full(x.shape[1], np.nan)
    mean = weight @ x / total
    # Reliability-weights correction, which reduces to ddof=1 when all weights are 1.
    denominator = total - (weight**2).sum() / total
    variance = (
        weight @ (x - mean) ** 2 / denominator if denominator > 0 else np.full(x.shape[1], np.nan)
    )
    return mean, variance
