# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: partnership_eval (Python 3)
#     language: python
#     name: partnership-eval
# ---

# %% tags=["parameters"]
area: str = "Cumbria"  # LA name, three-digit LA code or region whose partnership schools are evaluated
more_las: list[str] = []  # further LAs or regions pooled with area
data_dir: str = ""  # canonical tables (empty: $PARTNERSHIP_EVAL_DATA, else the nearest data/processed)
kind: str = "cluster"  # partnership kind that counts as treatment (cluster, federation, umbrella_trust, mat, triad, collaborative)
outcome: str = "ks2_rwm_exp"  # ks2_rwm_exp, read_prog, writ_prog, mat_prog or disadv_gap
comparison: str = "never_treated"  # never_treated, not_yet_treated or matched
covariates: list[str] = []  # baseline covariates for the doubly robust estimator, e.g. ["fsm_pct", "pupils"]
size_threshold: int = 150  # only schools with fewer pupils, treated and comparison alike (0: any size)
pool: str = "england"  # comparison schools from: england, region or area
first_year: int = 0  # first academic year, named by the year it ends (0: first with results)
last_year: int = 0  # last academic year (0: last with results)
balanced: bool = True  # only schools with a result every year (False: every result, as repeated cross-sections)
n_boot: int = 199  # multiplier-bootstrap draws for the uniform bands (0: analytic intervals)
seed: int = 0  # seed of the bootstrap and of matching ties

# %%
from IPython.display import Markdown

from partnership_eval import evaluation as ev
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import suppress
from partnership_eval.evaluation import figures
from partnership_eval.evaluation.outcomes import OUTCOME_LABELS
from partnership_eval.reporting import find_data_dir, save_results

data = read_tables(find_data_dir(data_dir))
years = None
if first_year or last_year:
    known = data.outcomes["year"]
    years = (first_year or int(known.min()), last_year or int(known.max()))
design = ev.impact_design(
    data,
    [area, *more_las],
    kind=kind,
    size_threshold=size_threshold or None,
    pool=pool,
    years=years,
)
label = OUTCOME_LABELS.get(outcome, outcome)
span = f"{design.years[0]} to {design.years[-1]}"
Markdown(
    f"# Did {kind.replace('_', ' ')} partnerships in {design.area} raise attainment?\n\n"
    f"This report estimates the effect of joining a {kind.replace('_', ' ')} partnership on "
    f"{label}, comparing the {design.n_treated} schools of {design.area} that joined with "
    f"{design.n_comparison} similar schools that never did, {span}. Results are estimates "
    "with intervals, not verdicts: each rests on assumptions the report tests where it can "
    "and names where it cannot."
)

# %% [markdown]
# ## 1. Who joined, and who they are compared with
#
# Treated schools by the academic year they first belonged to a partnership, their size
# and setting. The comparison schools never belonged to one; when a size threshold is set
# they are under it too, because small rural schools were on a different path from other
# schools before any partnership began.

# %%
print(design.summary())
suppress(design.joiners_table())  # counts of schools, not of pupils

# %%
suppress(design.pool_table())  # counts of schools

# %% [markdown]
# Balance: how far the comparison schools differ from the treated ones before the start,
# as means and standardised mean differences (SMD; above about 0.1 is a visible
# imbalance), for all comparison schools and for the matched comparison group (the
# nearest two for each treated school on these characteristics).

# %%
matched = ev.match_comparison(design, seed=seed)
balance = matched.balance_table()
worst = balance["SMD before"].abs().max()
suppress(balance.round(2))  # means of schools, not pupil counts

# %%
Markdown(
    f"Largest imbalance before matching: SMD {worst:.2f}"
    + (" — **the groups differ noticeably before the start**." if worst > 0.25 else ".")
    + (
        f" Not known for the treated schools, so not matched on: {', '.join(matched.dropped_covariates)}."
        if matched.dropped_covariates
        else ""
    )
)

# %% [markdown]
# ## 2. Raw trends
#
# The mean result of treated and comparison schools each year, among schools with a
# published result. Years without KS2 tests (2020, 2021) are a gap, not a line. The dashed
# line, where shown, is every never-treated school of any size: the naive comparison.

# %%
trends = ev.raw_trends(design, outcome)
figures.trends_plot(trends, outcome, starts=design.cohorts, title=f"{label}, {design.area}")

# %%
suppress(
    ev.trend_table(trends).round(1),
    counts=[c for c in ev.trend_table(trends).columns if c.startswith("pupils")],
)

# %% [markdown]
# ## 3. The estimate
#
# Staggered difference-in-differences (Callaway & Sant'Anna 2021): each start-year cohort
# is compared with the comparison schools from the year before it started, so schools
# that joined earlier never serve as controls for later ones. The figure averages those
# effects by years since joining, with a uniform 95% band (it covers every year's effect
# at once); years before 0 are checks, where the true effect is zero.

# %%
main = ev.estimate_impact(
    design,
    outcome,
    comparison=comparison,
    covariates=covariates,
    balanced=balanced,
    n_boot=n_boot,
    seed=seed,
)
print(main.summary())
main.plot(title=f"Effect by years since joining, {design.area}")

# %%
suppress(main.exclusions)  # numbers of school-years and schools left out, with the reason

# %%
robust = ev.robustness_checks(design, main, seed=seed)
mde = robust.mde.mde if robust.mde is not None else None
pretest_p = main.pretest_p
warning = (
    f"\n\n**Warning: the pre-trend test rejects parallel trends before the start "
    f"(p = {pretest_p:.3f}); the estimate should not be read as the effect.**"
    if pretest_p is not None and pretest_p < 0.05
    else ""
)
dropped = design.n_treated - main.n_treated
Markdown(
    f"**Overall effect: {main.sentence()}**, from {main.n_treated} treated and "
    f"{main.n_comparison} comparison schools.\n\n"
    + (
        f"**{dropped} of the {design.n_treated} treated schools are not in this estimate**: "
        f"they lack a usable {label} result in at least one year (mostly results suppressed "
        "for 5 or fewer pupils, see the table above), so the estimate speaks for the larger "
        "of the small schools. Setting `balanced=False` uses every published result instead; "
        "section 4 shows that estimate too.\n\n"
        if dropped
        else ""
    )
    + ev.interval_reading(main.simple.ci_low, main.simple.ci_high, mde)
    + warning
    + "".join(f"\n\n**Caution:** {note}" for note in ev.caveats(design, main))
)

# %% [markdown]
# ## 4. Robustness
#
# The same question under different choices. If the estimates move a lot, the answer
# depends on the choice, and the report says so rather than picking one. The naive row
# compares with every never-treated school regardless of size; two-way fixed effects
# (TWFE) is the regression many evaluations use, shown beside the staggered estimate; the
# placebo pretends schools started a year early, where the right answer is zero.

# %%
robust.plot(title=f"Overall effect under different choices, {design.area}")

# %%
suppress(robust.table.round(2))  # estimates and school counts

# %%
lines = []
if pretest_p is not None:
    lines.append(
        f"Pre-trend test (all effects before the start are zero): p = {pretest_p:.3f}"
        + (" — parallel trends are in doubt." if pretest_p < 0.05 else ", no evidence against.")
    )
lines += list(robust.notes.values())
if robust.mde is not None:
    lines.append(robust.mde.summary())
Markdown("\n\n".join(lines))

# %% [markdown]
# TWFE beside the staggered estimate, by years since joining, and the Goodman-Bacon
# decomposition of the TWFE coefficient: which two-group comparisons it averages, and
# with what weight. Comparisons that use already-treated schools as controls are biased
# when effects grow with time.

# %%
twfe_table = robust.twfe.table if robust.twfe is not None else None
figures.event_study_plot(
    main.event_study(), outcome, twfe=twfe_table, title="Staggered DiD and TWFE event studies"
)

# %%
suppress(robust.bacon.by_type().round(3)) if robust.bacon is not None else Markdown(
    "No Goodman-Bacon decomposition: " + robust.notes.get("twfe", "not computed")
)

# %% [markdown]
# ## 5. For whom? Size, rurality, disadvantage
#
# The effect within subgroups, each compared with comparison schools of the same
# subgroup. Subgroups are small: wide intervals, and differences between them are not
# tested. Then the effect on disadvantaged and other pupils' results and on the gap
# between them (every published result is used; group results are often suppressed).

# %%
subgroups = ev.subgroup_effects(
    design, outcome, comparison=comparison, balanced=balanced, seed=seed
)
subgroups.plot(title="Effect by subgroup")

# %%
suppress(subgroups.table.round(2))

# %%
gap = ev.outcome_effects(design, seed=seed)
suppress(gap.table.round(2))

# %% [markdown]
# ## 6. Other outcomes the programme claimed
#
# Schools below the KS2 floor standard (2016-2019 definition: under 65% meeting the
# expected standard in RWM *and* a progress score below −5 in reading, −7 in writing or −5
# in maths; not applied to cohorts under 11 pupils) and schools graded good or better by
# Ofsted, before the first start and after the last, treated against comparison. These
# are descriptive shares without intervals. The floor standard did not exist before 2016,
# so for partnerships that began earlier there is no "before" for it.

# %%
claims = ev.claimed_outcomes(design, data.inspections)
claims.plot(title=f"Floor standard and Ofsted grades, {design.area}")

# %%
suppress(claims.before_after.round(1))  # shares of school-years; counts of schools

# %% [markdown]
# ## 7. Appendix: estimates against the planted truth
#
# Only on synthetic data, where the true effect of every partnership was planted: each
# estimate beside the effect planted for exactly the schools it used. A good design's
# intervals cover the truth; the naive comparison and TWFE show how far other choices
# land from it.

# %%
truth = main.truth
if data.synthetic and truth is not None:
    covered = main.simple.ci_low <= truth <= main.simple.ci_high
    appendix = Markdown(
        f"Planted overall effect: {truth:.2f}; estimate {main.simple.att:.2f} "
        f"({main.simple.ci_low:.2f} to {main.simple.ci_high:.2f}) — the interval "
        f"{'covers' if covered else '**does not cover**'} it. TWFE is "
        + (
            f"{robust.table.set_index('check').loc['two-way fixed effects (TWFE), same schools', 'estimate'] - truth:+.2f} "
            "points from the truth."
            if robust.twfe is not None
            else "not available."
        )
    )
else:
    appendix = Markdown("Real data: there is no planted truth to compare with.")
appendix

# %%
suppress(robust.table[["check", "estimate", "ci_low", "ci_high", "truth"]].round(2))

# %%
save_results(
    report="01_cluster_impact",
    area=design.area,
    parameters={
        "area": area,
        "more_las": more_las,
        "kind": kind,
        "outcome": outcome,
        "comparison": comparison,
        "covariates": covariates,
        "size_threshold": size_threshold,
        "pool": pool,
        "years": design.years,
        "balanced": balanced,
        "n_boot": n_boot,
        "seed": seed,
    },
    synthetic=data.synthetic,
    headline={
        "label": f"Effect on {label} (points), simple aggregate",
        "estimate": main.simple.att,
        "se": main.simple.se,
        "ci_low": main.simple.ci_low,
        "ci_high": main.simple.ci_high,
        "truth": truth,
        "n_treated": main.n_treated,
        "n_comparison": main.n_comparison,
    },
    sentence=main.sentence(),
    pretest_p=pretest_p,
    mde=mde,
    robustness=robust.table,
    event_study=main.event_study(),
    subgroups=subgroups.table,
    disadvantaged_gap=gap.table,
    claims=claims.before_after,
    exclusions=main.exclusions,
)
