"""GIAS group links → partnerships and memberships, with history from monthly snapshots."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from partnership_eval.data.loaders.detect import read_known
from partnership_eval.data.loaders.trusts import (
    load_group_links,
    load_groups,
    membership_history,
    snapshot_date,
)
from partnership_eval.errors import InputError

TRUSTS = Path(__file__).resolve().parents[1] / "fixtures" / "raw" / "trusts"


def _links() -> pd.DataFrame:
    frames = []
    for path in sorted(TRUSTS.glob("*link*.csv")):
        kind, raw = read_known(path)
        assert kind.name == "gias_group_links"
        frames.append(load_group_links(raw))
    return pd.concat(frames, ignore_index=True)


def _history():
    groups = load_groups(read_known(TRUSTS / "groups_2022_reprocessed.csv")[1])
    links = _links()
    return membership_history(links.dropna(subset=["kind"]), groups)


def _spell(urn: int, pid: str) -> pd.Series:
    m = _history().memberships
    return m.loc[(m["urn"] == urn) & (m["partnership_id"] == pid)].iloc[0]


def test_snapshot_date_from_file_name_or_latest_joining_date():
    assert set(_links()["snapshot"].dt.strftime("%Y-%m-%d")) == {
        "2018-06-01",
        "2018-09-02",
        "2019-01-01",
        "2022-01-05",
    }


def test_group_types_map_to_kinds_and_childrens_centres_are_set_aside():
    links = _links()
    kinds = dict(zip(links["group_type"], links["kind"], strict=True))
    assert kinds["Multi-academy trust"] == "mat"
    assert kinds["Single-academy trust"] == "sat"
    assert kinds["School sponsor"] == "sponsor"
    assert kinds["Trust"] == "umbrella_trust"
    assert kinds["Federation"] == "federation"
    assert pd.isna(kinds["Children's Centres Group"])


def test_school_missing_from_later_snapshot_has_left_at_that_snapshot():
    spell = _spell(140004, "gias-5001")
    assert spell["joined"] == pd.Timestamp("2017-09-01")
    assert spell["left"] == pd.Timestamp("2019-01-01")


def test_school_in_latest_snapshot_is_still_a_member():
    spell = _spell(140002, "gias-5001")
    assert spell["joined"] == pd.Timestamp("2018-09-01")
    assert pd.isna(spell["left"])


def test_missing_joining_date_falls_back_to_first_snapshot():
    assert _spell(140006, "gias-5001")["joined"] == pd.Timestamp("2019-01-01")
    assert _spell(100001, "gias-6001")["joined"] == pd.Timestamp("2022-01-05")  # 1900-01-01
    assert _history().joined_from_snapshot == 2


def test_school_in_a_sat_and_a_sponsor_keeps_both():
    m = _history().memberships
    assert set(m.loc[m["urn"] == 140005, "partnership_id"]) == {"gias-5002", "gias-5003"}


def test_partnerships_have_ids_kinds_founding_dates_and_la():
    p = _history().partnerships.set_index("partnership_id")
    assert p.loc["gias-5001", "kind"] == "mat"
    assert p.loc["gias-5001", "founded"] == pd.Timestamp("2017-08-01")  # groups file
    assert p.loc["gias-5002", "founded"] == pd.Timestamp("2016-09-01")  # earliest joining
    assert p.loc["gias-5001", "la_code"] == 908


def test_rejoining_after_a_gap_with_a_new_date_is_a_new_spell():
    base = {
        "uid": 1,
        "group_name": "T",
        "group_type": "Multi-academy trust",
        "kind": "mat",
        "left_group": pd.NaT,
        "la_code": 908,
        "urn": 100001,
    }
    dates = pd.to_datetime(["2018-01-01", "2018-02-01", "2018-03-01"])
    links = pd.DataFrame(
        [
            {**base, "snapshot": dates[0], "joined": pd.Timestamp("2017-09-01")},
            {**base, "snapshot": dates[2], "joined": pd.Timestamp("2018-02-15")},
            {**base, "urn": 100002, "snapshot": dates[1], "joined": pd.Timestamp("2017-09-01")},
        ]
    )
    m = membership_history(links).memberships.query("urn == 100001")
    assert m["joined"].tolist() == [pd.Timestamp("2017-09-01"), pd.Timestamp("2018-02-15")]
    assert m["left"].tolist()[0] == pd.Timestamp("2018-02-01")
    assert pd.isna(m["left"].tolist()[1])


def test_snapshot_without_any_date_is_an_error(tmp_path):
    path = tmp_path / "grouplinks.csv"
    path.write_text(
        '"URN","Linked UID","Group Name","Group Type","Joined date"\n100001,1,"T","Multi-academy trust",""\n'
    )
    with pytest.raises(
        InputError, match="grouplinks.csv: cannot tell when this group-links snapshot was taken"
    ):
        snapshot_date(read_known(path)[1])
