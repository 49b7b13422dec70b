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
area: str = "England"  # LA name, three-digit LA code or region; "England" for every reviewed school
data_dir: str = ""  # canonical tables (empty: $PARTNERSHIP_EVAL_DATA, else the nearest data/processed)
peer_types: list[str] = ["peer", "pair_visit"]  # judgements compared with the self-review: peer, pair_visit
kappa_weights: str = "linear"  # disagreement weights of the weighted kappa: linear or quadratic
horizon_years: float = 3.0  # how long before an inspection a review round may lie to predict it
n_boot: int = 999  # bootstrap draws over schools for every interval
alpha: float = 0.05  # 1 minus the interval level
seed: int = 0  # random seed of the bootstrap and the prediction folds

# %%
from IPython.display import Markdown

from partnership_eval.analyses.peer_review import peer_review
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import suppress
from partnership_eval.reporting import find_data_dir, save_results

data = read_tables(find_data_dir(data_dir))
where = None if area.strip().lower() in ("", "england") else area
result = peer_review(
    data,
    area=where,
    peer_types=peer_types,
    kappa_weights=kappa_weights,
    horizon_years=horizon_years,
    n_boot=n_boot,
    alpha=alpha,
    seed=seed,
)
Markdown(
    f"# Self-review against peer review ({area})\n\n"
    "Schools review themselves on a few themes, then peers review and challenge them: "
    "*it's easy within an organisation to develop blind spots*. This report compares each "
    "school's own grade on a theme with the grade its peer reviewers (or a visiting pair "
    "of heads) gave the same theme in the same school year: how far they agree, where "
    "schools rate themselves better or worse than their peers do, and whether the school's "
    "or the peers' grades better predict the next Ofsted inspection. Grades use Ofsted's "
    "scale: 1 outstanding, 2 good, 3 requires improvement, 4 inadequate."
)

# %% [markdown]
# ## Read this first: agreement may be inflated
#
# These are comparisons of judgements, not measures of schools, and they say nothing
# about what peer review causes. Above all, the two grades need not be independent: in
# many review frameworks the outcomes are *agreed between the school and the review
# team*, and the school's self-review is written, or revised, knowing what its peers
# will say. Where that happens the self grade moves towards the peer grade, so agreement
# here is an upper bound on how far schools and their peers judge alike, and a blind
# spot shown here is the part that survived the conversation. A school reviewed many
# times, on several themes, counts as one school in every interval: intervals come from
# resampling schools, keeping each school's judgements together.

# %%
Markdown(result.headline_sentence())

# %% [markdown]
# ## How far self and peer grades agree, theme by theme
#
# The *weighted kappa* is 1 when the two grades always agree and 0 when they agree no
# more than chance would, with near misses (good against outstanding) counting as half
# agreement (linear weights) or more (quadratic). *Krippendorff's ordinal alpha* asks
# the same question treating the grades as ranks. The *mean self minus peer grade* is
# negative where schools grade themselves better than their peers do; the *limits of
# agreement* are where nine in ten or more single differences fall (mean ± about two
# standard deviations). Rows resting on five or fewer schools are hidden.

# %%
result.agreement_table()  # suppressed: numbers resting on five or fewer schools hidden

# %% [markdown]
# ## Blind spots: who rates themselves better, on what
#
# Each row of the figure is a theme: the black diamond is every school's mean self minus
# peer grade with its interval; the coloured points are the school types. Left of the
# line, schools judge themselves better than their peers do.

# %%
result.plot().figure

# %%
result.blind_spot_table()  # suppressed: numbers resting on five or fewer schools hidden

# %% [markdown]
# An *ordinal model* asks the same question holding the peer grade fixed: how much more
# or less likely a school is to give itself a worse grade on each theme than on the
# first, at the same peer grade (log-odds; negative is a better self grade). Its
# standard errors allow for a school's judgements being related (a sandwich estimator
# clustered by school).

# %%
result.ordinal_table()

# %% [markdown]
# ## Which grades better predict the next inspection?
#
# Each inspection of a reviewed school is matched with the school's latest review round
# in the years before it. A straight line from the school's mean self grade — and,
# separately, its mean peer grade — to the inspection grade is fitted on four in five
# schools and judged on the fifth, in turn, so no school predicts itself. Lower error is
# better; "no review" predicts the average grade for everyone.

# %%
Markdown(result.prediction_sentence())

# %%
result.plot_prediction().figure if len(result.prediction) else Markdown(result.prediction_note)

# %%
result.prediction_table()

# %% [markdown]
# ## Checking against what was planted
#
# On synthetic data the generator planted how far schools over-rate themselves on each
# theme, so the agreement each theme should show is known: the table sets each estimate
# beside its planted value (real data have no such row, and the table is left out).

# %%
planted = result.truth_table()
planted if planted is not None else Markdown("Real data: nothing was planted to check against.")

# %% [markdown]
# ## What was left out
#
# Every judgement or inspection left out of a comparison, and why.

# %%
left_out = result.exclusions.set_index(["step", "reason"])
suppress(left_out) if len(left_out) else Markdown("Nothing was left out.")  # counts of judgements and schools

# %%
save_results(
    report="07_peer_review",
    area=area,
    parameters={
        "area": area,
        "peer_types": peer_types,
        "kappa_weights": kappa_weights,
        "horizon_years": horizon_years,
        "n_boot": n_boot,
        "alpha": alpha,
        "seed": seed,
    },
    synthetic=data.synthetic,
    headline=result.headline(),
    blind_spot=result.blind_spot,
    agreement=result.agreement_table(),
    blind_spots=result.blind_spot_table(),
    ordinal_model=result.ordinal_table(),
    prediction=result.prediction_table(),
    exclusions=suppress(result.exclusions),
    planted=planted,
)
