"""Review records (self-review, peer review, pair visits, inspection judgements) → ``reviews``.

The format (CSV or xlsx, one judgement per row, header names matched ignoring case,
spaces and hyphens)::

    urn,trust_id,date,reviewer_type,theme,grade,reviewer_id
    113456,,2023-03-14,self,Leadership,2,
    113456,,2023-05-02,peer,Leadership,3,T04-head-2
    ,UMB001,2023-06-20,pair visit,Behaviour and attitudes,good,pair-7

``urn``
    The school's six-digit URN; may be empty when ``trust_id`` is given.
``trust_id``
    Optional column: a partnership id (as in the ``partnerships`` table) for a judgement
    made of a whole trust; it stands for every school that was a member on ``date``
    (needs the ``memberships`` table). A row gives a URN or a trust id, not both.
``date``
    When the judgement was made: ``yyyy-mm-dd`` or ``dd/mm/yyyy``.
``reviewer_type``
    ``self``, ``peer``, ``pair visit`` (also ``pair_visit``, ``pair-visit``) or ``inspection``.
``theme``
    What was judged, e.g. leadership, quality of education, inclusion, behaviour and
    attitudes, outcomes; stored in lower case with underscores (``quality_of_education``).
``grade``
    Ofsted's four-point ordinal scale, 1 outstanding, 2 good, 3 requires improvement
    (``satisfactory`` before 2012), 4 inadequate — as the digit or the words.
``reviewer_id``
    Optional: who judged (a person, a pair, a team), free text.

A row that breaks the format is refused with an :class:`~partnership_eval.errors.InputError`
naming the file, the row (as numbered in a spreadsheet) and the column, and the fix.
Rows repeating another row exactly, and trust rows for a trust without members on that
date, are set aside and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from partnership_eval.data.loaders.codes import parse_dates, parse_int, raise_first
from partnership_eval.data.loaders.rawfile import RawTable, read_raw
from partnership_eval.data.schema import REVIEW_GRADES, REVIEWER_TYPES
from partnership_eval.errors import InputError

REQUIRED = ("date", "reviewer_type", "theme", "grade")
"""Columns every records file has, besides ``urn`` or ``trust_id``."""

DATES = ("%Y-%m-%d", "%d/%m/%Y")

GRADE_WORDS = {
    **{str(k): k for k in REVIEW_GRADES},
    **{v: k for k, v in REVIEW_GRADES.items()},
    "satisfactory": 3,
}
"""Grade text (lower case) or digit → grade."""

REVIEWER_WORDS = {
    **{t: t for t in REVIEWER_TYPES},
    "pair visit": "pair_visit",
    "pair-visit": "pair_visit",
    "self-review": "self",
    "self review": "self",
    "peer review": "peer",
}


def column_key(name: str) -> str:
    """A header name as compared: lower case, spaces and hyphens as underscores."""
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def is_review_header(cells: list[str]) -> bool:
    """Whether a header row is a review-records header."""
    keys = {column_key(c) for c in cells}
    return all(c in keys for c in REQUIRED) and bool(keys & {"urn", "trust_id"})


@dataclass
class Reviews:
    """Review judgements of one file and the rows set aside."""

    reviews: pd.DataFrame
    """The canonical ``reviews`` table."""
    excluded: pd.DataFrame
    """``row`` (file row number) and ``reason`` of every row set aside."""


def _renamed(raw: RawTable) -> RawTable:
    keys = [column_key(c) for c in raw.columns]
    raw.frame.columns = keys
    return raw


def _choice(raw: RawTable, column: str, words: dict, what: str) -> pd.Series:
    text = raw.text(column).str.lower()
    out = text.map(words)
    raise_first(
        raw,
        out.isna(),
        column,
        f"{{value!r}} is not a {what}; {{count}} such cell(s)",
        f"use one of {', '.join(sorted(set(words)))}",
    )
    return out


def _urns(raw: RawTable) -> pd.Series:
    urn = (
        parse_int(raw, "urn", what="URN")
        if raw.has("urn")
        else pd.Series(pd.NA, index=raw.frame.index, dtype="Int64")
    )
    trust = raw.text("trust_id") if raw.has("trust_id") else pd.Series("", index=raw.frame.index)
    column = "urn" if raw.has("urn") else "trust_id"
    raise_first(
        raw,
        urn.isna() & (trust == ""),
        column,
        "no URN and no trust id; {count} such row(s)",
        "give the school's six-digit URN (or a trust id in column trust_id)",
    )
    raise_first(
        raw,
        urn.notna() & (trust != ""),
        column,
        "both a URN and a trust id; {count} such row(s)",
        "give one of them: a URN for a school's judgement, a trust id for a trust's",
    )
    raise_first(
        raw,
        urn.notna() & ((urn < 100000) | (urn > 999999)),
        "urn",
        "{value!r} is not a six-digit URN; {count} such cell(s)",
        "URNs run from 100000 to 999999",
    )
    return urn


def _expand_trusts(
    raw: RawTable, frame: pd.DataFrame, memberships: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trust rows as one row per member school on the date; rows of empty trusts apart."""
    trust_rows = frame["trust_id"] != ""
    if not trust_rows.any():
        return frame, pd.DataFrame({"row": pd.Series(dtype="int64"), "reason": ""})
    if memberships is None:
        raise_first(
            raw,
            trust_rows,
            "trust_id",
            "{value!r}: a trust's judgement needs the memberships table; {count} such row(s)",
            "pass memberships= (from ingest or demo data), or give each school's URN",
        )
    known = set(memberships["partnership_id"].astype(str))
    raise_first(
        raw,
        trust_rows & ~frame["trust_id"].isin(known),
        "trust_id",
        "{value!r} is not a partnership id in the memberships table; {count} such row(s)",
        "use the partnership_id of the trust as in the partnerships table",
    )
    trusts = (
        frame[trust_rows]
        .drop(columns="urn")
        .merge(
            memberships[["urn", "partnership_id", "joined", "left"]],
            left_on="trust_id",
            right_on="partnership_id",
        )
    )
    member = (trusts["joined"] <= trusts["date"]) & (
        trusts["left"].isna() | (trusts["left"] > trusts["date"])
    )
    trusts = trusts[member]
    empty = frame.loc[trust_rows & ~frame["file_row"].isin(trusts["file_row"]), "file_row"]
    excluded = pd.DataFrame(
        {"row": empty.to_numpy(), "reason": "trust without members on the date"}
    )
    expanded = pd.concat(
        [frame[~trust_rows], trusts[frame.columns]], ignore_index=True
    ).sort_values("file_row", kind="stable")
    return expanded, excluded


def _duplicates(frame: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    key = ["urn", "date", "reviewer_type", "theme", "reviewer_id"]
    repeat = frame.duplicated([*key, "grade"], keep="first")
    excluded = pd.DataFrame(
        {"row": frame.loc[repeat, "file_row"].to_numpy(), "reason": "repeats an earlier row"}
    )
    frame = frame[~repeat]
    clash = frame.duplicated(key, keep=False)
    if clash.any():
        rows = frame.loc[clash, "file_row"].to_numpy()
        first = frame.loc[clash].iloc[0]
        raise InputError(
            f"rows {rows[0]} and {rows[1]} give different grades for URN {first['urn']}, "
            f"{first['theme']}, {first['reviewer_type']} on {first['date']:%Y-%m-%d}",
            path=path,
            row=int(rows[1]),
            column="grade",
            fix="keep one judgement per school, theme, reviewer and date "
            "(or tell them apart with reviewer_id)",
        )
    return frame, excluded


def load_reviews(path: str | Path, memberships: pd.DataFrame | None = None) -> Reviews:
    """Read a review-records file (the format of the module docstring) as ``reviews``.

    Parameters
    ----------
    path
        The CSV or xlsx file.
    memberships
        The canonical memberships table; needed only when rows give a ``trust_id``.

    Raises
    ------
    InputError
        The file lacks a column, or a cell breaks the format; the message names the
        file, row and column, and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "reviews.csv"
    >>> _ = f.write_text("urn,date,reviewer_type,theme,grade\\n100001,2023-03-01,self,Leadership,2\\n")
    >>> load_reviews(f).reviews[["urn", "reviewer_type", "theme", "grade"]].to_dict("records")
    [{'urn': 100001, 'reviewer_type': 'self', 'theme': 'leadership', 'grade': 2}]
    """
    path = Path(path)
    try:
        raw = _renamed(read_raw(path, is_review_header))
    except InputError as exc:
        if "not a file of any known kind" not in str(exc):
            raise
        raise InputError(
            f"not a review-records file: the header needs urn (or trust_id), {', '.join(REQUIRED)}",
            path=path,
            row=1,
            fix="see the review-records format in data/raw/README.md",
        ) from exc
    theme = raw.text("theme").str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    raise_first(raw, theme == "", "theme", "no theme; {count} such row(s)", "name the theme judged")
    reviewer_id = (
        raw.text("reviewer_id") if raw.has("reviewer_id") else pd.Series("", index=raw.frame.index)
    )
    date = parse_dates(raw, "date", DATES)
    raise_first(
        raw, date.isna(), "date", "no date; {count} such row(s)", "give the date of the judgement"
    )
    frame = pd.DataFrame(
        {
            "urn": _urns(raw),
            "trust_id": raw.text("trust_id") if raw.has("trust_id") else "",
            "date": date,
            "reviewer_type": _choice(raw, "reviewer_type", REVIEWER_WORDS, "reviewer type"),
            "theme": theme,
            "grade": _choice(raw, "grade", GRADE_WORDS, "grade on the 1-4 scale"),
            "reviewer_id": reviewer_id.where(reviewer_id != "", None),
            "file_row": raw.rows.to_numpy(),
        }
    )
    frame, empty_trusts = _expand_trusts(raw, frame, memberships)
    frame, repeats = _duplicates(frame, path)
    reviews = frame.drop(columns=["trust_id", "file_row"]).astype(
        {"urn": "int64", "grade": "int64", "reviewer_type": str, "theme": str}
    )
    excluded = pd.concat([empty_trusts, repeats], ignore_index=True).astype({"row": "int64"})
    return Reviews(reviews.reset_index(drop=True), excluded)
