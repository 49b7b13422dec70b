"""Report 04_performance_clinic on small synthetic England with a copied rules file,
local intelligence and the previous meeting's actions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from partnership_eval.analyses.clinic import DEFAULT_RULES, risk_ratings
from partnership_eval.data.store import read_tables
from partnership_eval.reporting.runner import run_reports

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def inputs(small_data_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("clinic_inputs")
    rules = yaml.safe_load(DEFAULT_RULES.read_text())
    rules["performance"]["attainment"]["amber"] = -8.0
    (folder / "my_rules.yml").write_text(yaml.safe_dump(rules))
    data = read_tables(small_data_dir)
    plymouth = data.schools.loc[data.schools["la_code"] == 879, "urn"].sort_values()
    first, second = int(plymouth.iloc[0]), int(plymouth.iloc[1])
    (folder / "intelligence.csv").write_text(
        f"urn,period,domain,rating,note\n{first},2024,finance,red,deficit budget\n"
    )
    (folder / "actions.csv").write_text(
        "urn,action,owner,due,status\n"
        f"{first},Review of the maths curriculum,School improvement adviser,2024-03-31,done\n"
        f"{second},Governance review,Governor services,2024-06-30,in progress\n"
    )
    return folder, data, first


@pytest.fixture(scope="module")
def report(small_data_dir, inputs, tmp_path_factory):
    folder, _, _ = inputs
    result = run_reports(
        ["04_performance_clinic"],
        ["Plymouth"],
        data_dir=small_data_dir,
        out_dir=tmp_path_factory.mktemp("clinic_reports"),
        run="clinic",
        parameters={
            "rules": str(folder / "my_rules.yml"),
            "intelligence": str(folder / "intelligence.csv"),
            "actions": str(folder / "actions.csv"),
        },
        notebooks_dir=NOTEBOOKS,
    )
    assert result.failed == 0, result.records[0].error
    return result.run_dir / "04_performance_clinic"


def test_headline_is_the_share_of_schools_red_or_amber(report, inputs):
    folder, data, _ = inputs
    results = json.loads((report / "plymouth.results.json").read_text())
    expected = risk_ratings(
        data, "Plymouth", rules=folder / "my_rules.yml", intelligence=folder / "intelligence.csv"
    ).headline()
    assert results["synthetic"] is True
    assert results["headline"]["estimate"] == pytest.approx(expected["estimate"])
    assert results["headline"]["n_treated"] == expected["n_treated"]
    assert results["parameters"]["rules"].endswith("my_rules.yml")


def test_agenda_is_exported_beside_the_report_red_first(report, inputs):
    _, _, first = inputs
    agenda = pd.read_csv(report / "plymouth.agenda.csv")
    assert list(agenda["rating"]) == sorted(agenda["rating"], key=["red", "amber"].index)
    assert "finance red: deficit budget" in agenda.set_index("urn").loc[first, "reasons"]


def test_previous_actions_are_followed_up(report):
    actions = json.loads((report / "plymouth.results.json").read_text())["actions"]
    assert [a["status"] for a in actions] == ["done", "overdue"]
    assert {a["ratings moved"] for a in actions} <= {"improved", "worse", "no change"}
    html = (report / "plymouth.html").read_text()
    assert "School performance clinic: Plymouth, 2024" in html
    assert "Synthetic demonstration data" in html
