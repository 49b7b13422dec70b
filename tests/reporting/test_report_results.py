import json
import math

import numpy as np
import pandas as pd
import pytest

from partnership_eval.disclosure import suppress
from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting import build_results, save_results
from partnership_eval.reporting.results import RESULTS_ENV

HEADLINE = {"label": "ATT", "estimate": 1.5, "truth": 2.0}


def _save(**kwargs):
    base = {"report": "r", "area": "Devon", "parameters": {"area": "Devon"}, "synthetic": True}
    return save_results(**{**base, "headline": HEADLINE, **kwargs})


def test_results_go_where_the_environment_says(tmp_path, monkeypatch):
    target = tmp_path / "devon.results.json"
    monkeypatch.setenv(RESULTS_ENV, str(target))
    _save()
    assert json.loads(target.read_text())["headline"]["estimate"] == 1.5


def test_results_are_not_written_without_a_destination(tmp_path, monkeypatch):
    monkeypatch.delenv(RESULTS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    _save()
    assert list(tmp_path.iterdir()) == []


def test_headline_has_every_field_in_design_order():
    results = build_results(report="r", area=None, parameters={}, synthetic=True, headline=HEADLINE)
    assert list(results["headline"]) == [
        "label", "estimate", "se", "ci_low", "ci_high", "truth", "n_treated", "n_comparison",
    ]  # fmt: skip


def test_truth_is_kept_only_for_synthetic_data():
    real = build_results(report="r", area=None, parameters={}, synthetic=False, headline=HEADLINE)
    assert "truth" not in real["headline"]


def test_headline_without_estimate_is_an_error():
    with pytest.raises(PartnershipEvalError, match="headline needs 'label' and 'estimate'"):
        build_results(
            report="r", area=None, parameters={}, synthetic=False, headline={"label": "x"}
        )


def test_numpy_nan_and_frames_become_plain_json(tmp_path):
    target = tmp_path / "r.json"
    frame = pd.DataFrame({"year": np.array([2015, 2016]), "att": [0.5, math.nan]})
    _save(headline={"label": "x", "estimate": np.float64(0.25), "n_treated": np.int64(3)},
          path=target, table=suppress(frame))  # fmt: skip
    results = json.loads(target.read_text())
    assert results["headline"]["estimate"] == 0.25
    assert results["headline"]["n_treated"] == 3
    assert results["table"] == [{"year": 2015, "att": 0.5}, {"year": 2016, "att": None}]


def test_unserialisable_value_is_an_error():
    with pytest.raises(PartnershipEvalError, match="cannot store object"):
        build_results(report="r", area=None, parameters={}, synthetic=False,
                      headline={"label": "x", "estimate": object()})  # fmt: skip


def test_table_not_through_disclosure_control_is_refused_naming_the_section():
    frame = pd.DataFrame({"pupils": [3, 40]})
    with pytest.raises(PartnershipEvalError, match="section 'trends' is a table that has not"):
        _save(trends=frame)


def test_raw_table_nested_in_a_section_is_refused():
    frame = pd.DataFrame({"pupils": [3, 40]})
    with pytest.raises(PartnershipEvalError, match="section 'details'"):
        _save(details={"by_year": [frame]})


def test_suppressed_table_is_written_with_its_index_and_hidden_cells(tmp_path):
    target = tmp_path / "r.json"
    columns = pd.MultiIndex.from_tuples([("pupils", "rural"), ("pupils", "urban")])
    frame = pd.DataFrame([[3, 40]], columns=columns, index=pd.Index([2019], name="year"))
    _save(path=target, table=suppress(frame, counts=list(columns)))
    rows = json.loads(target.read_text())["table"]
    assert rows == [{"year": 2019, "pupils rural": "c", "pupils urban": 40}]
