"""The review-records loader: the documented format in, the canonical reviews table out."""

from __future__ import annotations

import pandas as pd
import pytest

from partnership_eval.data.loaders.reviews import load_reviews
from partnership_eval.data.schema import validate
from partnership_eval.errors import InputError

HEADER = "urn,trust_id,date,reviewer_type,theme,grade,reviewer_id\n"
GOOD = (
    HEADER
    + "113456,,2023-03-14,self,Leadership,2,\n"
    + "113456,,02/05/2023,peer,Leadership,Requires improvement,T04\n"
    + ",UMB001,2023-06-20,pair visit,Behaviour and attitudes,good,pair-7\n"
)
MEMBERS = pd.DataFrame(
    {
        "urn": [100001, 100002, 100003],
        "partnership_id": ["UMB001"] * 3,
        "joined": pd.to_datetime(["2020-09-01", "2020-09-01", "2024-01-01"]),
        "left": pd.NaT,
    }
)


def _file(tmp_path, text: str, name: str = "reviews.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_documented_format_loads_as_the_canonical_table(tmp_path):
    loaded = load_reviews(_file(tmp_path, GOOD), memberships=MEMBERS)
    validate(loaded.reviews, "reviews")
    rows = loaded.reviews.sort_values(["urn", "date"])
    assert rows["urn"].tolist() == [100001, 100002, 113456, 113456]
    assert rows["reviewer_type"].tolist() == ["pair_visit", "pair_visit", "self", "peer"]
    assert rows["grade"].tolist() == [2, 2, 2, 3]
    assert set(rows["theme"]) == {"leadership", "behaviour_and_attitudes"}
    assert rows["date"].iloc[-1] == pd.Timestamp("2023-05-02")


def test_trust_rows_stand_for_the_members_on_the_date_only(tmp_path):
    loaded = load_reviews(_file(tmp_path, GOOD), memberships=MEMBERS)
    assert 100003 not in set(loaded.reviews["urn"])  # joined after the visit


def test_header_names_match_ignoring_case_and_spaces(tmp_path):
    text = "URN,Date,Reviewer Type,Theme,Grade\n113456,2023-03-14,Self,Outcomes,1\n"
    loaded = load_reviews(_file(tmp_path, text))
    assert loaded.reviews["reviewer_type"].tolist() == ["self"]


def test_exact_repeats_are_set_aside_and_counted(tmp_path):
    line = "113456,,2023-03-14,self,Leadership,2,\n"
    loaded = load_reviews(_file(tmp_path, HEADER + line + line))
    assert len(loaded.reviews) == 1
    assert loaded.excluded.to_dict("records") == [{"row": 3, "reason": "repeats an earlier row"}]


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        ("113456,,2023-03-14,self,Leadership,5,", "grade", "'5' is not a grade"),
        ("113456,,2023-03-14,governor,Leadership,2,", "reviewer_type", "not a reviewer type"),
        ("113456,,14.03.2023,self,Leadership,2,", "date", "is not a date"),
        ("11345,,2023-03-14,self,Leadership,2,", "urn", "not a six-digit URN"),
        ("abc,,2023-03-14,self,Leadership,2,", "urn", "not a valid URN"),
        (",,2023-03-14,self,Leadership,2,", "urn", "no URN and no trust id"),
        ("113456,UMB001,2023-03-14,self,Leadership,2,", "urn", "both a URN and a trust id"),
        ("113456,,2023-03-14,self,,2,", "theme", "no theme"),
    ],
)
def test_malformed_records_file_is_refused_naming_row_and_column(tmp_path, line, column, words):
    good = "113456,,2023-03-14,peer,Leadership,2,\n"
    path = _file(tmp_path, HEADER + good + line + "\n")
    with pytest.raises(InputError) as caught:
        load_reviews(path)
    error = caught.value
    assert (error.row, error.column) == (3, column)
    assert str(path) in str(error) and "row 3" in str(error) and words in str(error)
    assert error.fix


def test_conflicting_grades_for_one_judgement_are_refused(tmp_path):
    text = HEADER + "113456,,2023-03-14,self,Leadership,2,\n113456,,2023-03-14,self,Leadership,3,\n"
    with pytest.raises(InputError, match="rows 2 and 3 give different grades") as caught:
        load_reviews(_file(tmp_path, text))
    assert caught.value.column == "grade"


def test_trust_rows_without_memberships_are_refused_with_the_fix(tmp_path):
    with pytest.raises(InputError, match="needs the memberships table") as caught:
        load_reviews(_file(tmp_path, GOOD))
    assert (caught.value.row, caught.value.column) == (4, "trust_id")


def test_unknown_trust_is_refused(tmp_path):
    text = HEADER + ",UMB999,2023-06-20,pair visit,Leadership,2,\n"
    with pytest.raises(InputError, match="not a partnership id"):
        load_reviews(_file(tmp_path, text), memberships=MEMBERS)


def test_file_without_the_review_columns_is_refused_pointing_at_the_format(tmp_path):
    with pytest.raises(InputError, match="not a review-records file") as caught:
        load_reviews(_file(tmp_path, "urn,grade\n113456,2\n"))
    assert "README" in str(caught.value)
