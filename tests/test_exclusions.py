"""Exclusion records: counted rows and schools, and a table even when nothing was dropped."""

from __future__ import annotations

import pandas as pd

from partnership_eval.disclosure import published
from partnership_eval.exclusions import EXCLUSION_COLUMNS, exclusion, exclusion_frame


def test_exclusion_counts_rows_and_distinct_schools():
    frame = pd.DataFrame({"urn": [100001, 100001, 100002, 100003]})
    mask = pd.Series([True, True, True, False])
    assert exclusion("suppressed", frame, mask) == {
        "reason": "suppressed",
        "rows": 3,
        "schools": 2,
    }


def test_empty_exclusion_table_keeps_its_columns_and_can_be_published():
    table = exclusion_frame([])
    assert tuple(table.columns) == EXCLUSION_COLUMNS
    assert published(table, whole=["rows", "schools"]).data.empty
