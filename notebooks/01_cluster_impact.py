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
covariates: list[str] = []  # baseline covariates for the doubly robust estimator, e.g. ["fsm_pct", "base_cohort_n"]
size_threshold: int = 150  # only schools with fewer pupils, treated and comparison alike (0: any size)
pool: str = "england"  # comparison schools from: england, region or area
first_year: int = 0  # first academic year, named by the year it ends (0: first with results)
last_year: int = 0  # last academic year (0: last with results)
anticipation: int = 1  # years before joining left out of every comparison (the year before a start is often the bad year that led to it)
balanced: bool = False  # only schools with a result every year (False: every result, each comparison using the schools with results in both its years)
n_boot: int = 999  # multiplier-bootstrap draws for the uniform bands (0: analytic intervals)
seed: int = 0  # seed of the bootstrap and of matching ties
boundaries: str = ""  # LA boundary file for the map's outline (ONS, British National Grid; "": outline the schools)

# %%
from IPython.display import Markdown, display

from partnership_eval.analyses import cluster_impact as ev
from partnership_eval.analyses.cluster_impact import figures, narrative
from partnership_eval.analyses.cluster_impact.outcomes import OUTCOME_LABELS
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import published, suppress
from partnership_eval.reporting import find_data_dir, save_results
from partnership_eval.reporting.reader import figure_html, findings_html, table_html, text_html

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
main = ev.estimate_impact(
    design,
    outcome,
    comparison=comparison,
    covariates=covariates,
    balanced=balanced,
    anticipation=anticipation,
    n_boot=n_boot,
    seed=seed,
)
label = OUTCOME_LABELS.get(outcome, outcome)
robust = ev.robustness_checks(design, main, seed=seed)
main = robust.main  # its overall interval now allows for shocks that hit the whole area
Markdown(narrative.introduction(design, main))

# %%
findings_html(narrative.findings(design, main, robust))

# %% [markdown]
# ## 1. Who joined, and who they are compared with
#
# Treated schools by the academic year they first belonged to a partnership, their size
# and setting. The comparison schools never belonged to one; when a size threshold is set
# they are under it too, because small rural schools were on a different path from other
# schools before any partnership began. Size is measured before any school joined:
# seven year groups times the school's Year 6 cohort in the years before the first start
# (the schools table's later snapshot only for schools with no results then). A
# comparison school that later joins a partnership counts until the year before it
# joins: its later years are left out, never the school. Comparison schools are weighted
# so that they are as rural as the partnership schools.

# %%
display(text_html(design.summary()))
table_html(published(design.joiners_table()), "joiners", caption="Partnership schools by the year they joined")  # counts of schools, not of pupils

# %%
table_html(published(design.pool_table()), "comparison-pool", caption="Where the comparison schools come from")  # counts of schools

# %%
table_html(published(design.setting_table(), whole=["treated", "comparison"], decimals=2), "settings", caption="Rural and urban schools, and the weight of each comparison school")  # counts of schools

# %%
table_html(published(design.size_sources()), "size-sources", caption="Where each school's size before the start comes from")  # counts of schools

# %% [markdown]
# Where they are: the area's schools by their part in the design and, beside it, every
# comparison school in England (the area boxed). Schools are shown, never pupil counts.

# %%
from partnership_eval.analyses.cluster_impact.map import design_map
from partnership_eval.maps import located

area_schools = data.schools[data.schools["la_code"].isin(design.la_codes)]
design_map(design, data.schools, boundaries=boundaries or None).figure if len(located(area_schools)) else Markdown(
    "No map: the schools table holds no coordinates (GIAS easting and northing) for this area's schools."
)

# %%
matched = main.matched or ev.match_comparison(design, sample=main.sample, seed=seed)
balance = matched.balance_table()
Markdown(narrative.balance_reading(matched, balance))

# %%
table_html(published(balance), "balance", caption="Partnership and comparison schools before joining")  # means over schools, not pupil counts

# %% [markdown]
# ## 2. Raw trends
#
# The mean result of treated and comparison schools each year, among schools with a
# published result. Years without KS2 tests (2020, 2021) are a gap, not a line. The dashed
# line, where shown, is every never-treated school of any size: the naive comparison.

# %%
trends = ev.raw_trends(design, outcome)
figure_html(figures.trends_plot(trends, outcome, starts=design.cohorts, title=f"{label}, {design.area}").figure, "raw-trends")

# %%
trend_wide, trend_rates = ev.trend_table(trends)
table_html(
    published(
        trend_wide,
        counts=[c for c in trend_wide.columns if c.startswith("pupils")],
        rates=trend_rates,
        decimals=1,
        year="index",
    ),
    "raw-trends",
    caption="Mean results each year",
)

# %% [markdown]
# ## 3. The estimate
#
# Staggered difference-in-differences (Callaway & Sant'Anna 2021): each start-year cohort
# is compared with the comparison schools from a base year before it started — by
# default two years before, because clusters and sponsored schools are often chosen after
# a bad year, and measuring from that bad year would credit the bounce-back to the
# partnership — so schools that joined earlier never serve as controls for later ones.
# By default every published result is used: each comparison of two years uses the
# schools with a result in both (results of 5 or fewer pupils are suppressed, so small
# schools have gaps). The figure averages those effects by years since joining, with a
# uniform band (it covers every year's effect at once) that lets the schools of one
# partnership share shocks; years before 0 are checks, where the true effect is zero.
# The overall effect's interval allows for more: shocks that hit every school of the
# area at once, measured from how far other LAs' yearly results stray (section 4).
# The yearly band does not include them, so it is narrower than it should be.

# %%
display(text_html(main.summary()))
figure_html(
    main.plot(title=f"Effect by years since joining, {design.area}").figure,
    "effect-by-year",
    data=suppress(main.event_study().drop(columns="truth", errors="ignore")),
)

# %%
table_html(published(main.exclusions, whole=["rows", "schools"]), "left-out", caption="School-years and schools left out")

# %%
Markdown(narrative.finding(design, main, robust))

# %% [markdown]
# ## 4. Robustness
#
# The same question under different choices. If the estimates move a lot, the answer
# depends on the choice, and the report says so rather than picking one. "Only schools
# with a result every year" drops the schools with any suppressed year (mostly the
# smallest); the naive row compares with every never-treated school regardless of size;
# two-way fixed effects (TWFE) is the regression many evaluations use, on the same
# schools as the main estimate. The main interval lets the schools of one partnership
# share shocks (treatment is given to partnerships, not schools); the wild cluster
# bootstrap row is the same estimate with an interval built for few partnerships, and
# the "by school" row shows how much too narrow the school-level interval would be. The
# main estimate counts each school once (the average school); the pupil-weighted row
# gives larger schools more weight (the average pupil). The placebo outcome is the share
# of Year 6 pupils who are disadvantaged, which joining should not change: an "effect"
# there means the groups drifted apart in who they teach.

# %%
figure_html(robust.plot(title=f"Overall effect under different choices, {design.area}").figure, "robustness")

# %%
table_html(published(robust.table.drop(columns="truth"), whole=["n_treated", "n_comparison"]), "robustness", caption="The estimate under different choices")

# %% [markdown]
# ### Is it more than an area-wide shock? Placebo in space
#
# Every treated school is in the same area, so anything that hit the whole area in those
# years — a change in how writing was moderated, a new adviser — looks like an effect.
# To see how large such area-wide noise is, the same design is run on each comparison
# LA with enough small schools, its schools put into pretend clusters of the real sizes
# and start years. If the real estimate sits among the placebo ones, the data cannot
# tell the partnership from the area. How far other LAs' yearly results stray from the
# national ones, beyond their schools' own noise, measures area-wide shocks; the
# overall interval of section 3 includes them.

# %%
figure_html(robust.placebo.plot().figure, "placebo-in-space") if robust.placebo is not None else Markdown(robust.notes.get("placebo", ""))

# %%
Markdown(robust.placebo.summary()) if robust.placebo is not None else None

# %%
table_html(published(robust.exclusions, whole=["rows", "schools"]), "placebo-left-out", caption="Placebo areas left out")

# %%
Markdown(narrative.checks_reading(main, robust))

# %% [markdown]
# TWFE beside the staggered estimate, by years since joining, and the Goodman-Bacon
# decomposition of the TWFE coefficient (on the schools with a result every year, as the
# decomposition needs): which two-group comparisons it averages, and with what weight.
# Comparisons that use already-treated schools as controls are biased when effects grow
# with time.

# %%
ax = main.plot(title="Staggered DiD and TWFE event studies")
if robust.twfe is not None:
    figures.overlay_twfe(ax, robust.twfe)
figure_html(ax.figure, "twfe-event-study")

# %%
table_html(published(robust.bacon.by_type(), whole=["n_comparisons"], decimals=3), "bacon", caption="What the two-way fixed effects estimate averages") if robust.bacon is not None else Markdown(
    "No Goodman-Bacon decomposition: "
    + robust.notes.get("bacon", robust.notes.get("twfe", "not computed"))
)

# %% [markdown]
# ## 5. For whom? Size, rurality, disadvantage
#
# The effect within subgroups, each compared with comparison schools of the same
# subgroup, with the same comparison group, covariates and sample rule as the main
# estimate. Subgroups are small: wide intervals, and differences between them are not
# tested. A subgroup whose sample keeps fewer than 10 treated schools with results is
# listed as not estimable. Then the effect on disadvantaged and other pupils' results and
# on the gap between them (group results are suppressed far more often).

# %%
subgroups = ev.subgroup_effects(
    design,
    outcome,
    comparison=comparison,
    covariates=covariates,
    balanced=balanced,
    anticipation=anticipation,
    seed=seed,
)
figure_html(subgroups.plot(title="Effect by subgroup").figure, "subgroups")

# %%
table_html(published(subgroups.table.drop(columns="truth"), whole=["n_treated", "n_comparison"]), "subgroups", caption="The effect within subgroups")

# %%
gap = ev.outcome_effects(
    design, comparison=comparison, balanced=balanced, anticipation=anticipation, seed=seed
)
missing_gap = gap.table[gap.table["estimate"].isna()]
Markdown(
    "".join(
        f"No estimate for {row.subgroup}: {row.note.removeprefix('not estimable: ')}. "
        for row in missing_gap.itertuples()
    )
    or "Every pupil-group outcome could be estimated."
)

# %%
table_html(published(gap.table.drop(columns="truth"), whole=["n_treated", "n_comparison"]), "pupil-groups", caption="The effect on disadvantaged and other pupils")

# %% [markdown]
# ## 6. Other outcomes the programme claimed
#
# The programme also claimed more schools graded good or better by Ofsted and fewer below
# the KS2 floor standard. Each school is compared with itself: its last graded Ofsted
# inspection before its start against its first graded inspection after it, and its last
# floor-standard result before the start against its first one after, so the same schools
# are counted before and after. Comparison schools never started, so each is given the
# partnership schools' start years (with a matched comparison, those of the schools it was
# matched to) and compared around them in the same way. Schools without both an
# observation before and one after are left out and counted below. The intervals let the
# schools of one partnership share shocks.
#
# The floor standard (2016-2019 definition: under 65% meeting the expected standard in
# reading, writing and maths *and* a progress score below −5 in reading, −7 in writing or
# −5 in maths; not applied to cohorts under 11 pupils) did not exist before 2016, so for
# partnerships that began by 2016 there is no "before" for it.

# %%
claims = ev.claimed_outcomes(design, data.inspections, matched=main.matched)
Markdown(claims.reading())

# %%
figure_html(claims.plot(title=f"Good or better at Ofsted, the same schools, {design.area}").figure, "ofsted-before-after")

# %%
figure_html(claims.plot(measure="below_floor", title=f"Below the floor standard, the same schools, {design.area}").figure, "floor-before-after") if claims.estimated("below_floor") else None

# %%
table_html(published(claims.table(), whole=["schools"]), "claims-before-after", caption="Claimed outcomes: the same schools before and after the start")  # means over schools

# %%
table_html(published(claims.differences(), whole=["n_treated", "n_comparison"]), "claims-changes", caption="Change after the start, partnership minus comparison schools")

# %%
table_html(published(claims.exclusions.drop(columns="rows"), whole=["schools"]), "claims-left-out", caption="Schools left out of the claimed outcomes")

# %% [markdown]
# ## 7. Appendix: estimates against the planted truth
#
# Only on synthetic data, where the true effect of every partnership was planted: each
# estimate beside the effect planted for exactly the schools it used (each row its own
# sample). A good design's intervals cover the truth; the naive comparison and TWFE show
# how far other choices land from it.

# %%
Markdown(narrative.truth_appendix(main, robust, data.synthetic))

# %%
table_html(published(narrative.truth_table(robust)), "truth", caption="Estimates against the planted truth") if data.synthetic and main.truth is not None else None

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
        "anticipation": anticipation,
        "n_boot": n_boot,
        "seed": seed,
    },
    synthetic=data.synthetic,
    headline=main.headline(),
    findings=narrative.findings(design, main, robust),
    sentence=main.sentence(),
    pretest_p=main.pretest_p,
    mde=robust.mde.mde if robust.mde is not None else None,
    population=main.population,
    robustness=suppress(robust.table),  # estimates and counts of schools, no pupil counts
    event_study=suppress(main.event_study()),
    subgroups=suppress(subgroups.table),
    disadvantaged_gap=suppress(gap.table),
    claims=suppress(claims.tidy()),
    claims_changes=suppress(claims.before_after),
    claims_exclusions=suppress(claims.exclusions),
    exclusions=suppress(main.exclusions),
    placebo_in_space=None
    if robust.placebo is None
    else {
        "p_value": robust.placebo.p_value,
        "ci_low": robust.placebo.ci_low,
        "ci_high": robust.placebo.ci_high,
        "n_areas": len(robust.placebo.placebo),
    },
)
