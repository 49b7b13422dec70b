"""A planted programme: who joined which partnership when, and the effect it has."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from partnership_eval.data.synthetic.spec import YEARS


@dataclass
class Programme:
    """One programme of partnerships and its planted effect on attainment.

    ``effect`` (schools × :data:`~partnership_eval.data.synthetic.spec.YEARS`) is in
    percentage points on the expected probability of meeting the RWM standard;
    ``first_treated`` is each school's first treated academic year (0 when never).
    ``memberships`` and ``partnerships`` use school positions (``pos``), not URNs.
    """

    name: str
    description: str
    effect: np.ndarray
    first_treated: np.ndarray
    memberships: pd.DataFrame
    partnerships: pd.DataFrame
    la_code: int | None = None
    by_la: bool = False
    by_partnership: bool = False
    extra_truth: pd.DataFrame | None = None


def join_dates(first_year: np.ndarray, month: np.ndarray | int = 9) -> pd.Series:
    """Join dates on the 1st of ``month`` inside the academic year ``first_year``.

    An academic year Y runs from 1 September Y-1 to 31 August Y.
    """
    first_year = np.asarray(first_year)
    month = np.broadcast_to(np.asarray(month), first_year.shape)
    calendar_year = np.where(month >= 9, first_year - 1, first_year)
    return pd.to_datetime(pd.DataFrame({"year": calendar_year, "month": month, "day": 1}))


def empty_effect(n_schools: int) -> np.ndarray:
    """A schools × years array of zero effects."""
    return np.zeros((n_schools, len(YEARS)))


def membership_frame(
    pos: np.ndarray, partnership_id: np.ndarray, joined: pd.Series, route: np.ndarray | str
) -> pd.DataFrame:
    """Membership rows (by school position), still members at the end."""
    n = len(pos)
    return pd.DataFrame(
        {
            "pos": np.asarray(pos, dtype="int64"),
            "partnership_id": np.asarray(partnership_id, dtype=object).astype(str),
            "joined": pd.Series(joined).reset_index(drop=True),
            "left": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
            "route": np.broadcast_to(np.asarray(route, dtype=object), (n,)).astype(str),
        }
    )
