"""Every public entry point meets bad input with InputError naming the thing and the fix.

No ValueError, TypeError or KeyError escapes: the CLI prints InputError as one line.
"""

from __future__ import annotations

import pandas as pd
import pytest

from partnership_eval.analyses.chain_growth import chain_growth, intake_dip
from partnership_eval.analyses.cluster_impact import estimate_impact, impact_design
from partnership_eval.analyses.cluster_impact.heterogeneity import subgroup_effects
from partnership_eval.analyses.inspections import grade_transitions
from partnership_eval.analyses.overview import area_overview
from partnership_eval.data.store import read_tables
from partnership_eval.disclosure import suppress
from partnership_eval.errors import InputError
from partnership_eval.panel import build_panel
from partnership_eval.result import compare


@pytest.fixture(scope="module")
def data(small_data_dir):
    return read_tables(small_data_dir)


@pytest.fixture(scope="module")
def design(data):
    return impact_design(data, "Cumbria")


CASES = {
    "overview: unknown area": (lambda d, _: area_overview(d, "Atlantis"), "Atlantis"),
    "overview: years out of order": (
        lambda d, _: area_overview(d, "Cumbria", first_year=2019, last_year=2015),
        "first_year",
    ),
    "overview: unknown kind": (lambda d, _: area_overview(d, "Cumbria", kinds=["club"]), "club"),
    "panel: unknown kind": (lambda d, _: build_panel(d, kind="club"), "club"),
    "design: unknown pool": (lambda d, _: impact_design(d, "Cumbria", pool="moon"), "pool"),
    "estimate: unknown comparison": (
        lambda _, g: estimate_impact(g, comparison="synthetic", n_boot=0),
        "comparison",
    ),
    "estimate: unknown outcome": (lambda _, g: estimate_impact(g, "ks4_p8", n_boot=0), "ks4_p8"),
    "estimate: unknown covariate": (
        lambda _, g: estimate_impact(g, covariates=["shoe_size"], n_boot=0),
        "shoe_size",
    ),
    "subgroups: unknown dimension": (lambda _, g: subgroup_effects(g, by=["colour"]), "colour"),
    "growth: founding size below one": (lambda d, _: chain_growth(d, min_size=0), "min_size"),
    "growth: unknown kind": (lambda d, _: chain_growth(d, kind="club"), "club"),
    "intake dip: empty window": (lambda d, _: intake_dip(d, pre=0), "pre"),
    "intake dip: unknown outcome": (lambda d, _: intake_dip(d, outcome="ks4_p8"), "ks4_p8"),
    "transitions: unknown kind": (lambda d, _: grade_transitions(d, kind="club"), "club"),
    "suppress: missing column": (
        lambda *_: suppress(pd.DataFrame({"a": [1]}), counts=["pupils"]),
        "pupils",
    ),
    "compare: nothing given": (lambda *_: compare([]), "no results"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_an_input_error_naming_it(case, data, design):
    call, named = CASES[case]
    with pytest.raises(InputError) as caught:
        call(data, design)
    assert named in str(caught.value)
