"""Canonical tables: schema checks on write and read, metadata and hash manifest."""

from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd
import pytest
from tables_factory import tiny_tables

from partnership_eval.data.schema import validate
from partnership_eval.data.store import (
    MANIFEST_NAME,
    read_table,
    read_tables,
    sha256_file,
    write_table,
    write_tables,
)
from partnership_eval.errors import PartnershipEvalError, SchemaError


def _frames() -> dict[str, pd.DataFrame]:
    tables = asdict(tiny_tables())
    return {k: v for k, v in tables.items() if isinstance(v, pd.DataFrame)}


def test_tables_round_trip_with_their_synthetic_flag(tmp_path):
    write_tables(_frames(), tmp_path, synthetic=True, provenance={"seed": 3})
    back = read_tables(tmp_path)
    assert back.synthetic is True
    pd.testing.assert_frame_equal(back.schools, _frames()["schools"], check_dtype=False)
    assert read_table("outcomes", tmp_path).attrs["provenance"] == {"seed": 3}


def test_manifest_records_hash_and_rows_of_every_table(tmp_path):
    manifest_path = write_tables(_frames(), tmp_path, synthetic=False)
    manifest = json.loads(manifest_path.read_text())
    assert manifest_path.name == MANIFEST_NAME
    assert manifest["tables"]["outcomes"]["rows"] == 25
    assert manifest["tables"]["schools"]["sha256"] == sha256_file(tmp_path / "schools.parquet")


def test_writing_the_same_tables_twice_gives_identical_bytes(tmp_path):
    write_tables(_frames(), tmp_path / "a", synthetic=True)
    write_tables(_frames(), tmp_path / "b", synthetic=True)
    for name in ("schools", "outcomes", "memberships"):
        assert sha256_file(tmp_path / "a" / f"{name}.parquet") == sha256_file(
            tmp_path / "b" / f"{name}.parquet"
        )


def test_missing_column_names_table_and_column():
    schools = _frames()["schools"].drop(columns="la_code")
    with pytest.raises(SchemaError, match=r"table 'schools'.*missing column\(s\) la_code"):
        validate(schools, "schools")


def test_wrong_dtype_names_the_column():
    outcomes = _frames()["outcomes"].assign(year=lambda d: d["year"].astype(str))
    with pytest.raises(SchemaError, match="column 'year' has dtype"):
        validate(outcomes, "outcomes")


def test_value_outside_allowed_set_is_reported():
    partnerships = _frames()["partnerships"].assign(kind=["cluster", "club"])
    with pytest.raises(SchemaError, match=r"column 'kind' has value\(s\) \['club'\]"):
        validate(partnerships, "partnerships")


def test_percentage_above_100_is_rejected():
    outcomes = _frames()["outcomes"]
    outcomes.loc[0, "ks2_rwm_exp"] = 140.0
    with pytest.raises(SchemaError, match="values above 100"):
        validate(outcomes, "outcomes")


def test_duplicate_keys_are_rejected():
    outcomes = pd.concat([_frames()["outcomes"]] * 2)
    with pytest.raises(SchemaError, match=r"rows share a key \['urn', 'year'\]"):
        validate(outcomes, "outcomes")


def test_reason_columns_take_only_known_reasons():
    outcomes = _frames()["outcomes"].assign(read_prog_reason="suppressed")
    validate(outcomes, "outcomes")
    with pytest.raises(SchemaError, match="read_prog_reason"):
        validate(outcomes.assign(read_prog_reason="gremlins"), "outcomes")


def test_schema_is_checked_on_write(tmp_path):
    with pytest.raises(SchemaError):
        write_table(_frames()["schools"].drop(columns="urn"), "schools", tmp_path, synthetic=False)


def test_reading_a_missing_table_says_how_to_build_data(tmp_path):
    with pytest.raises(PartnershipEvalError, match="partnership-eval demo-data"):
        read_table("schools", tmp_path)
