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
data_dir: str = ""  # canonical tables (empty: $PARTNERSHIP_EVAL_DATA, else the nearest data/processed)
seed: int = 0  # random seed of every simulation in the primer
scale: str = "small"  # simulation size: "small" (renders in seconds) or "full" (four times larger)
alpha: float = 0.05  # one minus the interval level

# %% [markdown]
# # Why naive comparisons of partnership schools mislead: a methods primer
#
# This primer is for students. It makes no claim about any real partnership: every
# number below is computed on data where the truth is known, so we can see which
# answers find it. Each section asks a question, gives the **naive answer** (a quick
# comparison), the **right answer** (a design that fits the question), the **truth** the
# simulation planted, and one sentence to remember.
#
# Synthetic England (the demonstration data of this package) is noisy on purpose, like
# the real results; to make each lesson visible in one run, most sections use small
# simulated panels with strong planted effects, built by the library, and say so. The
# intervals of the right answers are honest: on about one seed in twenty each one misses
# its truth, as an honest interval should.

# %%
from IPython.display import Markdown

from partnership_eval.analyses.primer import england_funnel, england_outside_share, methods_primer
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import suppress
from partnership_eval.reporting import find_data_dir, save_results

data = read_tables(find_data_dir(data_dir))
primer = methods_primer(data, seed=seed, scale=scale, alpha=alpha)

# %% [markdown]
# ## 1. Selection
#
# Small rural schools joined clusters far more often than other schools, and small rural
# schools differed from the rest long before anyone joined: in size, intake and results.
# Comparing members with non-members in any one year mixes the partnership's effect with
# those older differences.

# %%
Markdown(primer["selection"].markdown())

# %%
primer["selection"].plot().figure

# %% [markdown]
# The event study of the right design: before joining (negative years), joiners and
# others moved alike; after, the joiners' results rose by the planted effect.

# %%
primer["selection"].figure().figure

# %% [markdown]
# ## 2. Mean reversion
#
# Schools are often chosen after a bad year: a sponsor takes over a school whose results
# fell; a cluster starts when its schools have had a poor summer. Much of a bad year is
# luck — a weaker cohort, an unlucky test — and luck does not repeat.

# %%
Markdown(primer["mean_reversion"].markdown())

# %%
primer["mean_reversion"].plot().figure

# %% [markdown]
# ## 3. Small-cohort noise
#
# Most small rural primaries test fewer than 15 pupils a year. Their results jump about
# even when nothing about the school changes, so rankings of schools, and lists of the
# "most improved", are mostly lists of small schools.

# %%
Markdown(primer["small_cohorts"].markdown())

# %%
primer["small_cohorts"].plot().figure

# %% [markdown]
# A funnel plot puts each school's result against its cohort size, with the limits
# within which results of a school at the average would fall by chance alone (95% and
# 99.8%). The first is the simulation above; the second the latest year of the data
# this primer was run on.

# %%
primer["small_cohorts"].figure().figure

# %%
england_funnel(data).figure

# %%
Markdown(
    f"In the data, {england_outside_share(data):.1%} of schools lie outside the 99.8% "
    "limits: those are the results that cohort size alone does not explain."
)

# %% [markdown]
# ## 4. Staggered timing, and why two-way fixed effects can flip the sign
#
# The usual regression with school and year effects is a weighted average of many
# two-group comparisons. With staggered starts some of them use schools that joined
# earlier as the comparison for schools that join later; when effects grow over time,
# the early joiners' growth is subtracted as if it were a trend. This case is built to
# show it: every school's effect is positive, the regression's is negative.

# %%
Markdown(primer["timing"].markdown())

# %%
primer["timing"].plot().figure

# %% [markdown]
# The Goodman-Bacon decomposition: each point is one two-group comparison, its estimate
# against its weight in the regression.

# %%
primer["timing"].figure().figure

# %% [markdown]
# ## 5. Parallel trends, the pre-test and the event study
#
# Difference-in-differences is only as good as its comparison: without the partnership,
# would joiners have moved like the others? We cannot see that, but we can see the years
# before joining. The pre-test asks whether the pre-joining estimates are zero; the event
# study shows them.

# %%
Markdown(primer["trends"].markdown())

# %%
primer["trends"].plot().figure

# %%
primer["trends"].figure().figure

# %% [markdown]
# ### The pre-test's size
#
# A test that rejects too often teaches analysts to ignore it. The engine's default
# pre-test (`res.pretest()`) is a t test of the average pre-joining estimate; the Wald
# test of every pre-joining cell at once (`res.pretest("chi2")`, R `did`'s) uses an
# estimated covariance that is unreliable with few schools.

# %%
Markdown(primer["pretest_size"].markdown())

# %%
primer["pretest_size"].plot().figure

# %% [markdown]
# ## 6. One treated area
#
# Many programmes are run by one local authority, so every treated school is in one
# area — and results in an area move together (writing is teacher-assessed and
# moderated by the LA; synthetic England plants these LA × year shocks too). An interval
# built from schools treats each school as independent evidence.

# %%
Markdown(primer["one_area"].markdown())

# %% [markdown]
# Placebo in space: the same estimate with each untreated LA pretending to be treated.
# Their spread is what LA-level noise alone produces.

# %%
primer["one_area"].figure().figure

# %% [markdown]
# ## 7. What a null result says
#
# "No significant effect" is a statement about the study, not the programme. The minimum
# detectable effect says how large an effect the study could have found.

# %%
Markdown(primer["mde"].markdown())

# %%
primer["mde"].plot().figure

# %%
primer["mde"].figure().figure

# %% [markdown]
# ## Every lesson in one table
#
# Each answer, its interval and the truth. In every lesson the naive answer's interval
# misses the truth; the right answer's covers it (honest intervals can miss on a few
# seeds).

# %%
lessons = suppress(primer.table())
lessons

# %%
save_results(
    report="90_methods_primer",
    area=None,
    parameters={"seed": seed, "scale": scale, "alpha": alpha},
    synthetic=data.synthetic,
    headline=primer.headline(),
    lessons=lessons,
)
