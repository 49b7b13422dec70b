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
area: str = "England"  # LA name, three-digit LA code or region; "England" for every school
data_dir: str = ""  # canonical tables (empty: $PARTNERSHIP_EVAL_DATA, else the nearest data/processed)
kind: str = "mat"  # partnership kind whose members form the partnership group
first_year: int = 2010  # first academic year of the later inspection, named by the year it ends
last_year: int = 2024  # last academic year of the later inspection
match_prior: bool = True  # reweight comparison schools to the partnership schools' prior grades

# %%
from IPython.display import Markdown

from partnership_eval.analyses.inspections import GRADES, grade_transitions
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import suppress
from partnership_eval.labels import kind_label
from partnership_eval.reporting import find_data_dir, save_results
from partnership_eval.reporting.reader import figure_html, findings_html, table_html

data = read_tables(find_data_dir(data_dir))
where = None if area.strip().lower() in ("", "england") else area
result = grade_transitions(
    data, kind, area=where, years=(first_year, last_year), match_prior=match_prior
)
Markdown(
    f"# How Ofsted grades move: {kind_label(kind)} and other schools ({area}, {first_year} to "
    f"{last_year})\n\n"
    "Each pair of consecutive graded inspections of a school is one *transition*, from "
    "the earlier grade to the later one (1 outstanding, 2 good, 3 requires improvement — "
    "before 2012 'satisfactory' —, 4 inadequate). A transition counts for the "
    f"partnership group when the school belonged to one of the {kind_label(kind)} on the day of "
    "the later inspection. Inspection grades are published school by school and rest on "
    "no pupil counts, so the tables below need no small-number suppression."
)

# %%
findings_html(result.findings())

# %% [markdown]
# ## What this comparison can and cannot say
#
# It describes; it does not say what the partnership caused, because schools do not join
# partnerships at random, and two selections work in the partnership group's favour or
# against it:
#
# - **Mean reversion.** The group is membership at the *later* inspection. Sponsored
#   academies join a chain *because* of a poor grade, so the partnership group holds many
#   schools whose earlier grade was unusually low; their next grade tends to be better
#   whatever the chain does (regression to the mean). Matching on the earlier grade
#   compares like with like on that grade, but not on why the school had it.
# - **Who was re-inspected.** From 2012 to 2020 schools judged outstanding were exempt
#   from routine inspection: the outstanding schools that do have a later inspection
#   were mostly re-inspected because of concerns, so their moves down are not typical of
#   outstanding schools.
#
# A school is inspected several times and can be in both groups (before and after it
# joined), so its inspections are not independent: every interval and test below is
# clustered by school.

# %% [markdown]
# ## Transition matrices
#
# Each row is an earlier grade; the cells give the share of those inspections that
# ended at each later grade, with the number of inspections in brackets.

# %%
figure_html(result.plot(group="partnership").figure, "transitions-partnership")

# %%
figure_html(result.plot(group="comparison").figure, "transitions-comparison")

# %%
counts = result.counts.assign(
    prior_grade=result.counts["prior_grade"].map(GRADES), grade=result.counts["grade"].map(GRADES)
)
table_html(suppress(counts.set_index(["group", "prior_grade", "grade"]).round(3)), "transitions", caption="Inspections by earlier and later grade", decimals=2)  # counts of inspections

# %% [markdown]
# ## Moved up, stayed, moved down
#
# Schools already outstanding cannot move up and inadequate schools cannot move down, so
# the summary compares like with like: by default comparison schools are
# reweighted to the partnership schools' mix of earlier grades. The difference in each
# share is what a linear probability model on the group gives, with standard errors
# clustered by school; the test asks whether the two groups' movements differ at all
# (a Wald test on the shares moving up and down, clustered by school).

# %%
Markdown(result.summary())

# %%
figure_html(result.plot_movement().figure, "movement")

# %%
table_html(suppress(result.difference.set_index("movement").round(3)), "movement", caption="Moved up, stayed, moved down: partnership minus comparison", decimals=2)  # counts of inspections and schools

# %% [markdown]
# The same difference in the share moving up, separately for each earlier grade: a good
# school can only move up to outstanding, a school below good has much further to climb,
# so the overall share mixes very different comparisons.

# %%
table_html(suppress(result.by_prior.assign(prior_grade=result.by_prior["prior_grade"].map(GRADES)).set_index("prior_grade").round(3)), "by-earlier-grade", caption="Moving up, by earlier grade", decimals=2)  # counts of inspections and schools

# %% [markdown]
# ## Time to improvement
#
# From an inspection that found a school below good (requires improvement or
# inadequate), how long until an inspection found it good or better — a Kaplan–Meier
# curve, so schools not yet re-inspected (or not yet improved) count for as long as we
# observe them: until the school closed, the end of the inspection data, or — for a
# comparison school — the day it joined a partnership, when it stops being a comparison
# school. The group is membership when the school fell below good. A school can fall
# below good more than once, so the shaded intervals come from resampling schools, not
# spells. Read the steps against the inspection calendar: a school judged requires
# improvement is normally re-inspected within about 30 months, so no curve can rise much
# before that, whatever the school does.

# %%
figure_html(result.plot_time_to_good().figure, "time-to-good")

# %%
table_html(suppress(result.improvement.set_index("group").round(2)), "time-to-good", caption="Time to improvement", decimals=2)  # counts of spells (schools)

# %% [markdown]
# ## What was left out
#
# Every set of inspections or spells left out, and why.

# %%
table_html(suppress(result.exclusions), "left-out", caption="What was left out") if len(result.exclusions) else Markdown("Nothing was left out.")  # counts of rows and schools

# %%
save_results(
    report="03_inspection_transitions",
    area=area,
    parameters={
        "area": area,
        "kind": kind,
        "first_year": first_year,
        "last_year": last_year,
        "match_prior": match_prior,
    },
    synthetic=data.synthetic,
    headline=result.headline(),
    findings=result.findings(),
    n_schools=int(result.tidy()["n_schools"].iloc[0]),
    movement=suppress(result.movement),
    difference=suppress(result.difference),
    by_prior_grade=suppress(result.by_prior),
    test=vars(result.test),
    time_to_good=suppress(result.improvement),
    logrank=vars(result.logrank),
    exclusions=suppress(result.exclusions),
)
