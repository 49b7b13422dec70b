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
boundaries: str = ""  # LA boundary file for the map's outline (ONS, British National Grid; "": outline the schools)

# %%
from IPython.display import Markdown

from partnership_eval.analyses.overview import area_overview
from partnership_eval.data.store import read_tables
from partnership_eval.reporting import find_data_dir, save_results
from partnership_eval.reporting.reader import figure_html, findings_html, table_html

data = read_tables(find_data_dir(data_dir))
view = area_overview(data, area, first_year=first_year, last_year=last_year, kinds=kinds)
Markdown(view.introduction())

# %%
findings_html(view.findings())

# %% [markdown]
# ## The area's schools
#
# Small rural schools are the ones the cluster programmes were designed for. The
# figure counts the schools open today by number of pupils on roll, rural and urban
# side by side; the table gives the same counts with the pupils they teach.

# %%
figure_html(view.plot_sizes().figure, "schools-by-size", view.sizes_alt())

# %%
table_html(view.size_table(), "schools-by-size", caption="Schools and pupils by size")

# %% [markdown]
# ## Where the schools are
#
# The area's open schools, coloured by the kind of partnership each belongs to now and
# sized by that partnership's number of schools. The outline is the LA boundary when a
# boundary file is given, otherwise a line drawn around the schools themselves.

# %%
from partnership_eval.analyses.overview import area_map

area_map(data, area, kinds=kinds, boundaries=boundaries or None).figure

# %% [markdown]
# ## Partnership coverage over time
#
# The share of the area's open schools that belonged to a partnership at some point in
# each academic year, by kind of partnership; a school can belong to more than one,
# so the kinds can add up to more than "any partnership".

# %%
figure_html(view.plot().figure, "partnership-coverage", view.coverage_alt())

# %%
table_html(view.coverage_table(), "partnership-coverage", caption="Schools in partnerships each year, by kind")

# %% [markdown]
# ## KS2 results: partnership schools and others
#
# The percentage of pupils meeting the expected standard in reading, writing and maths,
# weighted by the number of pupils, for schools that joined a partnership by the last
# year shown and for all other schools. There were no KS2 tests in 2020 and 2021.
# The groups differ before any partnership began, so the gap between the lines is not
# the effect of partnership.

# %%
figure_html(view.plot_trends().figure, "ks2-results", view.trends_alt())

# %%
table_html(view.trend_table(), "ks2-results", caption="KS2 results of partnership schools and others")

# %%
save_results(
    report="00_overview",
    area=area,
    parameters={
        "area": area,
        "first_year": view.spec.first_year,
        "last_year": view.spec.last_year,
        "kinds": kinds,
    },
    synthetic=data.synthetic,
    headline=view.headline(),
    findings=view.findings(),
    **view.published(),
)
