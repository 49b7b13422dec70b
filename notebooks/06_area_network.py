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
area: str = "Plymouth"  # the network's LA: name or three-digit LA code
data_dir: str = ""  # canonical tables (empty: $PARTNERSHIP_EVAL_DATA, else the nearest data/processed)
start_year: int = 2017  # first academic year whose KS2 results the network could touch, named by the year it ends
outcome: str = "ks2_rwm_exp"  # outcome: ks2_rwm_exp, read_prog, writ_prog, mat_prog, disadv_rwm_exp
n_neighbours: int = 10  # statistical neighbours pooled as the comparison area
first_year: int = 0  # first academic year used, named by the year it ends (0: first with results)
last_year: int = 0  # last academic year used (0: last with results)
alpha: float = 0.05  # one minus the interval level

# %%
from IPython.display import Markdown

from partnership_eval.analyses.area_network import area_network
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import suppress
from partnership_eval.reporting import find_data_dir, save_results

data = read_tables(find_data_dir(data_dir))
years = None
if first_year or last_year:
    known = data.outcomes["year"]
    years = (first_year or int(known.min()), last_year or int(known.max()))
res = area_network(
    data, area, start_year, outcome=outcome, n_neighbours=n_neighbours, years=years, alpha=alpha
)
Markdown(
    f"# Did {res.name} improve faster than comparable areas after its network began?\n\n"
    f"The question: did {res.name}'s results rise faster, from {start_year}, than those of "
    "similar areas and of England? One area and a handful of yearly results can only "
    "partly answer it; the verdict below says how far."
)

# %% [markdown]
# ## Verdict

# %%
Markdown(res.verdict())

# %% [markdown]
# ## The area, its statistical neighbours and the rest of England
#
# The share of pupils meeting the standard, weighted by the pupils in each school. There
# were no KS2 tests in 2020 and 2021: the lines break there and nothing is filled in.

# %%
res.plot().figure

# %%
res.published_series()

# %% [markdown]
# ## Statistical neighbours
#
# The areas most like this one before the network began, on the context variables named
# (standardised; distance in standard deviations across areas).

# %%
Markdown(res.neighbours.describe() if res.neighbours else res.not_estimated("statistical neighbours"))

# %%
suppress(res.neighbours.reader_table()) if res.neighbours else None

# %%
from partnership_eval.analyses.area_network.map import neighbours_map

neighbours_map(res, data.schools).figure  # where the area and its neighbours are

# %% [markdown]
# ## Synthetic control
#
# A weighted mix of other areas chosen to track the area's results before the start
# year; after it, the gap between the two is the estimate. How well the mix tracked the
# area before (the pre-period RMSPE, in percentage points) says how much to trust it.

# %%
Markdown(res.synth.summary() if res.synth else res.not_estimated("synthetic control"))

# %%
res.synth.plot().figure if res.synth else None

# %%
suppress(res.synth_weights()) if res.synth else None

# %% [markdown]
# ### Gaps and placebo areas
#
# Every donor area in turn treated as if it had started a network in the same year: if
# the area's gap is no larger than most of theirs, the synthetic control shows nothing
# unusual.

# %%
res.synth.gap_plot().figure if res.synth else None

# %%
res.synth.placebo_plot().figure if res.synth else None

# %% [markdown]
# ## Comparative interrupted time series
#
# The gap between the area and its comparison, with a line fitted before the start and
# another after: the jump at the start year, the change in yearly trend, and the average
# effect over the years after, assuming the gap would have kept its earlier line.
# Intervals use the t distribution with the few degrees of freedom a short series has.

# %%
Markdown(res.not_estimated("interrupted time series against statistical neighbours"))

# %%
res.cits_neighbours.plot().figure if res.cits_neighbours else None

# %%
suppress(res.cits_neighbours.table()) if res.cits_neighbours else None

# %%
Markdown(res.not_estimated("interrupted time series against the rest of England"))

# %%
suppress(res.cits_england.table()) if res.cits_england else None

# %% [markdown]
# ## Improving faster than England?
#
# The yearly trend of the gap between the area and the rest of England since the start
# year: positive means the area gained on England each year.

# %%
Markdown(res.not_estimated("improving faster than England"))

# %%
res.trend.plot().figure if res.trend else None

# %%
suppress(res.trend.table()) if res.trend else None

# %% [markdown]
# ## The change in the gap to England, against every other area
#
# The area's average gap to the rest of England after the start year minus its average
# gap before, and the same change for every other area over the same years: the one
# comparison that even a single year before and after allows, and the spread shows how
# much areas' gaps move when nothing in particular happened.

# %%
Markdown(res.change.summary() if res.change else res.not_estimated("change in the gap to England"))

# %%
res.change.plot().figure if res.change else None

# %% [markdown]
# ## School-level cross-check
#
# The network's schools against schools in the statistical-neighbour areas that are in no
# network, by staggered difference-in-differences with baseline attainment and FSM share
# as covariates. Each school counts once here, so this answers a slightly different
# question from the area-level designs (which weight by pupils and include the area's
# few non-members).

# %%
Markdown(res.not_estimated("school-level DiD"))

# %%
res.school_did.plot().figure if res.school_did else None

# %%
suppress(res.school_did.table()) if res.school_did else None

# %% [markdown]
# ## All designs side by side

# %%
designs = suppress(res.designs_table())
designs

# %%
save_results(
    report="06_area_network",
    area=area,
    parameters={
        "area": area,
        "start_year": start_year,
        "outcome": outcome,
        "n_neighbours": n_neighbours,
        "first_year": first_year,
        "last_year": last_year,
        "alpha": alpha,
    },
    synthetic=data.synthetic,
    headline=res.headline(),
    verdict=res.verdict(),
    designs=designs,
    not_estimated=res.skipped,
)
