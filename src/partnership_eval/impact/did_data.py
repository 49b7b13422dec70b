"""Input for staggered difference-in-differences: validated once, turned into arrays.

Everything the estimators need is checked here, at the door: column names and types,
duplicate unit-time rows, treatment timing that is constant within a unit, weights and
clusters constant within a unit. Rows and units that cannot be used are counted and
reported (:class:`Exclusion`), never dropped silently. Panels are balanced as R ``did``
does with ``panel=TRUE``: a unit missing in any period is left out of every cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    first treated period, :data:`NEVER_TREATED` for never treated units.
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

    @property
    def n_obs(self) -> int:
        """Entries the influence functions run over (units, or rows without a panel)."""
        return len(self.cohort)

    @property
    def cohorts(self) -> np.ndarray:
        """Treated cohorts (first treated periods), ascending."""
        return np.unique(self.cohort[np.isfinite(self.cohort)])


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


def _require_numeric(df: pd.DataFrame, column: str, role: str) -> None:
    series = df[column]
    if ptypes.is_bool_dtype(series) or not ptypes.is_numeric_dtype(series):
        raise InputError(
            f"the {role} must be numeric, found dtype {series.dtype}",
            column=column,
            fix="convert it with pandas.to_numeric (blank or suppressed values become NaN)",
        )


def _plain(value: object) -> object:
    """A numpy scalar as the Python value, so messages read 2011 rather than np.int64(2011)."""
    return value.item() if isinstance(value, np.generic) else value


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of ``values`` in sorted order (missing values get -1) and their count."""
    codes, uniques = pd.factorize(values, sort=True)
    return codes, len(uniques)


def _first_rows(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Position of each code's first row."""
    first = np.empty(n_codes, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return first


def _require_constant_within_unit(
    df: pd.DataFrame, unit: str, units: np.ndarray, values: pd.Series, column: str, role: str
) -> None:
    codes, _ = _codes(values)
    first = _first_rows(units, int(units.max()) + 1)
    varies = codes != codes[first[units]]
    if varies.any():
        bad = _plain(df[unit].iloc[int(np.argmax(varies))])
        raise InputError(
            f"the {role} must be the same in every period of a unit; unit {bad!r} has several",
            column=column,
            fix=f"give each {unit} one {role} value",
        )


def _require_unique_unit_time(
    df: pd.DataFrame, unit: str, time: str, units: np.ndarray, times: np.ndarray
) -> None:
    key = units * (int(times.max()) + 1) + times
    dup = np.bincount(key)[key] > 1
    if dup.any():
        row = int(np.argmax(dup))
        u, t = (_plain(df[c].iloc[row]) for c in (unit, time))
        raise InputError(
            f"{int(dup.sum())} rows share a ({unit}, {time}) pair, e.g. {unit}={u!r}, {time}={t!r}",
            row=row,
            fix="keep one row per unit and period (aggregate or drop the duplicates)",
        )


def _cohort_codes(raw: pd.Series, periods: np.ndarray) -> tuple[np.ndarray, int]:
    """First treated periods with 0/NaN and after-the-panel cohorts coded never treated."""
    g = raw.to_numpy(dtype=float, na_value=np.nan)
    never = np.isnan(g) | (g == 0)
    late = ~never & (g > periods[-1])
    g = np.where(never | late, NEVER_TREATED, g)
    return g, int(late.sum())


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
) -> DidSample:
    """Validate ``df`` and turn it into a :class:`DidSample`.

    Raises
    ------
    InputError
        Unknown columns, non-numeric outcome/time/cohort/covariates, duplicate
        unit-time rows, values that should be constant within a unit but are not.
    EstimationError
        A design the estimator cannot use: a cohort treated in the first period, no
        never-treated units with ``control_group="never_treated"``, an empty sample.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if panel and unit is None:
        raise InputError("panel data need a unit column", fix="pass unit=... or panel=False")
    covariates = list(covariates)
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
    _require_numeric(df, outcome, "outcome")
    _require_numeric(df, time, "time")
    _require_numeric(df, cohort, "cohort (first treated period)")
    for c in covariates:
        _require_numeric(df, c, "covariate")
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
    if weights is not None:
        w = data[weights].to_numpy(dtype=float, na_value=np.nan)
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            row = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
            raise InputError(
                "weights must be finite and non-negative",
                row=row,
                column=weights,
                fix="fix or drop rows with missing or negative weights",
            )
    if unit is not None:
        units, _ = _codes(data[unit])
        if panel:
            _require_unique_unit_time(data, unit, time, units, _codes(data[time])[0])
            never_as_zero = data[cohort].fillna(0)
            _require_constant_within_unit(
                data, unit, units, never_as_zero, cohort, "cohort (first treated period)"
            )
            if weights is not None:
                _require_constant_within_unit(data, unit, units, data[weights], weights, "weight")
        if cluster is not None:
            _require_constant_within_unit(data, unit, units, data[cluster], cluster, "cluster")

    exclusions: list[Exclusion] = []
    incomplete = data[[outcome, *covariates]].isna().any(axis=1).to_numpy()
    if incomplete.any():
        units = data.loc[incomplete, unit].nunique() if unit is not None else int(incomplete.sum())
        exclusions.append(
            Exclusion("missing outcome or covariate", int(incomplete.sum()), int(units))
        )
        data = data.loc[~incomplete]
    if data.empty:
        raise EstimationError("no rows with a non-missing outcome and covariates to estimate from")

    periods = np.sort(data[time].unique().astype(float))
    g, n_late = _cohort_codes(data[cohort], periods)
    data = data.assign(_g=g)
    if n_late:
        late = data[cohort].to_numpy(dtype=float, na_value=0) > periods[-1]
        exclusions.append(
            Exclusion(
                "first treated after the last period: counted as never treated",
                0,
                int(data.loc[late, unit].nunique() if unit is not None else late.sum()),
            )
        )

    early = np.isfinite(g) & (g <= periods[0])
    if early.any():
        bad = np.unique(g[early])
        n_bad = data.loc[early, unit].nunique() if unit is not None else int(early.sum())
        raise EstimationError(
            f"cohort {bad[0]:g} is treated in the first period ({periods[0]:g}): "
            f"{n_bad} unit(s) have no pre-treatment period to compare with "
            f"(column {cohort!r}); drop these units or use data starting before treatment"
        )

    if not np.isinf(g).any():
        if control_group == "never_treated":
            raise EstimationError(
                f"no never-treated units (cohort 0 or missing in column {cohort!r}) to use as "
                "controls with control_group='never_treated'; use "
                "control_group='not_yet_treated' or add never-treated units"
            )
        # As R `did`: the last cohort becomes the comparison group, so periods from
        # its (anticipated) start on cannot be used.
        last = g.max()
        cut = data[time].to_numpy(dtype=float) >= last - anticipation
        n_cut_units = data.loc[cut, unit].nunique() if unit is not None else int(cut.sum())
        exclusions.append(
            Exclusion(
                f"no never-treated units: periods from {last - anticipation:g} on dropped and "
                f"cohort {last:g} used as not-yet-treated comparison",
                int(cut.sum()),
                int(n_cut_units),
            )
        )
        data = data.loc[~cut].assign(_g=lambda d: np.where(d["_g"] == last, NEVER_TREATED, d["_g"]))
        periods = periods[periods < last - anticipation]
        if len(periods) < 2:
            raise EstimationError("fewer than two periods remain before the last cohort is treated")

    if panel:
        sample = _panel_sample(
            data, unit, time, outcome, covariates, weights, cluster, periods, exclusions
        )
    else:
        sample = _cross_section_sample(
            data, time, outcome, covariates, weights, cluster, periods, exclusions, unit
        )
    _require_cohort_sizes(sample, len(covariates), cohort)
    return sample


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
        x[:, 1:] = data[covariates].to_numpy(dtype=float)
    return x


def _cluster_codes(data: pd.DataFrame, cluster: str | None) -> np.ndarray | None:
    if cluster is None:
        return None
    codes, _ = pd.factorize(data[cluster], sort=True)
    return codes.astype(np.int64)


def _panel_sample(
    data: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    covariates: list[str],
    weights: str | None,
    cluster: str | None,
    periods: np.ndarray,
    exclusions: list[Exclusion],
) -> DidSample:
    n_periods = len(periods)
    units, n_units = _codes(data[unit])
    complete = np.bincount(units, minlength=n_units) == n_periods
    if not complete.all():
        dropped = ~complete[units]
        exclusions.append(
            Exclusion(
                "not observed in every period (panel balanced as R did does)",
                int(dropped.sum()),
                int(n_units - complete.sum()),
            )
        )
        data = data.loc[~dropped]
        units = (np.cumsum(complete) - 1)[units[~dropped]]
        n_units = int(complete.sum())
    if data.empty:
        raise EstimationError(
            "no unit is observed in every period, so the balanced panel is empty; "
            "use panel=False to treat the data as repeated cross-sections"
        )
    times = np.searchsorted(periods, data[time].to_numpy(dtype=float))
    y = np.empty((n_units, n_periods))
    y[units, times] = data[outcome].to_numpy(dtype=float)
    x = np.empty((n_units, n_periods, len(covariates) + 1))
    x[units, times] = _design(data, covariates)
    firsts = data.iloc[_first_rows(units, n_units)]
    return DidSample(
        panel=True,
        periods=periods,
        cohort=firsts["_g"].to_numpy(dtype=float),
        y=y,
        x=x,
        weights=(firsts[weights].to_numpy(dtype=float) if weights else np.ones(n_units)),
        cluster=_cluster_codes(firsts, cluster),
        period_index=None,
        n_units=n_units,
        exclusions=tuple(exclusions),
    )


def _cross_section_sample(
    data: pd.DataFrame,
    time: str,
    outcome: str,
    covariates: list[str],
    weights: str | None,
    cluster: str | None,
    periods: np.ndarray,
    exclusions: list[Exclusion],
    unit: str | None,
) -> DidSample:
    n = len(data)
    return DidSample(
        panel=False,
        periods=periods,
        cohort=data["_g"].to_numpy(dtype=float),
        y=data[outcome].to_numpy(dtype=float),
        x=_design(data, covariates),
        weights=(data[weights].to_numpy(dtype=float) if weights else np.ones(n)),
        cluster=_cluster_codes(data, cluster),
        period_index=np.searchsorted(periods, data[time].to_numpy(dtype=float)),
        n_units=int(data[unit].nunique()) if unit is not None else n,
        exclusions=tuple(exclusions),
    )
