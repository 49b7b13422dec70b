"""Each report's "What we found": three to five plain sentences from its result.

The headline number and its interval in words, what it rests on, the main caveat; no
code names (``mat``, ``ks2_rwm_exp``) a reader would have to decode.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from growth_factory import inspection_tables

from partnership_eval.analyses.chain_growth import chain_growth
from partnership_eval.analyses.chain_growth.report import findings as chain_findings
from partnership_eval.analyses.cluster_impact import estimate_impact, impact_design
from partnership_eval.analyses.cluster_impact.narrative import findings as impact_findings
from partnership_eval.analyses.inspections import grade_transitions
from partnership_eval.analyses.overview import area_overview
from partnership_eval.data.store import read_tables

CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\['")


def _plain(sentences: list[str]) -> None:
    assert 3 <= len(sentences) <= 5
    for sentence in sentences:
        assert sentence.endswith("."), sentence
        assert not CODE.search(sentence), sentence
        assert " mat " not in f" {sentence} ", sentence


@pytest.fixture(scope="module")
def tables(small_data_dir):
    return read_tables(small_data_dir)


def test_overview_findings_give_the_share_its_base_and_that_it_describes(tables):
    view = area_overview(tables, "Cumbria")
    found = view.findings()
    _plain(found)
    head = view.headline()
    assert f"{head['estimate']:.0f}%" in found[0]
    assert f"{head['n_treated']:,} of" in found[0]
    assert "multi-academy trusts" in found[0]
    assert "not the effect" in found[2]


def test_impact_findings_give_the_effect_with_its_interval_in_words(tables):
    design = impact_design(tables, "Devon")
    main = estimate_impact(design, n_boot=0)
    found = impact_findings(design, main, SimpleNamespace(placebo=None))
    _plain(found)
    assert "with 95% confidence, between" in found[0]
    assert "clusters in Devon" in found[0]
    assert f"{main.n_treated:,} partnership schools" in found[1]
    assert "not a randomised trial" in found[-1]


def test_impact_findings_warn_when_an_area_wide_shock_could_explain_it(tables):
    design = impact_design(tables, "Devon")
    main = estimate_impact(design, n_boot=0)
    placebo = SimpleNamespace(p_value=0.6, placebo=[1, 2, 3])
    assert "whole area" in impact_findings(design, main, SimpleNamespace(placebo=placebo))[-1]


def test_chain_findings_without_a_heavy_intake_say_so(tables):
    growth = chain_growth(tables, min_size=1)
    found = chain_findings(growth, None, "England")
    _plain(found)
    assert found[0].startswith(f"{len(growth.pace):,} multi-academy trusts (England)")
    assert "cannot be estimated" in found[1]


def test_inspection_findings_compare_after_requires_improvement():
    result = grade_transitions(inspection_tables())
    found = result.findings()
    _plain(found)
    assert "After a requires-improvement grade" in found[0] or "too few" in found[0]
    assert "does not show what partnership caused" in found[-1]
