"""Clinic ratings on small synthetic England: who is flagged, small cohorts, rules, changes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import yaml

from partnership_eval.analyses.clinic import DEFAULT_RULES, read_rules, risk_ratings
from partnership_eval.analyses.clinic.combine import changes, overall, read_intelligence
from partnership_eval.analyses.clinic.domains import performance, performance_reasons
from partnership_eval.errors import InputError

PERIOD = 2024


@pytest.fixture(scope="module")
def rated(small_tables):
    return risk_ratings(small_tables, None, period=PERIOD)


def _now(result, domain):
    r = result.ratings
    return r.loc[(r["period"] == PERIOD) & (r["domain"] == domain)].set_index("urn")["rating"]


def test_the_weakest_schools_by_planted_quality_are_flagged(rated, small_world):
    quality = small_world.schools.set_index("urn")["quality"]
    overall = _now(rated, "overall").dropna()
    q = quality.reindex(overall.index)
    assert (overall[q <= q.quantile(0.05)] > 0).mean() >= 0.8
    assert (overall[q >= q.quantile(0.5)] > 0).mean() <= 0.07


def test_every_amber_or_red_rating_has_reasons_in_words(rated):
    r = rated.ratings
    flagged = r.loc[r["rating"] > 0]
    assert flagged["reason"].notna().all()
    assert not r.loc[r["rating"] == 0, "reason"].notna().any()
    text = " ".join(rated.agenda()["reasons"])
    assert "points below national" in text and "inspection" in text
    assert "_" not in text  # words, not column names


def test_a_9_pupil_cohort_is_not_red_on_one_bad_year(small_tables):
    o = small_tables.outcomes.copy()
    urn = o.loc[(o["year"] == PERIOD) & (o["cohort_n"] == 9), "urn"].iloc[0]
    school = o["urn"] == urn
    o.loc[school, "cohort_n"] = 9
    o.loc[school & o["year"].isin([2022, 2023]), "ks2_rwm_exp"] = 66.7
    o.loc[school & (o["year"] == PERIOD), "ks2_rwm_exp"] = 0.0  # 0 of 9 pupils
    o.loc[school, ["read_prog", "writ_prog", "mat_prog"]] = np.nan
    rating = performance(o, read_rules(), [2022, 2023, PERIOD]).loc[(urn, PERIOD)]
    assert rating["rwm_observed"] == pytest.approx(100 * 12 / 27, abs=0.2)
    assert rating["rwm_gap"] > -20  # shrunk: the single-year gap is -61 points
    assert rating["rating"] < 2


def test_one_pupils_result_in_a_small_cohort_rarely_changes_the_rating(small_tables):
    o = small_tables.outcomes
    small = (o["year"] == PERIOD) & o["cohort_n"].between(6, 10) & o["ks2_rwm_exp"].notna()
    rules = read_rules()
    before = performance(o, rules, [PERIOD])["rating"]
    keys = pd.MultiIndex.from_arrays([o.loc[small, "urn"], [PERIOD] * int(small.sum())])
    changed = []
    for step in (1, -1):
        moved = o.copy()
        moved.loc[small, "ks2_rwm_exp"] = (
            moved.loc[small, "ks2_rwm_exp"] + 100 * step / moved.loc[small, "cohort_n"]
        ).clip(0, 100)
        after = performance(moved, rules, [PERIOD])["rating"]
        changed.append((before.reindex(keys) != after.reindex(keys)).to_numpy())
    assert small.sum() > 100
    assert np.concatenate(changed).mean() <= 0.05


def test_changing_one_threshold_changes_exactly_the_ratings_it_should(
    rated, small_tables, tmp_path
):
    rules = yaml.safe_load(DEFAULT_RULES.read_text())
    rules["performance"]["attainment"]["amber"] = -8.0
    path = tmp_path / "my_rules.yml"
    path.write_text(yaml.safe_dump(rules))
    edited = risk_ratings(small_tables, None, period=PERIOD, rules=path)
    old = rated.ratings.set_index(["urn", "period", "domain"])
    new = edited.ratings.set_index(["urn", "period", "domain"])
    moved = (old["rating"] != new["rating"]) & old["rating"].notna()
    perf = performance(small_tables.outcomes, read_rules(), sorted(old.index.unique("period")))
    should = perf["rwm_gap"].gt(-10) & perf["rwm_gap"].le(-8) & perf["rating"].eq(0)
    changed_perf = moved.xs("performance", level="domain")
    assert set(changed_perf[changed_perf].index) == set(should[should].index)
    assert should.sum() > 0
    assert set(moved[moved].index.unique("domain")) <= {"performance", "overall"}
    changed_overall = moved.xs("overall", level="domain")
    assert set(changed_overall[changed_overall].index) <= set(should[should].index)


def test_changes_since_the_previous_period_are_named():
    frame = pd.DataFrame(
        {
            "urn": [1] * 4 + [2] * 3 + [3] * 2,
            "period": [2019, 2022, 2023, 2024, 2022, 2023, 2024, 2023, 2024],
            "rating": [0, 2, 2, 2, 0, 1, 0, 2, 1],
        }
    ).astype(float)
    got = changes(frame).set_index(["urn", "period"])
    assert got["change"].to_dict() == {
        (1, 2019): "first rating",
        (1, 2022): "newly red",
        (1, 2023): "still red",
        (1, 2024): "still red",
        (2, 2022): "first rating",
        (2, 2023): "newly amber",
        (2, 2024): "recovered",
        (3, 2023): "first rating",
        (3, 2024): "red to amber",
    }
    assert got.loc[(1, 2024), "periods_red"] == 3


def test_local_intelligence_red_alone_makes_a_green_school_amber_with_its_note(rated):
    green = _now(rated, "overall")
    urn = int(green[green == 0].index[0])
    intel = read_intelligence(
        pd.DataFrame(
            {
                "urn": [urn],
                "period": [PERIOD],
                "domain": ["Finance"],
                "rating": ["Red"],
                "note": ["deficit budget, third year"],
            }
        )
    )
    public = rated.ratings.loc[rated.ratings["domain"] != "overall"]
    again = overall(pd.concat([public, intel], ignore_index=True), read_rules())
    row = again.set_index(["urn", "period"]).loc[(urn, PERIOD)]
    assert row["rating"] == 1
    assert "finance red: deficit budget, third year" in row["reason"]


def test_a_bad_intelligence_file_is_refused_naming_row_and_column(tmp_path):
    path = tmp_path / "intel.csv"
    path.write_text(
        "urn,period,domain,rating,note\n100001,2024,finance,red,ok\n100002,2024,staffing,purple,x\n"
    )
    with pytest.raises(InputError, match=r"row 3, column 'rating'"):
        read_intelligence(path)
    path.write_text("urn,period,domain,rating\n100001,2024,finance,red\n")
    with pytest.raises(InputError, match="lacks column 'note'"):
        read_intelligence(path)


def test_a_period_without_outcomes_is_refused(small_tables):
    with pytest.raises(InputError, match="no outcomes for period 2021"):
        risk_ratings(small_tables, "Cumbria", period=2021)


def test_triggers_and_headline_agree_with_the_ratings(rated):
    overall = _now(rated, "overall").dropna()
    head = rated.headline()
    assert head["n_treated"] == int((overall > 0).sum())
    assert head["estimate"] == pytest.approx(100 * (overall > 0).mean())
    assert dataclasses.is_dataclass(rated.spec) and rated.spec.previous == 2023
    red_now = set(overall[overall == 2].index)
    by_red = rated.triggers.loc[rated.triggers["trigger"].str.contains("red overall"), "urn"]
    assert set(by_red) == red_now  # the default trigger: red overall for 1 period
    assert rated.plot().get_title().startswith("Ratings, 2024")


def test_attainment_reasons_give_the_interval_at_the_level_of_alpha(small_tables):
    frame = performance(small_tables.outcomes, read_rules(), [PERIOD], alpha=0.1)
    words = performance_reasons(frame, alpha=0.1).dropna()
    below = words[words.str.contains(r"and maths \d+ points below national")]
    assert len(below) and below.str.contains("90% interval").all()
    assert not words.str.contains("95%").any()
