"""Do a chain's existing schools slip when it takes on many new ones?

Design: a stacked event study (Cengiz et al. 2019). A chain's *surge* is its first year
of heavy intake (see :func:`partnership_eval.analyses.chain_growth.growth.heavy_intakes`). For every surge
year g there is one stack: the schools that were members at the end of g − 1
("existing" schools, in the chain at least a year by g), followed in the years
g − ``pre`` … g + ``post`` whatever happens to their membership afterwards (intention to
treat: a school that leaves at or after the surge stays in, so leavers cannot flatter
the chains they leave). Years before a school joined are left out: sponsored schools
are chosen on those very results, which would put their selection into the placebo.
Treated are the existing schools of chains whose surge is in g; the clean comparison
schools are the existing schools of chains with no surge up to the end of the window:
chains that have not surged *yet* (their surge comes after g + ``post``) and chains that
never surge (:meth:`IntakeDip.controls` counts both, stack by stack). Joining, leaving and
so the surge year are dated by the panel's May-test rule
(:func:`partnership_eval.panel.exposure_year`, through
:func:`~partnership_eval.analyses.chain_growth.growth.chain_memberships`): a school joining
after the May tests counts from the next year. Surges whose year before (the base year)
has no results cannot be placed as treated and are left out (their chains can still be
not-yet-surged comparisons in earlier stacks).

The event study is the impact engine's two-way fixed-effects event study on the stacked
data with stack × year fixed effects and school fixed effects: a treated school belongs
to one stack only, so its effect is in effect stack × school; a comparison school keeps
one fixed effect across all the stacks it appears in (one per stack would be collinear
with the stack × year effects). Standard errors are clustered by school, since a
comparison school appears in several stacks.

Estimand: the average change in existing schools' outcome in the surge year (event time
0) relative to the year before, beyond the change in not-yet- and never-surging chains'
existing schools over the same years. Identifying assumption: without the surge,
existing schools of surging chains would have moved like those of chains not surging
then (parallel trends, checked by event time −``pre``…−2; three years before the surge
by default). Restricting both groups to existing members keeps schools selected into a
chain on one unusual year (which then regresses to the mean) out of the surge-year
comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from partnership_eval.analyses.chain_growth.growth import (
    chain_memberships,
    chain_sizes,
    heavy_intakes,
)
from partnership_eval.data.store import DataTables
from partnership_eval.errors import EstimationError, InputError
from partnership_eval.exclusions import exclusion, exclusion_frame
from partnership_eval.impact.twfe import TwfeResult, twfe_event_study
from partnership_eval.labels import measure_label
from partnership_eval.panel import Area, area_schools, as_area, as_names, as_years, is_member
from partnership_eval.plots import coefficient_plot, event_study_plot
from partnership_eval.result import Result, tidy_frame


def _chain_rows(
    data: DataTables, kind: str | Sequence[str], area: Area
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Chain sizes and memberships of chains with a school in ``area``."""
    sizes, _ = chain_sizes(data.memberships, data.partnerships, kind)
    members, excluded = chain_memberships(data.memberships, data.partnerships, kind)
    if area is not None:
        local = area_schools(data.schools, area)["urn"]
        chains = members.loc[members["urn"].isin(local), "partnership_id"].unique()
        members = members[members["partnership_id"].isin(chains)]
        sizes = sizes[sizes["partnership_id"].isin(chains)]
    return sizes, members, excluded.drop(columns="step").to_dict("records")


def _outcome_rows(
    data: DataTables,
    outcome: str,
    phase: str | None,
    years: tuple[int, int] | None,
    exclusions: list[dict],
) -> pd.DataFrame:
    """Outcome rows in ``years`` of schools of ``phase``; other phases counted as dropped."""
    outcomes = data.outcomes[["urn", "year", "cohort_n", outcome]]
    if years is not None:
        outcomes = outcomes[outcomes["year"].between(*years)]
    if phase is not None:
        in_phase = data.schools.loc[data.schools["phase"].str.lower() == phase.lower(), "urn"]
        other = ~outcomes["urn"].isin(in_phase)
        if other.any():
            exclusions.append(
                exclusion(
                    f"outcome row of a school whose phase is not {phase!r} or unknown",
                    outcomes,
                    other,
                )
            )
        outcomes = outcomes[~other]
    return outcomes


def _surges(
    sizes: pd.DataFrame,
    members: pd.DataFrame,
    outcomes: pd.DataFrame,
    outcome: str,
    min_dose: float,
    min_joiners: int,
    exclusions: list[dict],
) -> pd.DataFrame:
    """Each chain's first heavy intake, ``used`` when it and its base year have results."""
    heavy = heavy_intakes(sizes, min_dose=min_dose, min_joiners=min_joiners)
    surges = heavy[heavy["first"]].drop(columns="first").reset_index(drop=True)
    result_years = set(outcomes.loc[outcomes[outcome].notna(), "year"].unique())
    surges["used"] = (surges["year"] - 1).isin(result_years) & surges["year"].isin(result_years)
    unplaced = surges.loc[~surges["used"], "partnership_id"]
    if len(unplaced):
        lost = members["partnership_id"].isin(unplaced)
        exclusions.append(
            {
                "reason": "chain whose first heavy intake has no results in that year or the "
                "year before (rows = chains)",
                "rows": len(unplaced),
                "schools": int(members.loc[lost, "urn"].nunique()),
            }
        )
    if not surges["used"].any():
        raise EstimationError(
            f"no chain has a heavy intake (at least {min_joiners} joiners and a dose of at "
            f"least {min_dose}) in a year with results before and after; lower min_dose or "
            "min_joiners, or widen the area"
        )
    return surges


CONTROL_ROLES = ("surging", "not yet surged", "never surges")
"""A school's role in a stack: treated, or one of the two kinds of clean comparison."""


def _existing_schools(
    members: pd.DataFrame, surges: pd.DataFrame, post: int, exclusions: list[dict]
) -> pd.DataFrame:
    """Per stack (surge year g): the members at the end of g − 1 of the chain surging in g
    (treated) and of chains with no surge by g + ``post`` (not yet surged, never surges)."""
    first_heavy = surges.set_index("partnership_id")["year"]
    members = members.assign(surge=members["partnership_id"].map(first_heavy))
    late = members["surge"].notna() & (members["join_year"] >= members["surge"])
    if late.any():
        exclusions.append(
            exclusion(
                "school that joined a surging chain in or after its surge (not existing)",
                members,
                late,
            )
        )
    stacks = pd.DataFrame({"stack": np.unique(surges.loc[surges["used"], "year"])})
    candidates = members[~late].merge(stacks, how="cross")
    role = pd.Series(
        np.select(
            [
                candidates["surge"] == candidates["stack"],
                candidates["surge"] > candidates["stack"] + post,
                candidates["surge"].isna(),
            ],
            CONTROL_ROLES,
            "",
        ),
        index=candidates.index,
    )
    existing = is_member(candidates["join_year"], candidates["leave_year"], candidates["stack"] - 1)
    chosen = (role != "") & existing
    return candidates[chosen].assign(role=pd.Categorical(role[chosen], categories=CONTROL_ROLES))


def _window_rows(
    candidates: pd.DataFrame,
    outcomes: pd.DataFrame,
    outcome: str,
    pre: int,
    post: int,
    exclusions: list[dict],
) -> pd.DataFrame:
    """Every year of the event window from each existing school's joining year on,
    whether or not it later left (intention to treat), with a result in ``outcome``."""
    rows = candidates.merge(outcomes, on="urn")
    in_window = rows["year"].between(rows["stack"] - pre, rows["stack"] + post)
    rows = rows[in_window & (rows["year"] >= rows["join_year"])]
    twice = rows.duplicated(["stack", "urn", "year"])
    if twice.any():
        exclusions.append(
            exclusion("school in two chains at once (first membership kept)", rows, twice)
        )
        rows = rows[~twice]
    no_result = rows[outcome].isna()
    if no_result.any():
        exclusions.append(
            exclusion(f"school-year without a result ({measure_label(outcome)})", rows, no_result)
        )
        rows = rows[~no_result]
    rows = rows.assign(
        treated=rows["role"] == "surging",
        left_by_end=(rows["leave_year"] <= rows["stack"] + post).fillna(False).astype(bool),
    )
    # A stack-year needs comparison schools: without them its year effect absorbs the
    # treated schools and nothing is learnt from it. A stack needs treated schools.
    cells = rows.groupby(["stack", "year"])["treated"].transform("all")
    stacks_with_treated = rows.groupby("stack")["treated"].transform("any")
    unusable = cells | ~stacks_with_treated
    if unusable.any():
        exclusions.append(
            exclusion(
                "stack-year without comparison schools, or stack without treated schools",
                rows,
                unusable,
            )
        )
        rows = rows[~unusable]
    return rows


def _coded_for_estimator(rows: pd.DataFrame, surges: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Event time, dose, and the unit and cohort of the stacked event study (stack × year
    effects are absorbed by the estimator)."""
    rows = rows.assign(
        event_time=rows["year"] - rows["stack"],
        dose=rows["partnership_id"]
        .map(surges.set_index("partnership_id")["dose"])
        .where(rows["treated"]),
        # A treated school is in one stack only; comparison schools keep one fixed effect
        # across stacks (nesting them in stacks would make the stack-year effects collinear).
        unit=rows["urn"] + 1_000_000 * rows["treated"],
    )
    rows["cohort"] = np.where(rows["treated"], rows["stack"], 0)
    columns = [
        "stack",
        "urn",
        "partnership_id",
        "join_year",
        "year",
        "event_time",
        outcome,
        "cohort_n",
        "treated",
        "role",
        "left_by_end",
        "dose",
    ]
    stacks = rows[[*columns, "unit", "cohort"]].sort_values(["stack", "urn", "year"])
    return stacks.reset_index(drop=True)


def intake_dip_stacks(
    data: DataTables,
    kind: str | Sequence[str] = "mat",
    *,
    outcome: str = "ks2_rwm_exp",
    min_dose: float = 0.5,
    min_joiners: int = 3,
    pre: int = 3,
    post: int = 1,
    area: Area = None,
    phase: str | None = None,
    years: tuple[int, int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """The stacked school × year data of the intake-dip event study.

    Returns
    -------
    stacks
        One row per stack, existing school and year in the window: stack (surge year),
        urn, partnership_id, join_year, year, event_time, the outcome, cohort_n, treated,
        role (surging, not yet surged, never surges: see :data:`CONTROL_ROLES`),
        left_by_end (the school had left its chain by the end of the window; kept),
        dose (the surging chain's dose; missing for comparison rows) and the coded
        columns unit and cohort used by the estimator.
    surges
        One row per surging chain: partnership_id, year (first heavy intake), chain_age,
        joiners, size_start, dose and used (False when its base year has no results).
    exclusions
        Every left-out set of rows with the reason.
    """
    if pre < 1 or post < 0:
        raise InputError(
            f"the event window needs pre >= 1 and post >= 0 years; got pre={pre}, post={post}"
        )
    if outcome not in data.outcomes.columns:
        raise InputError(
            f"outcome {outcome!r} is not a column of the outcomes table (parameter outcome)"
        )
    sizes, members, exclusions = _chain_rows(data, kind, area)
    outcomes = _outcome_rows(data, outcome, phase, years, exclusions)
    surges = _surges(sizes, members, outcomes, outcome, min_dose, min_joiners, exclusions)
    candidates = _existing_schools(members, surges, post, exclusions)
    rows = _window_rows(candidates, outcomes, outcome, pre, post, exclusions)
    return _coded_for_estimator(rows, surges, outcome), surges, exclusions


def _event_study(
    stacks: pd.DataFrame, outcome: str, pre: int, post: int, alpha: float
) -> TwfeResult:
    return twfe_event_study(
        stacks,
        outcome,
        "unit",
        "year",
        "cohort",
        absorb=[("stack", "year")],
        min_e=-pre,
        max_e=post,
        reference=-1,
        bin_endpoints=False,
        cluster="urn",
        alpha=alpha,
    )


@dataclass(frozen=True)
class IntakeDipSpec:
    """What the intake-dip study estimated: chains, outcome, heavy-intake rule, window."""

    kind: tuple[str, ...]
    outcome: str
    min_dose: float
    min_joiners: int
    dose_bands: tuple[float, ...]
    pre: int
    post: int
    area: str | tuple[str, ...] | None
    phase: str | None
    years: tuple[int, int] | None
    alpha: float


@dataclass(frozen=True)
class IntakeDip(Result):
    """The intake-dip event study, its sample, the surges and the estimate by dose.

    ``event_study`` is the engine's :class:`~partnership_eval.impact.twfe.TwfeResult`
    (``table`` by event time); ``by_dose`` repeats the estimate at event time 0 for
    surges in each dose band; ``truth`` (synthetic data whose truth table allows it) is
    :func:`intake_dip_truth`.
    """

    spec: IntakeDipSpec
    event_study: TwfeResult
    stacks: pd.DataFrame
    surges: pd.DataFrame
    by_dose: pd.DataFrame
    exclusions: pd.DataFrame = field(default_factory=exclusion_frame)
    truth: dict | None = None
    title = "Intake dip"

    @property
    def headline_label(self) -> str:  # type: ignore[override]
        return (
            f"change in existing schools' {measure_label(self.spec.outcome)} in a chain's first heavy-intake "
            "year (pp, vs chains that had not surged yet or never did)"
        )

    def tidy(self) -> pd.DataFrame:
        """The estimate by event time, event time 0 (the surge year) first."""
        table = self.event_study.table.copy()
        at_zero = self.stacks[self.stacks["event_time"] == 0]
        table = table.assign(
            term="event time " + table["event_time"].astype(str),
            n_treated=at_zero.loc[at_zero["treated"], "urn"].nunique(),
            n_comparison=at_zero.loc[~at_zero["treated"], "urn"].nunique(),
            order=(table["event_time"] != 0).astype(int),
        ).sort_values(["order", "event_time"])
        return tidy_frame(table.drop(columns="order"), alpha=self.alpha)

    def headline(self) -> dict:
        """The surge-year estimate as the results.json headline, with its planted target."""
        return {**super().headline(), "truth": None if self.truth is None else self.truth["target"]}

    def controls(self) -> pd.DataFrame:
        """Who is compared in each stack (surge year): chains and existing schools that
        surge then (treated), that have not surged yet, and that never surge; indexed by
        stack, with a total row."""
        rows = self.stacks
        counts = rows.groupby(["stack", "role"], observed=False).agg(
            chains=("partnership_id", "nunique"), schools=("urn", "nunique")
        )
        table = counts.unstack("role")
        table.columns = [f"{what}, {role}" for what, role in table.columns]
        order = [f"{w}, {r}" for r in CONTROL_ROLES for w in ("chains", "schools")]
        table = table[order].astype("int64")
        chosen = rows.drop_duplicates(["role", "partnership_id", "urn"])
        total = chosen.groupby("role", observed=False).agg(
            chains=("partnership_id", "nunique"), schools=("urn", "nunique")
        )
        table.loc["all stacks"] = [
            int(total.loc[r, w]) for r in CONTROL_ROLES for w in ("chains", "schools")
        ]
        return table.rename_axis("surge year")

    def placebos(self) -> pd.DataFrame:
        """Event times before the base year: where the true change is zero."""
        table = self.tidy()
        return table[table["event_time"] < -1].sort_values("event_time")

    def failed_placebos(self) -> pd.DataFrame:
        """Placebo event times whose interval excludes zero: parallel trends in doubt."""
        placebos = self.placebos()
        return placebos[(placebos["ci_low"] > 0) | (placebos["ci_high"] < 0)]

    def warning(self) -> str | None:
        """A bold warning when a placebo before the surge fails, else None."""
        failed = self.failed_placebos()
        if failed.empty:
            return None
        years = " and ".join(f"{abs(int(e))} years" for e in failed["event_time"])
        return (
            f"**Warning: the placebo check fails ({years} before the surge, the interval "
            "excludes zero).** Existing schools of surging chains were already moving "
            "differently from the comparison schools before the surge, so the surge-year "
            "estimate should not be read as the effect of the intake."
        )

    @property
    def details(self) -> dict:
        """Surging chains with results in the surge year, their mean dose, how many treated
        schools left their chain by the end of the window (kept) and (synthetic data) the
        planted dip."""
        zero = self.stacks[self.stacks["event_time"] == 0]
        at_zero = zero[zero["treated"]]
        leavers = self.stacks.loc[self.stacks["treated"] & self.stacks["left_by_end"], "urn"]
        return {
            "n_chains": int(at_zero["partnership_id"].nunique()),
            "n_not_yet": int(zero.loc[zero["role"] == "not yet surged", "urn"].nunique()),
            "n_never": int(zero.loc[zero["role"] == "never surges", "urn"].nunique()),
            "mean_dose": float(at_zero["dose"].mean()),
            "n_treated_leavers": int(leavers.nunique()),
            "planted_dip": None if self.truth is None else self.truth["planted_dip"],
        }

    def summary(self) -> str:
        """The finding in plain words."""
        h = {**self.headline(), **self.details}
        p = self.spec
        level = self.level
        lines = [
            f"{h['n_chains']} chains had a heavy intake (at least {p.min_joiners} joiners "
            f"and at least {p.min_dose:g} joiners per school already there; mean dose "
            f"{h['mean_dose']:.2f}).",
            f"In that year their {h['n_treated']} existing schools changed by "
            f"{h['estimate']:+.2f} points ({level} CI {h['ci_low']:+.2f} to "
            f"{h['ci_high']:+.2f}) relative to {h['n_comparison']} existing schools of chains "
            f"not surging then ({h['n_not_yet']} in chains that surge later, {h['n_never']} "
            f"in chains that never do; {h['n_treated_leavers']} of the treated schools left "
            "their chain by the end of the window and stay in the estimate: intention to "
            "treat).",
        ]
        if self.truth is not None:
            lines.append(
                f"Synthetic data: planted dip {self.truth['planted_dip']:+.2f} points in the "
                f"surge year; net of planted dips in the base year and on comparison "
                f"schools, the estimate should be {self.truth['target']:+.2f}."
            )
        for row in self.placebos().itertuples():
            lines.append(
                f"Placebo, {abs(row.event_time)} years before: {row.estimate:+.2f} "
                f"({level} CI {row.ci_low:+.2f} to {row.ci_high:+.2f})."
            )
        warning = self.warning()
        return "\n".join([warning, *lines] if warning else lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Event study around the surge, with the planted target on synthetic data."""
        ax = event_study_plot(
            self.event_study.table,
            ax=ax,
            label="existing schools",
            band_label=f"{self.level} pointwise interval",
            reference=-1,
            ylabel="change in % meeting the standard (points)",
            xlabel="years since the heavy intake (0 = surge year)",
            title="Existing schools around a heavy intake",
        )
        if self.truth is not None:
            ax.axhline(self.truth["target"], color="#D55E00", ls=":", label="planted (target)")
            ax.legend(frameon=False)
        return ax

    def plot_by_dose(self, ax: Axes | None = None) -> Axes:
        """The surge-year estimate by dose band."""
        table = self.by_dose.dropna(subset=["estimate"]).reset_index()
        return coefficient_plot(
            table.rename(columns={"dose_band": "term"}),
            ax=ax,
            xlabel="change in the surge year (points)",
            title="By dose (joiners per school already in the chain)",
        )


def _by_dose(
    stacks: pd.DataFrame, outcome: str, bands: Sequence[float], pre: int, post: int, alpha: float
) -> pd.DataFrame:
    edges = [*bands, np.inf]
    band = pd.cut(stacks["dose"], edges, right=False)
    rows = []
    for interval in band.cat.categories:
        chosen = ~stacks["treated"] | (band == interval)
        sample = stacks[chosen]
        treated = sample[sample["treated"] & (sample["event_time"] == 0)]
        row = {
            "dose_band": f"{interval.left:g}+"
            if interval.right == np.inf
            else f"{interval.left:g}-{interval.right:g}",
            "n_chains": treated["partnership_id"].nunique(),
            "n_treated": treated["urn"].nunique(),
            "n_pupils": int(treated["cohort_n"].sum()),
            "mean_dose": treated["dose"].mean(),
            "estimate": np.nan,
            "se": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
        }
        try:
            table = _event_study(sample, outcome, pre, post, alpha).table.set_index("event_time")
            row.update(table.loc[0, ["estimate", "se", "ci_low", "ci_high"]].to_dict())
        except (EstimationError, KeyError):
            pass  # too few surges in this band to estimate; reported as missing
        rows.append(row)
    return pd.DataFrame(rows).set_index("dose_band")


def intake_dip_truth(
    truth: pd.DataFrame | None,
    stacks: pd.DataFrame,
    outcome: str = "ks2_rwm_exp",
    *,
    pre: int = 3,
    post: int = 1,
) -> dict | None:
    """The planted intake dip on the study's schools, from a synthetic truth table.

    Needs truth rows of programme ``mat_intake_dip`` given per partnership (mean planted
    effect per chain × joining cohort × year; unlisted years have no effect). Returns
    ``planted_dip``, the mean planted effect on the treated existing schools in their
    surge year, and ``target``, what the event study estimates at event time 0 when the
    outcome is the planted effect itself (the planted dip net of planted effects in the
    base year and on comparison schools). None when the truth table has no such rows.
    """
    if truth is None or "partnership_id" not in truth.columns:
        return None
    planted = truth[(truth["programme"] == "mat_intake_dip") & truth["partnership_id"].notna()]
    if planted.empty:
        return None
    effect = planted.groupby(["partnership_id", "cohort", "year"])["effect"].mean()
    key = pd.MultiIndex.from_frame(
        stacks[["partnership_id", "join_year", "year"]].astype({"join_year": "int64"})
    )
    tau = effect.reindex(key).fillna(0.0).to_numpy()
    at_zero = (stacks["treated"] & (stacks["event_time"] == 0)).to_numpy()
    study = _event_study(stacks.assign(**{outcome: tau}), outcome, pre, post, 0.05)
    return {
        "planted_dip": float(tau[at_zero].mean()),
        "target": float(study.table.set_index("event_time").loc[0, "estimate"]),
    }


def intake_dip(
    data: DataTables,
    kind: str | Sequence[str] = "mat",
    *,
    outcome: str = "ks2_rwm_exp",
    min_dose: float = 0.5,
    min_joiners: int = 3,
    dose_bands: Sequence[float] = (0.5, 1.0),
    pre: int = 3,
    post: int = 1,
    area: Area = None,
    phase: str | None = None,
    years: tuple[int, int] | None = None,
    alpha: float = 0.05,
) -> IntakeDip:
    """Event study of a chain's existing schools around its first heavy intake.

    ``by_dose`` (indexed by dose band) gives the surge-year estimate for surging chains
    in each band, with n_pupils, the pupils of their treated schools in the surge year.

    Parameters
    ----------
    data
        Canonical tables (with outcomes).
    kind
        Partnership kind(s) counted as chains.
    outcome
        Outcome column (default: % meeting the expected standard in RWM).
    min_dose, min_joiners
        What counts as a heavy intake (see :func:`partnership_eval.analyses.chain_growth.growth.heavy_intakes`).
    dose_bands
        Lower bounds of the dose bands for the estimate by dose (the last is open).
    pre, post
        Years shown before and after the surge (event time −1 is the reference); the
        years before −1 are placebo checks. Surges with fewer earlier years with results
        contribute the years they have.
    area, phase
        Chains with a school in this area; outcome schools of this phase.
    years
        First and last academic year of results used; surges whose window falls
        outside are left out.
    alpha
        1 − confidence level.

    Examples
    --------
    >>> dip = intake_dip(read_tables("data/processed"))  # doctest: +SKIP
    >>> dip.headline()["estimate"], dip.headline()["ci_low"]  # doctest: +SKIP
    """
    stacks, surges, exclusions = intake_dip_stacks(
        data,
        kind,
        outcome=outcome,
        min_dose=min_dose,
        min_joiners=min_joiners,
        pre=pre,
        post=post,
        area=area,
        phase=phase,
        years=years,
    )
    if not stacks["treated"].any() or stacks["treated"].all():
        raise EstimationError(
            "the intake-dip event study needs existing schools of both surging and "
            f"non-surging chains with {outcome} results; found "
            f"{int(stacks['treated'].sum())} treated and {int((~stacks['treated']).sum())} "
            "comparison school-years"
        )
    study = _event_study(stacks, outcome, pre, post, alpha)
    spec = IntakeDipSpec(
        kind=as_names(kind),
        outcome=outcome,
        min_dose=min_dose,
        min_joiners=min_joiners,
        dose_bands=tuple(dose_bands),
        pre=pre,
        post=post,
        area=as_area(area),
        phase=phase,
        years=as_years(years),
        alpha=alpha,
    )
    return IntakeDip(
        spec=spec,
        event_study=study,
        stacks=stacks,
        surges=surges,
        by_dose=_by_dose(stacks, outcome, dose_bands, pre, post, alpha),
        exclusions=exclusion_frame(exclusions, step="intake dip"),
        truth=intake_dip_truth(data.truth, stacks, outcome, pre=pre, post=post),
    )
