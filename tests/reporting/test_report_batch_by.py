"""`batch --by la|region|school`: every unit's reports in one run, locally or on dask."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from partnership_eval.cli import EXIT_INPUT, main
from partnership_eval.data.store import write_table
from partnership_eval.errors import InputError
from partnership_eval.reporting.parameters import ParameterError
from partnership_eval.reporting.runner import batch_requests, run_batch
from partnership_eval.reporting.units import batch_units

SCHOOLS = [(100001, 909, "Cumbria", "North West"), (100002, 878, "Devon", "South West"),
           (100003, 878, "Devon", "South West"), (100004, 926, "Norfolk", "East of England")]  # fmt: skip


@pytest.fixture(scope="module")
def three_las(tmp_path_factory):
    """Four schools in Cumbria, Devon (two) and Norfolk."""
    out = tmp_path_factory.mktemp("three_las")
    rows = [
        {"urn": urn, "name": f"School {urn}", "la_code": code, "la_name": la, "region": region,
         "phase": "Primary", "school_type": "Community school", "is_academy": False,
         "pupils": 50 + i * 100, "rural": i % 2 == 0, "urban_rural": "Rural village",
         "fsm_pct": 10.0, "open_date": pd.Timestamp("2000-09-01"), "close_date": pd.NaT}
        for i, (urn, code, la, region) in enumerate(SCHOOLS)
    ]  # fmt: skip
    write_table(pd.DataFrame(rows), "schools", out, synthetic=True)
    return out


def _statuses(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    return sorted((r["notebook"], r["area"], r["status"]) for r in manifest["reports"])


def test_units_are_the_las_regions_or_schools_in_the_data(three_las):
    assert batch_units("la", three_las) == ["Devon", "Cumbria", "Norfolk"]  # LA code order
    assert batch_units("region", three_las) == ["East of England", "North West", "South West"]
    assert batch_units("school", three_las, "pupils > 100") == [100002, 100003, 100004]


def test_a_bad_where_names_the_expression_and_the_columns(three_las):
    with pytest.raises(InputError, match=r"--where 'county == 1'.*columns: urn, name"):
        batch_units("la", three_las, "county == 1")


def test_by_la_from_a_report_set_runs_every_matching_la_into_one_index(
    three_las, ok_notebook, tmp_path
):
    report_set = tmp_path / "set.toml"
    report_set.write_text(
        f'[[report]]\nnotebook = "{ok_notebook}"\nby = "la"\nwhere = "region != \'North West\'"\n'
    )
    code = main(["batch", str(report_set), "--data", str(three_las), "--out", str(tmp_path),
                 "--run", "by", "--workers", "1"])  # fmt: skip
    assert code == 0
    assert _statuses(tmp_path / "by") == [
        ("ok_report", "Devon", "ok"),
        ("ok_report", "Norfolk", "ok"),
    ]


def test_parameters_go_to_the_notebooks_that_declare_them(
    three_las, ok_notebook, failing_notebook, tmp_path
):
    code = main(["batch", "--by", "la", "--where", "la_name == 'Cumbria'",
                 "--notebook", str(ok_notebook), "--notebook", str(failing_notebook),
                 "-p", "ok_report:count=5", "-p", "count=4", "--data", str(three_las),
                 "--out", str(tmp_path), "--run", "p", "--workers", "1"])  # fmt: skip
    assert code == 101  # failing_report has no count, and is run anyway
    results = json.loads((tmp_path / "p" / "ok_report" / "cumbria.results.json").read_text())
    assert results["headline"]["estimate"] == 45.0  # the notebook's own value wins


def test_a_parameter_no_notebook_declares_is_refused(ok_notebook, failing_notebook):
    with pytest.raises(ParameterError, match="no notebook of this run has a parameter 'kind'"):
        batch_requests([ok_notebook, failing_notebook], "la", parameters={"kind": "mat"})


def test_by_school_needs_a_notebook_about_one_school(three_las, ok_notebook, tmp_path, capsys):
    code = main(["batch", "--by", "school", "--notebook", str(ok_notebook), "--data",
                 str(three_las), "--out", str(tmp_path)])  # fmt: skip
    assert code == EXIT_INPUT
    assert "has no parameter 'urn', so it cannot run by school" in capsys.readouterr().err


def test_by_school_names_each_report_by_its_school(three_las, tmp_path, write_notebook):
    notebook = write_notebook(tmp_path, "school", "urn: int = 0  # school", "print(urn)")
    requests = batch_requests([notebook], "school", where="la_name == 'Devon'")
    result = run_batch(requests, data_dir=three_las, out_dir=tmp_path, run="s", workers=1)
    assert [r.slug for r in result.records] == ["urn-100002", "urn-100003"]
    assert not result.failed


def test_reports_on_a_dask_cluster_are_the_same_bytes_as_local_ones(
    three_las, ok_notebook, tmp_path
):
    from distributed import LocalCluster  # a dependency; imported here, where it is used

    requests = batch_requests([ok_notebook], "la", where="region != 'North West'")
    local = run_batch(requests, data_dir=three_las, out_dir=tmp_path, run="local", workers=1)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = run_batch(
            requests, data_dir=three_las, out_dir=tmp_path, run="dask",
            scheduler=cluster.scheduler_address,
        )  # fmt: skip
    assert [r.status for r in remote.records] == ["ok"] * 2
    assert all(worker.split(":")[1] != str(os.getpid()) for worker in _workers(remote.manifest))
    for record in local.records:
        path = record.outputs["html"]
        assert (remote.run_dir / path).read_bytes() == (local.run_dir / path).read_bytes()


def _workers(manifest):
    return [r["worker"] for r in json.loads(manifest.read_text())["reports"]]
