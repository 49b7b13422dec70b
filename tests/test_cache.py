"""Per-dataset computations done once, keyed by the tables' content, shared beside the data."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from tables_factory import tiny_tables

from partnership_eval import cache
from partnership_eval.data.store import read_tables, write_tables
from partnership_eval.panel import _build_panel, build_panel


@pytest.fixture
def data_dir(tmp_path):
    tables = tiny_tables()
    write_tables({name: getattr(tables, name) for name in cache.TABLES}, tmp_path, synthetic=True)
    cache._memory.clear()
    return tmp_path


def _counting():
    calls = []

    def build():
        calls.append(1)
        return pd.DataFrame({"x": [1, 2]})

    return calls, build


def test_the_same_tables_and_key_build_once_and_each_caller_gets_a_copy(data_dir):
    data = read_tables(data_dir)
    calls, build = _counting()
    first = cache.cached("thing", data, {"k": 1}, build)
    first.loc[0, "x"] = 99
    again = cache.cached("thing", data, {"k": 1}, build)
    assert calls == [1]
    assert again["x"].tolist() == [1, 2]


def test_another_key_or_edited_tables_build_again(data_dir):
    data = read_tables(data_dir)
    calls, build = _counting()
    cache.cached("thing", data, {"k": 1}, build)
    cache.cached("thing", data, {"k": 2}, build)
    edited = dataclasses.replace(data, schools=data.schools.iloc[1:])
    cache.cached("thing", edited, {"k": 1}, build)
    assert len(calls) == 3


def test_a_result_is_kept_beside_the_data_for_other_processes(data_dir):
    data = read_tables(data_dir)
    calls, build = _counting()
    cache.cached("thing", data, {"k": 1}, build)
    cache._memory.clear()  # as a fresh worker process
    assert cache.cached("thing", read_tables(data_dir), {"k": 1}, build)["x"].tolist() == [1, 2]
    assert calls == [1]
    assert len(list((data_dir / cache.CACHE_DIR).glob("thing-*.pkl"))) == 1


def test_the_cached_panel_equals_a_fresh_one_with_its_exclusions(data_dir):
    build_panel(read_tables(data_dir), "cluster")  # built and written beside the data
    cache._memory.clear()
    again = build_panel(read_tables(data_dir), "cluster")  # read back
    fresh = _build_panel(read_tables(data_dir), "cluster", None, None, None, None)
    pd.testing.assert_frame_equal(again.frame, fresh.frame)
    pd.testing.assert_frame_equal(again.exclusions, fresh.exclusions)
    assert (again.synthetic, again.kind, again.baseline_years) == (
        fresh.synthetic,
        fresh.kind,
        fresh.baseline_years,
    )
