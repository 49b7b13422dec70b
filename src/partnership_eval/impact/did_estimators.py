"""Group-time average treatment effects ATT(g, t) of Callaway & Sant'Anna (2021).

For every treated cohort g and period t one 2×2 comparison: the cohort against its
comparison group between a base period and t, estimated by
:mod:`partnership_eval.impact.did_two_by_two`. The cells, base periods and comparison
groups follow R ``did`` (``att_gt``):

- post-treatment cells (g ≤ t) compare t with g − 1 − anticipation;
- pre-treatment cells compare t with t − 1 (``base_period="varying"``) or with
  g − 1 − anticipation (``"universal"``, whose base cell is reported as 0);
- never-treated controls, or not-yet-treated ones: never treated plus cohorts first
  treated after max(t, base) + anticipation (the cohort itself excluded);
- covariates enter at the earlier of the two periods compared.

Cohorts without a period before g − anticipation get no cells (their units stay in the
sample, as in R). A cell that cannot be estimated (one comparison unit, no overlap, a
singular model, an empty period) is returned as NA with its reason, and the other cells
are estimated, as R does; ``strict=True`` raises :class:`EstimationError` naming its
cohort and period instead. Comparison units trimmed for a propensity score of 0.995 or
more (DRDID's rule) are counted per cell.

Unbalanced panels (``DidSample.observed`` set): each cell compares the treated and
comparison units observed in both of its periods; its influence function is zero for
every other unit and scaled by n / n_cell, so that it is an influence function over all
n units (the sampling units) whose analytic variance is the cell's own 2×2 variance.
Units observed in no pair of periods that a cell compares are counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partnership_eval.errors import EstimationError
from partnership_eval.impact.did_data import DidSample, Exclusion
from partnership_eval.impact.did_two_by_two import (
    CROSS_SECTION_ESTIMATORS,
    PANEL_ESTIMATORS,
    CellError,
)


@dataclass(frozen=True)
class GroupTimeEstimates:
    """ATT(g, t) for every cell with the (n_obs × cells) influence-function matrix."""

    cohort: np.ndarray
    time: np.ndarray
    base_time: np.ndarray
    att: np.ndarray
    influence: np.ndarray
    n_treated: np.ndarray
    n_control: np.ndarray
    skipped_cohorts: tuple[float, ...]
    exclusions: tuple[Exclusion, ...] = ()
    reason: np.ndarray | None = None
    n_trimmed: np.ndarray | None = None

    @property
    def estimated(self) -> np.ndarray:
        """Cells with an estimate (not NA)."""
        return np.isfinite(self.att)


def plan_cells(
    periods: np.ndarray, cohorts: np.ndarray, base_period: str, anticipation: int
) -> tuple[list[tuple[float, int, int]], tuple[float, ...]]:
    """(cohort, period index, base period index) of every cell, and cohorts without cells."""
    cells: list[tuple[float, int, int]] = []
    skipped: list[float] = []
    first = 1 if base_period == "varying" else 0
    for g in cohorts:
        before = np.flatnonzero(periods + anticipation < g)
        if len(before) == 0:
            skipped.append(float(g))
            continue
        last_pre = int(before[-1])
        for j in range(first, len(periods)):
            post = g <= periods[j]
            base = last_pre if (post or base_period == "universal") else j - 1
            cells.append((float(g), j, base))
    return cells, tuple(skipped)


def _comparison(cohort: np.ndarray, g: float, cutoff: float, control_group: str) -> np.ndarray:
    never = np.isinf(cohort)
    if control_group == "never_treated":
        return never
    return never | ((cohort > cutoff) & (cohort != g))


def _fail(
    cohort: float, periods: np.ndarray, n_treated: int, n_control: int, unit: str, err: Exception
) -> EstimationError:
    """The error ``strict=True`` raises for a cell that cannot be estimated."""
    times = ("period " if len(periods) == 1 else "periods ") + ", ".join(f"{t:g}" for t in periods)
    return EstimationError(
        f"ATT for cohort {cohort:g}, {times} cannot be estimated: {err}; "
        f"{n_treated} treated and {n_control} comparison {unit} — drop or merge this cohort, "
        "use fewer covariates, or change control_group"
    )


def estimate_group_time(
    sample: DidSample,
    *,
    method: str,
    control_group: str,
    base_period: str,
    anticipation: int,
    strict: bool = False,
) -> GroupTimeEstimates:
    """Estimate every ATT(g, t) of ``sample`` with its influence function.

    Cells that cannot be estimated are NA (with ``reason``) unless ``strict``.
    """
    periods = sample.periods
    cells, skipped = plan_cells(periods, sample.cohorts, base_period, anticipation)
    if not cells:
        raise EstimationError(
            "no group-time cell can be estimated: every cohort is treated (allowing for "
            f"anticipation={anticipation}) before the second period"
        )
    n = sample.n_obs
    out = _CellResults(n, len(cells), strict)
    treated, controls = _cell_members(sample, cells, control_group, anticipation)
    for k in range(len(cells)):
        out.n_treated[k] = np.sum(treated[k])
        out.n_control[k] = np.sum(controls[k])
    if sample.panel:
        _estimate_panel(sample, cells, treated, controls, method, out)
    else:
        _estimate_cross_sections(sample, cells, controls, method, out)
    arr = np.array(cells, dtype=float).reshape(-1, 3)
    return GroupTimeEstimates(
        cohort=arr[:, 0],
        time=periods[arr[:, 1].astype(int)],
        base_time=periods[arr[:, 2].astype(int)],
        att=out.att,
        influence=out.influence,
        n_treated=out.n_treated,
        n_control=out.n_control,
        skipped_cohorts=skipped,
        exclusions=_units_in_no_cell(sample, treated, controls) + out.trim_exclusions(),
        reason=out.reason,
        n_trimmed=out.n_trimmed,
    )


def _cell_members(
    sample: DidSample, cells: list[tuple[float, int, int]], control_group: str, anticipation: int
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Treated and comparison masks of every cell (observed in both periods, if unbalanced)."""
    periods, cohort, observed = sample.periods, sample.cohort, sample.observed
    treated_of = {g: cohort == g for g in {cell[0] for cell in cells}}
    controls_of: dict[tuple[float, float], np.ndarray] = {}
    treated, controls = [], []
    for g, j, base in cells:
        # never-treated comparisons do not depend on the period: one mask per cohort
        cutoff = periods[max(j, base)] + anticipation if control_group != "never_treated" else 0
        if (g, cutoff) not in controls_of:
            controls_of[g, cutoff] = _comparison(cohort, g, cutoff, control_group)
        t_mask, c_mask = treated_of[g], controls_of[g, cutoff]
        if observed is not None:
            seen = observed[:, j] & observed[:, base]
            t_mask, c_mask = t_mask & seen, c_mask & seen
        treated.append(t_mask)
        controls.append(c_mask)
    return treated, controls


def _units_in_no_cell(
    sample: DidSample, treated: list[np.ndarray], controls: list[np.ndarray]
) -> tuple[Exclusion, ...]:
    if sample.observed is None:
        return ()
    used = np.logical_or.reduce(treated + controls)
    if used.all():
        return ()
    return (
        Exclusion(
            "unbalanced panel: in no group-time cell (not observed in both periods of any "
            "comparison its cohort enters); counted in the cohort shares only",
            int(sample.observed[~used].sum()),
            int((~used).sum()),
        ),
    )


class _CellResults:
    def __init__(self, n: int, n_cells: int, strict: bool) -> None:
        self.att = np.zeros(n_cells)
        self.influence = np.zeros((n, n_cells))
        self.n_treated = np.zeros(n_cells, dtype=np.int64)
        self.n_control = np.zeros(n_cells, dtype=np.int64)
        self.n_trimmed = np.zeros(n_cells, dtype=np.int64)
        self.reason = np.full(n_cells, "", dtype=object)
        self.strict = strict

    def store(self, cells: list[int], idx: np.ndarray, result: tuple, scale: float) -> None:
        """Put one estimate (ATT, influence, trimmed) into its cells' columns."""
        att, inf, trimmed = result
        att = np.broadcast_to(np.asarray(att, dtype=float), (len(cells),))
        inf = np.asarray(inf).reshape(len(idx), len(cells))
        if not (np.all(np.isfinite(att)) and np.all(np.isfinite(inf))):
            raise CellError("the estimate is not finite (the comparison group has no weight)")
        self.att[cells] = att
        self.n_trimmed[cells] = trimmed
        first, last = cells[0], cells[-1] + 1
        # a cohort's cells are usually adjacent columns: a slice is much faster to fill
        where = (idx, slice(first, last)) if last - first == len(cells) else np.ix_(idx, cells)
        self.influence[where] = inf * scale

    def not_estimated(self, cells: list[int], error: EstimationError, err: CellError) -> None:
        """Mark cells NA with the reason (or raise ``error`` when strict)."""
        if self.strict:
            raise error from None
        self.att[cells] = np.nan
        self.reason[cells] = str(err)

    def trim_exclusions(self) -> tuple[Exclusion, ...]:
        if not self.n_trimmed.any():
            return ()
        cells = int(np.count_nonzero(self.n_trimmed))
        return (
            Exclusion(
                f"propensity score ≥ 0.995: comparison units trimmed (weight 0) in {cells} "
                "group-time cell(s), as DRDID does; rows counts unit-cells",
                int(self.n_trimmed.sum()),
                0,
            ),
        )


def _estimate_panel(
    sample: DidSample,
    cells: list[tuple[float, int, int]],
    treated: list[np.ndarray],
    controls: list[np.ndarray],
    method: str,
    out: _CellResults,
) -> None:
    """Cells with the same units and covariate values are estimated together."""
    x, x_fixed = sample.x, sample.covariates_fixed
    batches: dict[tuple, list[int]] = {}
    for k, (g, j, base) in enumerate(cells):
        if j == base:  # universal base period: the reference cell, 0 by construction
            continue
        members = treated[k] | controls[k]
        key = (g, members.tobytes(), 0 if x_fixed else min(j, base))
        batches.setdefault(key, []).append(k)
    estimator = PANEL_ESTIMATORS[method]
    n = sample.n_obs
    for (g, *_), members in batches.items():
        k0 = members[0]
        idx = np.flatnonzero(treated[k0] | controls[k0])
        j = np.array([cells[k][1] for k in members])
        base = np.array([cells[k][2] for k in members])
        # the batch's units are all observed in the first cell's periods; with fixed
        # covariates any observed period gives the same design
        x_period = min(cells[k0][1], cells[k0][2])
        y = sample.y[idx]
        d = treated[k0][idx].astype(float)
        try:
            if d.sum() == 0 or d.sum() == len(d):
                raise CellError("no treated or no comparison units")
            result = estimator(y[:, j] - y[:, base], d, x[idx, x_period], sample.weights[idx])
            out.store(members, idx, result, n / len(idx))
        except CellError as err:
            error = _fail(g, sample.periods[j], out.n_treated[k0], out.n_control[k0], "units", err)
            out.not_estimated(members, error, err)


def _estimate_cross_sections(
    sample: DidSample,
    cells: list[tuple[float, int, int]],
    controls: list[np.ndarray],
    method: str,
    out: _CellResults,
) -> None:
    estimator = CROSS_SECTION_ESTIMATORS[method]
    n = sample.n_obs
    for k, (g, j, base) in enumerate(cells):
        treated = sample.cohort == g
        rows = (treated | controls[k]) & (
            (sample.period_index == j) | (sample.period_index == base)
        )
        idx = np.flatnonzero(rows)
        d = treated[idx].astype(float)
        out.n_treated[k], out.n_control[k] = int(d.sum()), int(len(idx) - d.sum())
        if j == base:
            continue
        post = (sample.period_index[idx] == j).astype(float)
        try:
            _require_all_quadrants(d, post)
            result = estimator(sample.y[idx], post, d, sample.x[idx], sample.weights[idx])
            out.store([k], idx, result, n / len(idx))
        except CellError as err:
            error = _fail(g, sample.periods[[j]], out.n_treated[k], out.n_control[k], "rows", err)
            out.not_estimated([k], error, err)


def _require_all_quadrants(d: np.ndarray, post: np.ndarray) -> None:
    for treat, when, label in (
        (1, 1, "treated rows in period t"),
        (1, 0, "treated rows in the base period"),
        (0, 1, "comparison rows in period t"),
        (0, 0, "comparison rows in the base period"),
    ):
        if not np.any((d == treat) & (post == when)):
            raise CellError(f"no {label}")
