"""The clinic's rules file: shipped defaults, and a bad copy refused naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from partnership_eval.analyses.clinic import DEFAULT_RULES, read_rules, rules_summary
from partnership_eval.errors import InputError


def _copy(tmp_path: Path, edit) -> Path:
    rules = yaml.safe_load(DEFAULT_RULES.read_text())
    edit(rules)
    path = tmp_path / "my_rules.yml"
    path.write_text(yaml.safe_dump(rules))
    return path


def test_defaults_ship_with_the_package_and_follow_published_definitions():
    rules = read_rules()
    assert rules["performance"]["floor"] == {
        "rwm_exp": 65.0,
        "read_prog": -5.0,
        "writ_prog": -7.0,
        "mat_prog": -5.0,
    }
    assert rules.national("phonics_pass")[2012] == 58.0
    assert rules.national("phonics_pass")[2019] == 82.0
    text = DEFAULT_RULES.read_text()
    assert "Coasting Schools (England) Regulations 2017" in text
    assert "10% or more of their possible sessions" in text


def test_an_unchanged_copy_reads_like_the_defaults(tmp_path):
    path = _copy(tmp_path, lambda r: None)
    assert dict(read_rules(path)["overall"]["weights"]) == dict(read_rules()["overall"]["weights"])
    assert read_rules(path).path == str(path)


def test_summary_states_the_thresholds_in_words():
    text = rules_summary(read_rules())
    assert "DfE floor standard (65%" in text and "highest 10% of schools" in text


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda r: r["performance"]["floor"].pop("rwm_exp"), "performance.floor.rwm_exp"),
        (lambda r: r["attendance"].update(red_ration=2.0), "attendance.red_ration"),
        (lambda r: r["behaviour"].update(min_suspensions="three"), "behaviour.min_suspensions"),
        (lambda r: r["performance"].update(prior_pupils=-4), "performance.prior_pupils"),
        (lambda r: r["leadership"].update(stale_rating="purple"), "leadership.stale_rating"),
        (lambda r: r["performance"]["attainment"].update(red=-5.0), "performance.attainment.red"),
        (lambda r: r["overall"].update(red_at=1), "overall.red_at"),
        (
            lambda r: r["national"]["phonics_pass"].update({2019: 182.0}),
            "national.phonics_pass.2019",
        ),
        (lambda r: r["triggers"].update(inadequate="yes"), "triggers.inadequate"),
    ],
)
def test_a_bad_rules_file_is_refused_naming_the_key(tmp_path, edit, key):
    path = _copy(tmp_path, edit)
    with pytest.raises(InputError, match=f"rules key '{key}'") as raised:
        read_rules(path)
    assert str(path) in str(raised.value)


def test_a_file_that_is_not_yaml_or_absent_is_refused(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("performance: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML"):
        read_rules(broken)
    with pytest.raises(InputError, match="rules file not found"):
        read_rules(tmp_path / "missing.yml")
