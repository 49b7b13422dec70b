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

from partnership_eval.data.store import read_tables
from partnership_eval.inspections import GRADES, grade_transitions
from partnership_eval.reporting import find_data_dir, save_results

data = read_tables(find_data_dir(data_dir))
where = None if area.strip().lower() in ("", "england") else area
result = grade_transitions(
    data, kind, area=where, years=(first_year, last_year), match_prior=match_prior
)
Markdown(
    f"# How Ofsted grades move: {kind} schools and others ({area}, {first_year} to "
    f"{last_year})\n\n"
    "Each pair of consecutive graded inspections of a school is one *transition*, from "
    "the earlier grade to the later one (1 outstanding, 2 good, 3 requires improvement — "
    "before 2012 'satisfactory' —, 4 inadequate). A transition counts for the "
    f"partnership group when the school belonged to a {kind} partnership on the day of "
    "the later inspection. The comparison describes; it does not say what the "
    "partnership caused, because schools do not join partnerships at random."
)

# %% [markdown]
# ## Transition matrices
#
# Each row is an earlier grade; the cells give the share of those inspections that
# ended at each later grade, with the number of inspections in brackets.

# %%
result.plot();

# %%
result.counts.assign(
    prior_grade=result.counts["prior_grade"].map(GRADES), grade=result.counts["grade"].map(GRADES)
).round(3)

# %% [markdown]
# ## Moved up, stayed, moved down
#
# Schools already outstanding cannot move up and inadequate schools cannot move down, so
# the summary compares like with like: with `match_prior`, comparison schools are
# reweighted to the partnership schools' mix of earlier grades. The test asks whether
# the two groups' movements differ at all (a permutation test where counts are small).

# %%
Markdown(result.summary())

# %%
result.plot_movement();

# %%
result.difference.round(3)

# %% [markdown]
# ## Time to improvement
#
# From an inspection that found a school below good (requires improvement or
# inadequate), how long until an inspection found it good or better — a Kaplan–Meier
# curve, so schools not yet re-inspected (or not yet improved) count for as long as we
# observe them. The group is membership when the school fell below good.

# %%
result.plot_time_to_good();

# %%
result.improvement.round(2)

# %%
up = result.headline
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
    headline={
        "label": "difference in the share of inspections improving the grade "
        "(partnership minus comparison)",
        "estimate": up["difference"],
        "se": up["se"],
        "ci_low": up["ci_low"],
        "ci_high": up["ci_high"],
        "truth": None,
        "n_treated": int(up["n_partnership"]),
        "n_comparison": int(up["n_comparison"]),
    },
    movement=result.movement,
    difference=result.difference,
    test=result.test,
    time_to_good=result.improvement,
    logrank=result.logrank,
    exclusions=result.exclusions,
)
Markdown(
    f"**Partnership schools' grades improved in {up['partnership']:.0%} of inspections "
    f"against {up['comparison']:.0%} for comparison schools: a difference of "
    f"{up['difference']:+.1%} (95% CI {up['ci_low']:+.1%} to {up['ci_high']:+.1%}).**"
)
