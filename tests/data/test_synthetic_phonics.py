"""Year 1 phonics and persistent absence in synthetic England."""

from __future__ import annotations

import numpy as np
import pytest

from partnership_eval.data.schema import validate
from partnership_eval.data.synthetic import simulate
from partnership_eval.data.synthetic.phonics import NATIONAL_PHONICS


@pytest.fixture(scope="module")
def world():
    return simulate("small", 0)


def test_phonics_pass_rate_follows_the_national_series(world):
    o = world.tables["outcomes"]
    validate(o, "outcomes")
    shown = o.loc[o["phonics_pass"].notna()]
    national = shown.groupby("year").apply(
        lambda d: np.average(d["phonics_pass"], weights=d["phonics_n"]), include_groups=False
    )
    assert national.round().to_dict() == pytest.approx(NATIONAL_PHONICS, abs=1)
    assert NATIONAL_PHONICS[2012] == 58 and NATIONAL_PHONICS[2019] == 82
    assert NATIONAL_PHONICS[2024] == 80 and 2020 not in NATIONAL_PHONICS


def test_no_check_before_2012_and_small_cohorts_suppressed(world):
    o = world.tables["outcomes"]
    early = o["year"] < 2012
    assert o.loc[early, "phonics_pass"].isna().all()
    assert set(o.loc[early, "phonics_pass_reason"]) == {"not_applicable"}
    small = (o["phonics_n"] <= 5) & ~early
    assert o.loc[small, "phonics_pass"].isna().all()
    assert set(o.loc[small, "phonics_pass_reason"]) == {"suppressed"}


def test_phonics_follows_latent_quality(world):
    o = world.tables["outcomes"].query("year == 2019 and phonics_n >= 30")
    quality = world.schools.set_index("urn")["quality"].reindex(o["urn"])
    assert np.corrcoef(quality, o["phonics_pass"])[0, 1] > 0.4


def test_persistent_absence_matches_published_primary_rates(world):
    o = world.tables["outcomes"]
    by_year = o.groupby("year")["persistent_absence"].mean()
    assert by_year[2019] == pytest.approx(8.2, abs=1.0)  # primary, 2018/19
    assert by_year[2022] == pytest.approx(16.2, abs=1.5)  # about 16% at 5.5% absence
