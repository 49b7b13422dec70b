import pytest

from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting import find_data_dir
from partnership_eval.reporting.data_location import DATA_ENV


def test_explicit_data_dir_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV, "/elsewhere")
    assert find_data_dir(tmp_path) == tmp_path


def test_environment_variable_is_used_when_no_dir_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    assert find_data_dir("") == tmp_path


def test_nearest_data_processed_above_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    data = tmp_path / "data" / "processed"
    data.mkdir(parents=True)
    (data / "schools.parquet").write_bytes(b"")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    monkeypatch.chdir(notebooks)
    assert find_data_dir() == data


def test_no_data_anywhere_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PartnershipEvalError, match="make data"):
        find_data_dir()
