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
urn: int = 0  # the school's six-digit URN (0: the first school with KS2 results in the data's latest year)
year: int = 0  # academic year reported on, named by the year it ends (0: the school's latest year with a published KS2 result)
data_dir: str = ""  # canonical tables (empty: $PARTNERSHIP_EVAL_DATA, else the nearest data/processed)
n_similar: int = 50  # how many similar schools to compare with (DfE's similar schools use about 50)

# %%
from IPython.display import HTML

from partnership_eval.analyses.school_report import page, school_report, tables
from partnership_eval.data.store import read_tables
from partnership_eval.reporting import find_data_dir, save_results

data = read_tables(find_data_dir(data_dir))
report = school_report(data, urn, year, n_similar=n_similar)
HTML(page.page_style() + page.summary_html(report, synthetic=data.synthetic))

# %% [markdown]
# ## The full picture
#
# The page above is the summary; it is what prints, on one A4 page. Below are the same
# facts over more years, with the tables behind them. Where a number is missing, the
# table says why. "c" means the Department for Education did not publish the number,
# to protect the privacy of a small group of pupils.

# %% [markdown]
# ## Results over time
#
# Each year's share of Year 6 pupils meeting the expected standard in reading, writing
# and maths. The school's bars show its likely range: the smaller the year group, the
# wider the range. The other lines are the averages of similar schools, of the council
# area and of England. There were no tests in 2019/20 and 2020/21.

# %%
HTML(page.results_section(report, synthetic=data.synthetic))

# %% [markdown]
# ## Disadvantaged pupils

# %%
measures = tables.measure_tables(report)
HTML(page.measure_section(report.disadvantaged, measures["disadvantaged"],
                          "The result of disadvantaged pupils",
                          "Disadvantaged and other pupils meeting the expected standard, by year. "
                          "Source: DfE KS2 school performance tables.", "disadvantaged"))

# %% [markdown]
# ## Phonics in Year 1

# %%
HTML(page.measure_section(report.phonics, measures["phonics"], "The phonics check",
                          "Pupils passing the Year 1 phonics check, by year. "
                          "Source: DfE phonics screening check results.", "phonics"))

# %% [markdown]
# ## Attendance

# %%
HTML(page.measure_section(report.attendance, measures["attendance"], "Attendance",
                          "Attendance by year. Source: DfE pupil absence statistics.",
                          "attendance"))

# %% [markdown]
# ## Inspections
#
# Every Ofsted inspection of the school in these data, the latest first. Before
# September 2012 Ofsted's third grade was called "Satisfactory"; it is now
# "Requires improvement".

# %%
HTML(page.table_html(tables.inspections_table(report), "Ofsted inspections. Source: Ofsted."))

# %% [markdown]
# ## Partnerships
#
# The groups of schools this school belongs to, or has belonged to, and since when.

# %%
HTML(page.table_html(tables.partnerships_table(report), "Partnerships. Source: GIAS."))

# %% [markdown]
# ## How we chose similar schools

# %%
HTML(page.similar_section(report))

# %%
HTML(page.explained(page.TERMS))

# %%
save_results(
    report="05_school_report",
    area=report.profile.name,
    parameters={"urn": report.spec.urn, "year": report.spec.year, "n_similar": n_similar},
    synthetic=data.synthetic,
    headline=report.headline(),
    school={"urn": report.profile.urn, "name": report.profile.name,
            "la_name": report.profile.la_name},
    similar_group=report.similar_headline(),
    caution=report.caution(),
    results=tables.results_table(report),
)
