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
area: str = "Cumbria"  # LA name, three-digit LA code or region; "England" for every school
partnership: str = ""  # partnership id or name: rate its members instead of an area (empty: the area)
data_dir: str = ""  # canonical tables (empty: $PARTNERSHIP_EVAL_DATA, else the nearest data/processed)
period: int = 0  # academic year rated, named by the year it ends (0: the latest in the data)
rules: str = ""  # rules file (YAML; empty: the package defaults, a copy of default_rules.yml to change them)
intelligence: str = ""  # optional CSV of local ratings: urn, period, domain, rating, note
actions: str = ""  # optional CSV of the previous meeting's actions: urn, action, owner, due, status
meeting_date: str = ""  # yyyy-mm-dd; actions not done by then are overdue (empty: 31 August of the period)
alpha: float = 0.05  # 1 minus the level of the intervals around shrunk estimates

# %%
import pandas as pd
from IPython.display import Markdown

from partnership_eval.analyses.clinic import follow_up, read_rules, risk_ratings, rules_summary
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import suppress
from partnership_eval.reporting import find_data_dir, save_results, save_table

pd.set_option("display.max_rows", 1000)  # the clinic's tables are read in full
pd.set_option("display.max_colwidth", None)
data = read_tables(find_data_dir(data_dir))
checked_rules = read_rules(rules)
result = risk_ratings(
    data,
    area,
    period=period,
    rules=checked_rules,
    intelligence=intelligence or None,
    partnership=partnership or None,
    alpha=alpha,
)
where = result.spec.partnership or result.spec.area or "England"
Markdown(
    f"# School performance clinic: {where}, {result.spec.period}\n\n"
    "A red-amber-green rating of every school on its published results, its latest "
    "inspection, suspensions and attendance (and any local intelligence), what changed "
    "since the last period, and the schools that meet an intervention trigger. The ratings "
    "apply stated rules to public data: they flag schools to discuss, they are not "
    "inspection judgements, and they say nothing about what caused a school's results."
)

# %% [markdown]
# ## The rules
#
# Each domain is rated green, amber or red by the thresholds of the rules file; the
# overall rating adds the domains' points. Small schools: KS2 and phonics results are
# pooled over recent years and *shrunk* toward national (an empirical-Bayes estimate),
# so a school with a handful of pupils moves away from national only as far as its
# pupils' results carry it, and one bad year of a 9-pupil cohort does not make it red.
# A period is an academic year: the public data are annual.

# %%
Markdown(rules_summary(checked_rules) + f"\n\nRules file: {checked_rules.path}.")

# %%
Markdown(
    "Domains the data hold nothing for in this period, so not rated: "
    + (", ".join(result.missing_domains) or "none")
    + "."
)

# %% [markdown]
# ## Every school's ratings
#
# Red first, then amber, then green. The last two columns give the school's KS2 pupils
# and the % meeting the expected standard in reading, writing and maths in the period,
# hidden where they rest on 5 pupils or fewer.

# %%
rag = suppress(result.table(), counts=["KS2 pupils"], rates={"% meeting RWM": "KS2 pupils"})
rag = rag.fillna("—")  # no KS2 results in the period
rag

# %%
result.plot().figure

# %% [markdown]
# ## The agenda
#
# The schools to discuss: red, then amber, each with its reasons in words. The same
# table is written beside this report as a CSV file for the meeting papers.

# %%
agenda = suppress(result.agenda())  # ratings and words, no pupil counts
save_table(agenda, "agenda")
agenda if len(agenda) else Markdown("No school is red or amber.")

# %% [markdown]
# ## What changed since the last period
#
# Each school's overall rating against its rating in the period before: newly red,
# newly amber, down from red to amber, recovered (now green), or unchanged.

# %%
suppress(result.change_counts())  # counts of schools

# %%
moved = result.moved()
suppress(moved) if len(moved) else Markdown("No school changed category.")

# %% [markdown]
# ## Actions from the previous meeting
#
# Each action with whether it is done or overdue, and whether the school's overall
# rating moved between the period before and this one.

# %%
followed = (
    follow_up(
        actions,
        result.ratings,
        result.schools,
        period=result.spec.period,
        previous=result.spec.previous,
        meeting_date=meeting_date or None,
    )
    if actions
    else None
)
suppress(followed) if followed is not None else Markdown("No actions file was given.")

# %% [markdown]
# ## Schools meeting an intervention trigger
#
# Red overall for the number of periods the rules set, an inadequate latest inspection,
# or below good at successive inspections.

# %%
triggered = result.trigger_table()
suppress(triggered) if len(triggered) else Markdown("No school meets a trigger.")

# %% [markdown]
# ## What was left out
#
# Schools not rated and local ratings not used, and why.

# %%
suppress(result.exclusions) if len(result.exclusions) else Markdown("Nothing was left out.")  # counts of rows and schools

# %%
headline = result.headline()
save_results(
    report="04_performance_clinic",
    area=area,
    parameters={
        "area": area,
        "partnership": partnership,
        "period": result.spec.period,
        "rules": checked_rules.path,
        "intelligence": intelligence,
        "actions": actions,
        "meeting_date": meeting_date,
        "alpha": alpha,
    },
    synthetic=data.synthetic,
    headline={**headline, "truth": None},
    domains=suppress(result.tidy()),  # counts of schools
    ratings=rag,
    changes=suppress(result.change_counts()),
    triggers=suppress(triggered),
    actions=suppress(followed) if followed is not None else None,
    missing_domains=list(result.missing_domains),
)
Markdown(
    f"**{headline['estimate']:.0f}% of {where}'s rated schools "
    f"({headline['n_treated']:,} of {headline['n_treated'] + headline['n_comparison']:,}) "
    f"are red or amber overall in {result.spec.period}.**"
)
