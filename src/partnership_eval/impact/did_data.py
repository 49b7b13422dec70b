"""Input for staggered difference-in-differences: validated once, turned into arrays.

Everything the estimators need is checked here, at the door: column names and types,
duplicate unit-time rows, treatment timing that is constant within a unit, weights and
clusters constant within a unit. Rows and units that cannot be used are counted and
reported (:class:`Exclusion`), never dropped silently. By default panels are balanced
as R ``did`` does with ``panel=TRUE``: a unit missing in any period is left out of every
cell. With ``allow_unbalanced_panel=True`` every unit is kept and :attr:`DidSample.observed`
records which periods each unit has, so each cell can use the units it observes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from partnership_eval.errors import EstimationError, InputError

NEVER_TREATED = np.inf
"""Internal cohort code of never-treated units (0 or NaN in the input)."""


@dataclass(frozen=True)
class Exclusion:
    """Rows or units left out of the estimation, and why."""

    reason: str
    rows: int
    units: int


@dataclass(frozen=True)
class DidSample:
    """The estimation sample as arrays.

    With panel data one entry per unit: ``y`` is (units, periods) and ``x`` is
    (units, periods, covariates + 1), its first column the intercept. With repeated
    cross-sections one entry per row: ``y`` is (rows,), ``x`` is (rows, covariates + 1)
    and ``period_index`` says which period each row belongs to. ``cohort`` holds the
    first treated period, :data:`NEVER_TREATED` for never treated units. ``observed``
    is None for a balanced panel and for cross-sections; for an unbalanced panel it is
    the (units, periods) mask of observed entries (``y`` and ``x`` are NaN elsewhere).
    ``covariates_fixed`` says that every unit's covariates are the same in all its periods.
    """

    panel: bool
    periods: np.ndarray
    cohort: np.ndarray
    y: np.ndarray
    x: np.ndarray
    weights: np.ndarray
    cluster: np.ndarray | None
    period_index: np.ndarray | None
    n_units: int
    exclusions: tuple[Exclusion, ...]
    observed: np.ndarray | None = None
    covariates_fixed: bool = False

    @property
    def n_obs(self) -> int:
        """Entries the influence functions run over (units, or rows without a panel)."""
        return len(self.cohort)

    @property
    def cohorts(self) -> np.ndarray:
        """Treated cohorts (first treated periods), ascending."""
        return np.unique(self.cohort[np.isfinite(self.cohort)])


@dataclass(frozen=True)
class _Rows:
    """The usable input rows as arrays, filtered together.

    ``unit``, ``time`` and ``cluster`` are integer codes in sorted order (``time``
    indexes the sorted time values, later the estimation periods); ``cohort`` the first
    treated period (as given, later coded); ``x`` the design with its intercept column.
    """

    unit: np.ndarray | None
    time: np.ndarray
    cohort: np.ndarray
    y: np.ndarray
    x: np.ndarray
    weight: np.ndarray | None
    cluster: np.ndarray | None

    def take(self, keep: np.ndarray) -> _Rows:
        """The rows where ``keep`` is True."""
        return _Rows(**{f.name: _subset(getattr(self, f.name), keep) for f in fields(self)})

    def count_units(self, mask: np.ndarray) -> int:
        """Distinct units among the rows in ``mask`` (rows, without unit ids)."""
        if self.unit is None:
            return int(mask.sum())
        return int(np.count_nonzero(np.bincount(self.unit[mask])))


def _subset(values: np.ndarray | None, keep: np.ndarray) -> np.ndarray | None:
    return None if values is None else values[keep]


def _require_columns(df: pd.DataFrame, columns: dict[str, str | None]) -> None:
    missing = {param: col for param, col in columns.items() if col is not None and col not in df}
    if missing:
        param, col = next(iter(missing.items()))
        named = ", ".join(f"{p}={c!r}" for p, c in missing.items())
        raise InputError(
            f"unknown column(s): {named}",
            column=col,
            fix=f"pass an existing column for {param}; the data have {list(df.columns)}",
        )


def _require_numeric(df: pd.DataFrame, column: str, role: str, *, allow_bool: bool = False) -> None:
    series = df[column]
    if ptypes.is_bool_dtype(series) and allow_bool:
        return
    if ptypes.is_bool_dtype(series) or not ptypes.is_numeric_dtype(series):
        raise InputError(
            f"the {role} must be numeric, found dtype {series.dtype}",
            column=column,
            fix="convert it with pandas.to_numeric (blank or suppressed values become NaN)",
        )


def _plain(value: object) -> object:
    """A numpy scalar as the Python value, so messages read 2011 rather than np.int64(2011)."""
    return value.item() if isinstance(value, np.generic) else value


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` in sorted order (missing values get -1) and the values.

    Integers spanning a range not much wider than their count (URNs, years) are coded
    by counting instead of hashing, with the same result.
    """
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu" and len(values):
        v = values.to_numpy()
        low, span = v.min(), int(v.max() - v.min()) + 1
        if span <= 4 * len(v) + 1024:
            offset = v - low
            present = np.bincount(offset, minlength=span) > 0
            return (np.cumsum(present) - 1)[offset], low + np.flatnonzero(present)
    codes, uniques = pd.factorize(values, sort=True)
    return codes, np.asarray(uniques)


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of ``values`` in sorted order (missing values get -1) and their count."""
    codes, uniques = _factorize(values)
    return codes, len(uniques)


def _first_rows(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Position of each code's first row."""
    first = np.empty(n_codes, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return first


def _require_constant_within_unit(
    df: pd.DataFrame, unit: str, first_of_row: np.ndarray, values: pd.Series, column: str, role: str
) -> None:
    """``first_of_row`` is, for every row, the position of its unit's first row."""
    if ptypes.is_numeric_dtype(values) and not ptypes.is_bool_dtype(values):
        v = values.to_numpy(dtype=float, na_value=np.nan)
        ref = v[first_of_row]
        # rows with a missing or infinite value are dropped later (and counted)
        varies = np.isfinite(v) & np.isfinite(ref) & (v != ref)
    else:
        codes, _ = _codes(values)
        varies = codes != codes[first_of_row]
    if varies.any():
        bad = _plain(df[unit].iloc[int(np.argmax(varies))])
        raise InputError(
            f"the {role} must be the same in every period of a unit; unit {bad!r} has several",
            column=column,
            fix=f"give each {unit} one {role} value (e.g. its first period's)",
        )


def _require_unique_unit_time(
    df: pd.DataFrame, unit: str, time: str, units: np.ndarray, times: np.ndarray, n_times: int
) -> None:
    key = units * n_times + times
    counts = np.bincount(key)
    if counts.max() > 1:
        dup = counts[key] > 1
        row = int(np.argmax(dup))
        u, t = (_plain(df[c].iloc[row]) for c in (unit, time))
        raise InputError(
            f"{int(dup.sum())} rows share a ({unit}, {time}) pair, e.g. {unit}={u!r}, {time}={t!r}",
            row=row,
            fix="keep one row per unit and period (aggregate or drop the duplicates)",
        )


def _cohort_codes(
    raw: np.ndarray, periods: np.ndarray, anticipation: int
) -> tuple[np.ndarray, np.ndarray]:
    """First treated periods with 0/NaN and after-the-panel cohorts coded never treated.

    A cohort counts as never treated only when it starts after the last period *plus*
    the anticipation window (as R ``did``): a cohort first treated at T + 1 with
    ``anticipation=2`` already reacts in T − 1 and T, so it is a treated cohort (with
    pre-treatment cells only), not a control. Also returns which rows were recoded.
    """
    never = np.isnan(raw) | (raw == 0)
    late = ~never & (raw > periods[-1] + anticipation)
    return np.where(never | late, NEVER_TREATED, raw), late


def prepare_sample(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str | None,
    time: str,
    cohort: str,
    covariates: Sequence[str] = (),
    weights: str | None = None,
    cluster: str | None = None,
    panel: bool = True,
    control_group: str = "never_treated",
    anticipation: int = 0,
    allow_unbalanced_panel: bool = False,
) -> DidSample:
    """Validate ``df`` and turn it into a :class:`DidSample`.

    A panel is balanced (units missing in any period dropped and counted) unless
    ``allow_unbalanced_panel`` is True, when every unit is kept with its observed periods.

    Hard cases, as R ``did`` treats them:

    - cohorts after the last period + ``anticipation`` are never treated; cohorts inside
      the anticipation window stay treated (never controls);
    - rows with a missing or infinite outcome, weight or covariate are dropped and
      counted; a missing cohort means never treated (counted as recoded);
    - units treated from the first period on (always treated) are dropped and counted;
    - a never-treated unit without a cluster value (no partnership) is its own cluster;
    - boolean outcomes are used as 0/1.

    Raises
    ------
    InputError
        Unknown columns, non-numeric outcome/time/cohort/covariates, duplicate
        unit-time rows (also for repeated cross-sections with ids), negative cohorts,
        negative or all-zero weights, values that should be constant within a unit
        (cohort, weight — R's ``fix_weights`` would take the first period's — cluster)
        but are not.
    EstimationError
        A design the estimator cannot use: every treated unit always treated, no
        never-treated units with ``control_group="never_treated"``, an empty sample.
    """
    data = _selected_columns(
        df, outcome, unit, time, cohort, list(covariates), weights, cluster, panel
    )
    rows, time_values, lone = _encoded_rows(
        data, outcome, unit, time, cohort, list(covariates), weights, cluster, panel
    )
    exclusions: list[Exclusion] = []
    if lone is not None and lone.any():
        exclusions.append(
            Exclusion(
                f"never treated without a {cluster}: each its own cluster",
                0,
                rows.count_units(lone),
            )
        )
    rows = _finite_rows(rows, weights, exclusions)
    rows, periods = _coded_cohorts(rows, time_values, cohort, anticipation, exclusions)
    if not np.isinf(rows.cohort).any():
        rows, periods = _last_cohort_as_control(
            rows, periods, time_values, cohort, control_group, anticipation, exclusions
        )
    # period index of every row
    rows = replace(rows, time=np.searchsorted(periods, time_values)[rows.time])
    if panel:
        sample = _panel_sample(rows, periods, exclusions, balance=not allow_unbalanced_panel)
    else:
        sample = _cross_section_sample(rows, periods, exclusions)
    _require_cohort_sizes(sample, len(covariates), cohort)
    return sample


def _selected_columns(
    df: pd.DataFrame,
    outcome: str,
    unit: str | None,
    time: str,
    cohort: str,
    covariates: list[str],
    weights: str | None,
    cluster: str | None,
    panel: bool,
) -> pd.DataFrame:
    """The columns the estimator uses, each checked for presence and type."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if panel and unit is None:
        raise InputError("panel data need a unit column", fix="pass unit=... or panel=False")
    _require_columns(
        df,
        {
            "outcome": outcome,
            "unit": unit,
            "time": time,
            "cohort": cohort,
            "weights": weights,
            "cluster": cluster,
        }
        | {f"covariates[{i}]": c for i, c in enumerate(covariates)},
    )
    _require_numeric(df, outcome, "outcome", allow_bool=True)
    _require_numeric(df, time, "time")
    _require_numeric(df, cohort, "cohort (first treated period)")
    for c in covariates:
        _require_numeric(df, c, "covariate", allow_bool=True)
    if weights is not None:
        _require_numeric(df, weights, "weight")
    keep_cols = list(
        dict.fromkeys(
            [c for c in (unit, time, cohort, outcome, weights, cluster) if c is not None]
            + covariates
        )
    )
    data = df[keep_cols]
    for col, role in ((time, "time"), (unit, "unit")):
        if col is not None and data[col].isna().any():
            row = int(np.flatnonzero(data[col].isna().to_numpy())[0])
            raise InputError(
                f"the {role} is missing",
                row=row,
                column=col,
                fix=f"fill or drop rows without a {role}",
            )
    return data


def _encoded_rows(
    data: pd.DataFrame,
    outcome: str,
    unit: str | None,
    time: str,
    cohort: str,
    covariates: list[str],
    weights: str | None,
    cluster: str | None,
    panel: bool,
) -> tuple[_Rows, np.ndarray, np.ndarray | None]:
    """The rows as integer codes and arrays, after the checks of values that must be
    valid (cohorts, weights) or constant within a unit; with the period values and the
    never-treated rows that have no cluster."""
    lone = None if cluster is None else _clusterless_rows(data, cluster, cohort)
    _require_valid_cohorts(data, cohort)
    if weights is not None:
        _require_usable_weights(data, weights)
    time_codes, time_values = _factorize(data[time])
    unit_codes = None
    if unit is not None:
        unit_codes, n_units = _codes(data[unit])
        first_of_row = _first_rows(unit_codes, n_units)[unit_codes]
        # with ids, a (unit, period) pair is one observation in panels and cross-sections
        _require_unique_unit_time(data, unit, time, unit_codes, time_codes, len(time_values))
        if panel:
            never_as_zero = data[cohort].fillna(0)
            _require_constant_within_unit(
                data, unit, first_of_row, never_as_zero, cohort, "cohort (first treated period)"
            )
            if weights is not None:
                _require_constant_within_unit(
                    data, unit, first_of_row, data[weights], weights, "weight"
                )
        if cluster is not None:
            _require_constant_within_unit(
                data, unit, first_of_row, data[cluster], cluster, "cluster"
            )
    rows = _Rows(
        unit=unit_codes,
        time=time_codes,
        cohort=data[cohort].to_numpy(dtype=float, na_value=np.nan),
        y=data[outcome].to_numpy(dtype=float, na_value=np.nan),
        x=_design(data, covariates),
        weight=None if weights is None else data[weights].to_numpy(dtype=float),
        cluster=None if cluster is None else _cluster_codes(data[cluster], lone, unit_codes),
    )
    return rows, np.asarray(time_values, dtype=float), lone


def _finite_rows(rows: _Rows, weights: str | None, exclusions: list[Exclusion]) -> _Rows:
    """Rows with a finite outcome, weight and covariates (the others counted)."""
    missing = np.isnan(rows.y) | np.isnan(rows.x[:, 1:]).any(axis=1)
    if rows.weight is not None:
        missing |= np.isnan(rows.weight)
    infinite = ~missing & ~(
        np.isfinite(rows.y)
        & np.isfinite(rows.x).all(axis=1)
        & (True if rows.weight is None else np.isfinite(rows.weight))
    )
    for mask, reason in (
        (missing, "missing outcome, weight or covariate"),
        (infinite, "infinite outcome, weight or covariate (e.g. the log of 0)"),
    ):
        if mask.any():
            exclusions.append(Exclusion(reason, int(mask.sum()), rows.count_units(mask)))
    if (missing | infinite).any():
        rows = rows.take(~(missing | infinite))
    if not len(rows.y):
        raise EstimationError(
            "no rows with a finite outcome, weight and covariates to estimate from"
        )
    if rows.weight is not None and not np.any(rows.weight > 0):
        raise InputError(
            "every usable weight is 0, so nothing can be estimated",
            column=weights,
            fix="give the units to estimate from positive weights",
        )
    return rows


def _coded_cohorts(
    rows: _Rows,
    time_values: np.ndarray,
    cohort: str,
    anticipation: int,
    exclusions: list[Exclusion],
) -> tuple[_Rows, np.ndarray]:
    """Cohorts coded as R ``did`` codes them (missing and late: never treated; always
    treated: dropped), each recoding counted; with the periods left."""
    unknown = np.isnan(rows.cohort)
    if unknown.any():
        exclusions.append(
            Exclusion(
                "first treated period missing: counted as never treated",
                0,
                rows.count_units(unknown),
            )
        )
    periods = time_values[np.bincount(rows.time, minlength=len(time_values)) > 0]
    g, late = _cohort_codes(rows.cohort, periods, anticipation)
    rows = replace(rows, cohort=g)
    if late.any():
        exclusions.append(
            Exclusion(
                "first treated after the last period: counted as never treated",
                0,
                rows.count_units(late),
            )
        )
    early = np.isfinite(g) & (g <= periods[0])
    if early.any():  # as R did: always-treated units are dropped (and counted)
        exclusions.append(
            Exclusion(
                f"treated from the first period ({periods[0]:g}) on: no untreated period "
                "to compare (always treated)",
                int(early.sum()),
                rows.count_units(early),
            )
        )
        rows = rows.take(~early)
        if not np.isfinite(rows.cohort).any():
            raise EstimationError(
                f"every treated unit is treated from the first period ({periods[0]:g}) on "
                f"(column {cohort!r}): no cohort has a pre-treatment period to compare with; "
                "use data starting before treatment"
            )
        periods = time_values[np.bincount(rows.time, minlength=len(time_values)) > 0]
    return rows, periods


def _last_cohort_as_control(
    rows: _Rows,
    periods: np.ndarray,
    time_values: np.ndarray,
    cohort: str,
    control_group: str,
    anticipation: int,
    exclusions: list[Exclusion],
) -> tuple[_Rows, np.ndarray]:
    """Without never-treated units: as R ``did``, the last cohort becomes the comparison
    group, so periods from its (anticipated) start on cannot be used."""
    if control_group == "never_treated":
        raise EstimationError(
            f"no never-treated units (cohort 0 or missing in column {cohort!r}) to use as "
            "controls with control_group='never_treated'; use "
            "control_group='not_yet_treated' or add never-treated units"
        )
    last = rows.cohort.max()
    cut = time_values[rows.time] >= last - anticipation
    exclusions.append(
        Exclusion(
            f"no never-treated units: periods from {last - anticipation:g} on dropped and "
            f"cohort {last:g} used as not-yet-treated comparison",
            int(cut.sum()),
            rows.count_units(cut),
        )
    )
    rows = rows.take(~cut)
    rows = replace(rows, cohort=np.where(rows.cohort == last, NEVER_TREATED, rows.cohort))
    periods = periods[periods < last - anticipation]
    if len(periods) < 2:
        raise EstimationError("fewer than two periods remain before the last cohort is treated")
    return rows, periods


def _clusterless_rows(data: pd.DataFrame, cluster: str, cohort: str) -> np.ndarray:
    """Rows without a cluster: allowed for never-treated units only (e.g. no partnership)."""
    lone = data[cluster].isna().to_numpy()
    g = data[cohort].to_numpy(dtype=float, na_value=np.nan)
    treated = lone & ~(np.isnan(g) | (g == 0))
    if treated.any():
        row = int(np.flatnonzero(treated)[0])
        raise InputError(
            "the cluster is missing for a treated unit",
            row=row,
            column=cluster,
            fix="give every treated unit its cluster (never-treated units may have none)",
        )
    return lone


def _cluster_codes(
    values: pd.Series, lone: np.ndarray, unit_codes: np.ndarray | None
) -> np.ndarray:
    """Cluster codes; a never-treated unit without a cluster is a cluster of its own."""
    codes, n_codes = _codes(values)
    if lone.any():
        own = unit_codes[lone] if unit_codes is not None else np.flatnonzero(lone)
        codes = codes.copy()
        codes[lone] = n_codes + own
    return codes


def _require_valid_cohorts(data: pd.DataFrame, cohort: str) -> None:
    values = data[cohort].to_numpy(dtype=float, na_value=np.nan)
    bad = (values < 0) | np.isinf(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"first treated periods must be 0 (never treated) or a period, found "
            f"{_plain(data[cohort].iloc[row])!r}",
            row=row,
            column=cohort,
            fix="code never-treated units 0 and treated ones by their first treated period",
        )


def _require_usable_weights(data: pd.DataFrame, weights: str) -> None:
    """Negative weights are refused; missing or infinite ones drop their rows later."""
    w = data[weights].to_numpy(dtype=float, na_value=np.nan)
    negative = w < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise InputError(
            f"weights must be non-negative, found {w[row]:g}",
            row=row,
            column=weights,
            fix="fix or drop rows with negative weights",
        )
    if not np.any(w[np.isfinite(w)] > 0):
        raise InputError(
            "every weight is 0 or missing, so nothing can be estimated",
            column=weights,
            fix="give the units to estimate from positive weights",
        )


def min_cohort_size(n_covariates: int) -> int:
    """Fewest units a treated cohort needs: one more than the model's parameters."""
    return n_covariates + 2


def _require_cohort_sizes(sample: DidSample, n_covariates: int, cohort: str) -> None:
    need = min_cohort_size(n_covariates)
    groups, sizes = np.unique(sample.cohort[np.isfinite(sample.cohort)], return_counts=True)
    small = sizes < need
    if small.any():
        entries = "units" if sample.panel else "rows"
        listed = ", ".join(
            f"{g:g} ({k} {entries})" for g, k in zip(groups[small], sizes[small], strict=True)
        )
        raise EstimationError(
            f"cohort(s) too small to estimate: {listed} in column {cohort!r}; each needs at "
            f"least {need} {entries} with {n_covariates} covariate(s) — merge small cohorts, "
            "drop them, or use fewer covariates"
        )


def _design(data: pd.DataFrame, covariates: list[str]) -> np.ndarray:
    x = np.ones((len(data), len(covariates) + 1))
    if covariates:
        x[:, 1:] = data[covariates].to_numpy(dtype=float, na_value=np.nan)
    return x


def _compact(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Sorted integer codes renumbered 0, 1, … over the codes present."""
    present = np.bincount(codes) > 0
    return (np.cumsum(present) - 1)[codes], int(present.sum())


def _scatter(values: np.ndarray, entry: np.ndarray, n_entries: int) -> np.ndarray:
    """``values`` placed at positions ``entry`` of ``n_entries`` rows, NaN elsewhere."""
    out = np.full((n_entries, *values.shape[1:]), np.nan)
    out[entry] = values
    return out


def _panel_sample(
    rows: _Rows, periods: np.ndarray, exclusions: list[Exclusion], *, balance: bool
) -> DidSample:
    n_periods = len(periods)
    units, n_units = _compact(rows.unit)
    complete = np.bincount(units, minlength=n_units) == n_periods
    if balance and not complete.all():
        dropped = ~complete[units]
        exclusions.append(
            Exclusion(
                "not observed in every period (panel balanced as R did does)",
                int(dropped.sum()),
                int(n_units - complete.sum()),
            )
        )
        rows = rows.take(~dropped)
        units = (np.cumsum(complete) - 1)[units[~dropped]]
        n_units = int(complete.sum())
    if not len(units):
        raise EstimationError(
            "no unit is observed in every period, so the balanced panel is empty; "
            "use allow_unbalanced_panel=True, or panel=False to treat the data as "
            "repeated cross-sections"
        )
    n_entries = n_units * n_periods
    entry = units * n_periods + rows.time
    y, x, observed = rows.y, rows.x, None
    if len(entry) < n_entries:
        observed = np.zeros(n_entries, dtype=bool)
        observed[entry] = True
        observed = observed.reshape(n_units, n_periods)
    if not np.array_equal(entry, np.arange(n_entries)):  # rows not in unit-period order
        y, x = _scatter(y, entry, n_entries), _scatter(x, entry, n_entries)
    first = _first_rows(units, n_units)
    first_of_row = first[units]
    return DidSample(
        panel=True,
        periods=periods,
        cohort=rows.cohort[first],
        y=y.reshape(n_units, n_periods),
        x=x.reshape(n_units, n_periods, rows.x.shape[1]),
        weights=np.ones(n_units) if rows.weight is None else rows.weight[first],
        cluster=None if rows.cluster is None else _compact(rows.cluster[first])[0],
        period_index=None,
        n_units=n_units,
        exclusions=tuple(exclusions),
        observed=observed,
        covariates_fixed=all(
            np.array_equal(rows.x[:, k], rows.x[first_of_row, k]) for k in range(1, x.shape[1])
        ),
    )


def _cross_section_sample(
    rows: _Rows, periods: np.ndarray, exclusions: list[Exclusion]
) -> DidSample:
    n = len(rows.y)
    return DidSample(
        panel=False,
        periods=periods,
        cohort=rows.cohort,
        y=rows.y,
        x=rows.x,
        weights=np.ones(n) if rows.weight is None else rows.weight,
        cluster=None if rows.cluster is None else _compact(rows.cluster)[0],
        period_index=rows.time,
        n_units=rows.count_units(np.ones(n, dtype=bool)),
        exclusions=tuple(exclusions),
    )
