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
area: str = "Cumbria"  # LA name, three-digit LA code or region (e.g. "South West")
data_dir: str = ""  # canonical tables (empty: $PARTNERSHIP_EVAL_DATA, else the nearest data/processed)
first_year: int = 2010  # first academic year shown, named by the year it ends
last_year: int = 0  # last academic year shown (0: the last year with KS2 results in the data)
kinds: list[str] = ["cluster", "federation", "umbrella_trust", "mat", "collaborative", "triad"]  # partnership kinds counted

# %%
from IPython.display import Markdown

from partnership_eval import overview, plots
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import suppress
from partnership_eval.reporting import find_data_dir, save_results

data = read_tables(find_data_dir(data_dir))
schools = overview.schools_in_area(data, area)
name = overview.area_name(area)
years = overview.years_shown(data.outcomes, first_year, last_year)
Markdown(
    f"# {name}: schools, partnerships and KS2 results, {years[0]} to {years[-1]}\n\n"
    f"An overview of the {len(schools):,} schools in {name}: how big and how rural they "
    "are, how many belong to school-to-school partnerships, and how their KS2 results "
    "moved compared with schools outside partnerships. It describes; it does not "
    "estimate what the partnerships caused — the impact reports do that."
)

# %% [markdown]
# ## The area's schools
#
# Small rural schools are the ones the cluster programmes were designed for. The
# figure counts the schools open today by number of pupils on roll, rural and urban
# side by side; the table gives the same counts with the pupils they teach.

# %%
by_size = overview.schools_by_size_and_setting(schools)
plots.schools_by_size_plot(by_size, title=f"Schools in {name} by size")

# %%
suppress(
    overview.size_table(by_size),
    counts=["rural pupils", "urban pupils"],
    total_row="all schools",
)

# %% [markdown]
# ## Partnership coverage over time
#
# The share of the area's open schools that belonged to a partnership at some point in
# each academic year, by kind of partnership; a school can belong to more than one,
# so the kinds can add up to more than "any partnership".

# %%
coverage = overview.partnership_coverage(
    schools, data.memberships, data.partnerships, years, kinds=kinds
)
plots.coverage_plot(coverage, title=f"Schools in partnerships, {name}")

# %%
suppress(overview.coverage_table(coverage))  # counts of schools, not of pupils

# %% [markdown]
# ## KS2 results: partnership schools and others
#
# The percentage of pupils meeting the expected standard in reading, writing and maths,
# weighted by the number of pupils, for schools that joined a partnership by the last
# year shown and for all other schools. There were no KS2 tests in 2020 and 2021.
# The groups differ before any partnership began, so the gap between the lines is not
# the effect of partnership.

# %%
trends = overview.ks2_trends(
    schools, data.outcomes, data.memberships, data.partnerships, years, kinds=kinds
)
plots.ks2_trend_plot(trends, title=f"KS2 reading, writing and maths, {name}")

# %%
suppress(
    overview.ks2_trend_table(trends),
    counts=[("pupils", group) for group in overview.GROUPS],
    rates={("% RWM", group): ("pupils", group) for group in overview.GROUPS},
)

# %%
headline = overview.coverage_headline(coverage)
save_results(
    report="00_overview",
    area=area,
    parameters={"area": area, "first_year": years[0], "last_year": years[-1], "kinds": kinds},
    synthetic=data.synthetic,
    headline=headline,
    coverage=suppress(coverage),  # counts of schools
    ks2_trends=suppress(trends, counts=["pupils"], rates={"ks2_rwm_exp": "pupils"}),
)
Markdown(
    f"**In {years[-1]}, {headline['estimate']}% of {name}'s open schools "
    f"({headline['n_treated']:,} of {headline['n_treated'] + headline['n_comparison']:,}) "
    "belonged to a partnership of the kinds counted here.**"
)
