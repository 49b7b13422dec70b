"""Follow-up of the previous meeting's actions: overdue, done, and whether ratings moved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from partnership_eval.analyses.clinic.combine import read_csv_table, whole_numbers
from partnership_eval.analyses.clinic.rules import RATINGS
from partnership_eval.errors import InputError

ACTION_COLUMNS = ("urn", "action", "owner", "due", "status")
DONE = ("done", "complete", "completed", "closed")


def read_actions(source: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Actions (urn, action, owner, due as yyyy-mm-dd, status) checked row by row.

    Raises
    ------
    InputError
        A column is missing, a URN is not a number or a due date cannot be read.
    """
    frame, path = read_csv_table(source, "actions", ACTION_COLUMNS)
    frame["urn"] = whole_numbers(frame, "urn", path, "URN")
    due = pd.to_datetime(frame["due"].astype(str).str.strip(), format="%Y-%m-%d", errors="coerce")
    if due.isna().any():
        i = int(np.flatnonzero(due.isna().to_numpy())[0])
        raise InputError(
            f"{frame['due'].iloc[i]!r} is not a date",
            path=path,
            row=i + 2,
            column="due",
            fix="write due dates as yyyy-mm-dd",
        )
    frame["due"] = due
    frame["status"] = frame["status"].astype(str).str.strip().str.lower()
    return frame[list(ACTION_COLUMNS)]


def follow_up(
    actions: pd.DataFrame | str | Path,
    ratings: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    period: int,
    previous: int | None,
    meeting_date: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Each action with whether it is done or overdue and how the school's ratings moved.

    ``ratings`` is the long ratings table (urn, period, domain, rating); the move
    compares the overall rating and the domains in ``previous`` and ``period``. An
    action is overdue when it is not done and its due date is before ``meeting_date``
    (default: the end of the period, 31 August).
    """
    table = read_actions(actions)
    meeting = pd.Timestamp(meeting_date) if meeting_date else pd.Timestamp(f"{period}-08-31")
    done = table["status"].isin(DONE)
    wide = ratings.pivot_table(index=["urn", "domain"], columns="period", values="rating")
    overall = wide.xs("overall", level="domain") if len(wide) else wide
    now = overall.get(period, pd.Series(dtype=float)).reindex(table["urn"]).to_numpy()
    before = (
        overall.get(previous, pd.Series(dtype=float)).reindex(table["urn"]).to_numpy()
        if previous is not None
        else np.full(len(table), np.nan)
    )
    words = dict(enumerate(RATINGS))
    moved = np.select(
        [np.isnan(now) | np.isnan(before), now < before, now > before],
        ["not rated in both periods", "improved", "worse"],
        "no change",
    )
    return pd.DataFrame(
        {
            "school": table["urn"]
            .map(schools.set_index("urn")["name"])
            .fillna("(not in the area)"),
            "action": table["action"],
            "owner": table["owner"],
            "due": table["due"].dt.strftime("%Y-%m-%d"),
            "status": np.where(done, "done", np.where(table["due"] < meeting, "overdue", "open")),
            "overall before": pd.Series(before).map(words).fillna("no data").to_numpy(),
            "overall now": pd.Series(now).map(words).fillna("no data").to_numpy(),
            "ratings moved": moved,
        }
    )
