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
area: str = "England"  # LA name, three-digit LA code or region; "England" for every chain
data_dir: str = ""  # canonical tables (empty: $PARTNERSHIP_EVAL_DATA, else the nearest data/processed)
kind: str = "mat"  # partnership kind counted as a chain: mat, the multi-academy trust
min_size: int = 1  # keep chains founded with at least this many schools (never a later size)
phase: str = ""  # phase of the schools whose results are used, e.g. Primary ("" for every phase)
first_year: int = 2010  # first academic year shown, named by the year it ends
last_year: int = 2024  # last academic year shown
steady_share: float = 0.8  # steady: at least this share of the US charter chains' pace
aggressive_from: float = 3.0  # aggressive: at least this many new schools a year (with confidence)
pace_window: int = 3  # years of the spell over which a chain's fastest growth is measured
pace_confidence: float = 0.95  # confidence with which the spell must reach aggressive_from
min_dose: float = 0.5  # heavy intake: joiners per school already in the chain
min_joiners: int = 3  # heavy intake: at least this many joiners in one year
dip_pre: int = 3  # intake dip: years shown before the surge (those before the base year are placebo checks)
chain: str = ""  # chain whose schools are mapped, by name or id ("": the area's largest)
radius_km: float = 10.0  # chain geography: compact when half its schools are this close to its centre
cluster_km: float = 10.0  # chain geography: schools this close (step by step) form a local cluster

# %%
from IPython.display import Markdown, display

from partnership_eval.analyses.chain_growth import chain_growth, pace_confusion, report, truth
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import suppress
from partnership_eval.reporting import find_data_dir, save_results
from partnership_eval.reporting.reader import figure_html, findings_html, table_html

data = read_tables(find_data_dir(data_dir))
where = None if area.strip().lower() in ("", "england") else area
years = (first_year, last_year)
growth = chain_growth(
    data,
    kind,
    area=where,
    min_size=min_size,
    years=years,
    steady_share=steady_share,
    aggressive_from=aggressive_from,
    window=pace_window,
    confidence=pace_confidence,
)
dip, message = report.try_intake_dip(
    data,
    kind,
    min_dose=min_dose,
    min_joiners=min_joiners,
    pre=dip_pre,
    area=where,
    phase=phase or None,
    years=years,
)
Markdown(report.introduction(growth, area))

# %%
findings_html(report.findings(growth, dip, area))

# %% [markdown]
# ## Growth curves against the US benchmark
#
# First: every chain's size by its age (grey), the mean with its interval (blue) and
# the US charter-chain path (dashed). Then: schools added in each year of a chain's
# life, with intervals; the dotted line marks the "aggressive" pace. Schools joining
# after the May tests count from the next year, as everywhere in these reports. The
# intervals treat schools added as counts (exact Poisson intervals, widened when chains
# differ more than chance would make them), so they never go below zero. A chain's
# first year counts its founding schools; young chains inform only the early years.
# Chains are chosen by their founding size only, never by how big they later became,
# so the curves do not favour the chains that went on to grow.

# %%
figure_html(growth.plot().figure, "growth-curves")

# %%
figure_html(growth.plot_added().figure, "schools-added")

# %%
Markdown(growth.summary())

# %%
table_html(suppress(growth.by_age.set_index("chain_age").round(2)), "growth-by-age", caption="Chain size and growth by chain age")  # counts of chains and schools

# %% [markdown]
# ## How big the chains are
#
# Chains by their number of schools in the last year shown (0: every school has left).

# %%
table_html(suppress(growth.size_distribution()), "chain-sizes", caption="How many schools the chains have")  # counts of chains

# %% [markdown]
# ## Growth pace and the fastest growers
#
# Each year's joiners are read as a chance count around a chain's underlying pace, so
# that one lucky spell among many does not make a chain aggressive. What the three words
# mean, and how often they catch what they are meant to (worked out by running chains of
# known pace through the same rules, many times):

# %%
detection = growth.detection()
Markdown(growth.class_words(detection))

# %%
table_html(suppress(report.detection_table(detection)), "pace-detection", caption="How often a chain of known pace is called each way")  # chances, not counts

# %%
table_html(suppress(growth.pace_counts().round(3)), "pace", caption="Chains by pace of growth")  # counts of chains

# %%
Markdown(growth.steady_words())

# %%
if data.synthetic:
    display(Markdown("Synthetic data: chains by the pace planted for them, and how they were called."))
    display(table_html(suppress(report.planted_pace_table(growth, data.truth)), "pace-vs-planted-rate", caption="Planted pace and the class found"))  # counts of chains
    display(table_html(suppress(pace_confusion(growth.pace, data.truth)), "pace-vs-planted", caption="Planted class (rows) and the class found"))  # counts of chains

# %%
figure_html(growth.plot_fastest(10).figure, "fastest-growers")

# %%
table_html(suppress(report.fastest_table(growth, 10)), "fastest-growers", caption="The ten fastest-growing chains")  # counts of schools

# %% [markdown]
# ## Where the chains' schools are
#
# The programme documents hold that proximity matters: chains that grew without
# geographical clusters struggled, and the advice is clusters of four or five academies
# close together. First the schools of one chain (the one chosen for this report, or the area's
# largest), then those of the fastest growers, in the last year shown. The table measures
# each of the area's chains: the median straight-line distance of its schools from the
# chain's centre, the share within a set distance of it (the compactness radius), the local authorities it spans and
# its local clusters (groups of schools linked by short steps, at most the cluster distance).

# %%
from partnership_eval.analyses.chain_growth import chain_geography

geo = chain_geography(data, kind, years=years, radius_km=radius_km, cluster_km=cluster_km)
area_chains = growth.pace["partnership_id"]
geo.plot_map([geo.chain_id(chain, among=area_chains)]).figure

# %%
geo.plot_map(growth.fastest(5)["partnership_id"], title="Where the fastest growers' schools are").figure

# %%
spread = suppress(geo.spread_table(area_chains))  # counts of schools and LAs, not pupils
spread

# %% [markdown]
# ## Do existing schools do differently in chains that spread out?
#
# Across every chain in England (one area has too few): each existing school's change in
# results from the year before, in chain-years where half the schools are more than
# the compactness radius from the chain's centre (spread out) and in the others (compact), compared
# within the same year, with intervals clustered by chain.

# %%
geo.plot().figure if not geo.comparison.empty else None

# %%
Markdown(geo.summary())

# %% [markdown]
# ## Does a heavy intake set existing schools back?
#
# A chain's *surge* is its first year with a heavy intake: at least a set number of new
# schools, and at least a set number of new schools per school already in the chain
# (schools joining after the May tests count from the next year). We compare the
# results of the schools that were already in a surging chain (for at least a year)
# with those of schools already in chains that had not surged by the end of the years
# compared: chains that surge later and chains that never surge. Each surge year is its
# own comparison (a "stack"), and the table below counts who is compared in each. It is
# a stacked event study with school and stack-by-year fixed effects, standard errors
# clustered by school. Schools stay in the study if they leave their chain after the
# surge (intention to treat), so leavers cannot flatter the chain. The estimate in the
# surge year is the change relative to the year before; the years before that are
# placebo checks and should be near zero — when one is not, a warning comes first.

# %%
Markdown(message)

# %%
table_html(report.controls_table(dip), "intake-dip-controls", caption="Who is compared in each surge year (chains and existing schools with a result in any year compared)") if dip is not None else None  # counts of chains and schools

# %%
figure_html(dip.plot().figure, "intake-dip") if dip is not None else None

# %%
by_dose = report.dip_by_dose_table(dip)
table_html(by_dose, "intake-dip-by-dose", caption="The surge-year change by size of intake") if by_dose is not None else None

# %% [markdown]
# ## Chain results in the DfE trust-measure format
#
# The percentage of pupils meeting the expected standard in reading, writing and maths
# and the progress scores, for each chain in the last year with results. As in DfE's
# multi-academy trust performance measures, only schools in the chain for at least three
# full academic years count, a chain needs at least three such schools, and each
# school's result is weighted by its pupils and its years in the chain (3, or 4 for four
# or more). Figures resting on five or fewer pupils are suppressed.

# %%
chain_table, performance_exclusions = report.chain_results(
    data, growth, years=years, phase=phase or None
)
table_html(chain_table, "chain-results", caption="Every chain's results, weakest first", empty_reason="no published value for these chains")

# %% [markdown]
# ## What was left out
#
# Every set of rows the analyses above left out, and why (rows are memberships,
# school-years or chains, as the reason says).

# %%
exclusions = report.all_exclusions(growth, performance_exclusions, dip)
table_html(suppress(exclusions), "left-out", caption="What was left out") if len(exclusions) else Markdown("Nothing was left out.")  # counts of rows and schools

# %% [markdown]
# ## Appendix: estimates against the planted truth
#
# Only on synthetic data, where the pace of every chain and the dip of every intake were
# planted: each estimate beside the value planted for exactly the chains and schools it
# used, the error (estimate minus planted) and whether the interval holds the planted
# value. An honest interval holds it most of the time.

# %%
truth_table = truth.truth_table(growth, dip, data.truth) if data.synthetic else None
Markdown(truth.truth_words(truth_table, dip, growth.level))

# %%
table_html(suppress(truth_table.round(2)), "truth", caption="Estimates against the planted truth") if truth_table is not None else None

# %%
save_results(
    report="02_chain_growth",
    area=area,
    parameters={
        "area": area,
        "kind": kind,
        "min_size": min_size,
        "phase": phase,
        "first_year": first_year,
        "last_year": last_year,
        "steady_share": steady_share,
        "aggressive_from": aggressive_from,
        "pace_window": pace_window,
        "pace_confidence": pace_confidence,
        "min_dose": min_dose,
        "min_joiners": min_joiners,
        "dip_pre": dip_pre,
        "chain": chain,
        "radius_km": radius_km,
        "cluster_km": cluster_km,
    },
    synthetic=data.synthetic,
    headline=report.dip_headline(dip),
    findings=report.findings(growth, dip, area),
    growth_by_age=suppress(growth.by_age.set_index("chain_age")),
    pace=suppress(growth.pace_counts()),
    pace_detection=suppress(report.detection_table(detection)),
    pace_confusion=suppress(pace_confusion(growth.pace, data.truth)) if data.synthetic else None,
    size_distribution=suppress(growth.size_distribution()),
    n_chains=len(growth.pace),
    intake_dip=dip.details if dip is not None else None,
    intake_dip_by_dose=by_dose,
    intake_dip_controls=report.controls_table(dip),
    truth=suppress(truth_table) if truth_table is not None else None,
    exclusions=suppress(exclusions),
    chain_geography={
        "spread": spread,
        "comparison": suppress(geo.tidy()),
        "summary": geo.summary(),
    },
)
Markdown(report.dip_sentence(dip, message))
