"""Local intelligence, the overall rating, changes since the last period and triggers.

Ratings are long: one row per school, period and domain with ``rating`` (0 green,
1 amber, 2 red; NaN where nothing could be rated) and ``reason``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from partnership_eval.analyses.clinic.domains import AMBER, GREEN, KEY, RED
from partnership_eval.analyses.clinic.rules import RATINGS, Rules, resolve_path
from partnership_eval.errors import InputError

PUBLIC_DOMAINS = ("performance", "leadership", "behaviour", "attendance")
INTELLIGENCE_COLUMNS = ("urn", "period", "domain", "rating", "note")
CHANGES = (
    "newly red",
    "newly amber",
    "red to amber",
    "recovered",
    "still red",
    "still amber",
    "still green",
    "first rating",
)
"""Categories of change since a school's previous period, in agenda order."""


def read_csv_table(
    source: pd.DataFrame | str | Path, what: str, columns: Sequence[str]
) -> tuple[pd.DataFrame, Path | None]:
    """A user's CSV (or frame) as text cells with lower-case column names, checked for
    ``columns``; and its path for error messages."""
    if isinstance(source, pd.DataFrame):
        frame, path = source.copy(), None
    else:
        path = resolve_path(source, what)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in columns if c not in frame]
    if missing:
        raise InputError(
            f"{what} lacks column {missing[0]!r}",
            path=path,
            column=missing[0],
            fix=f"give the columns {', '.join(columns)}",
        )
    return frame, path


def whole_numbers(frame: pd.DataFrame, column: str, path: Path | None, what: str) -> pd.Series:
    """``column`` as int64, or :class:`InputError` naming the first row that is not a number."""
    values = pd.to_numeric(frame[column].astype(str).str.strip(), errors="coerce")
    bad = values.isna() | (values % 1 != 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{frame[column].iloc[i]!r} is not a whole number",
            path=path,
            row=i + 2,
            column=column,
            fix=f"give every {what} as a number",
        )
    return values.astype("int64")


def read_intelligence(source: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Local ratings (urn, period, domain, rating, note) checked row by row.

    Raises
    ------
    InputError
        A column is missing, a URN or period is not a number, a rating is not red, amber
        or green, a domain is empty or a public one, or a school-period-domain repeats.
    """
    frame, path = read_csv_table(source, "intelligence", INTELLIGENCE_COLUMNS)
    frame["urn"] = whole_numbers(frame, "urn", path, "URN")
    frame["period"] = whole_numbers(frame, "period", path, "period (academic year, e.g. 2024)")
    frame["domain"] = frame["domain"].astype(str).str.strip().str.lower()
    frame["rating"] = frame["rating"].astype(str).str.strip().str.lower()
    checks = [
        ("rating", ~frame["rating"].isin(RATINGS), f"use one of {', '.join(RATINGS)}"),
        ("domain", frame["domain"].eq(""), "name the domain, e.g. finance or governance"),
        (
            "domain",
            frame["domain"].isin(PUBLIC_DOMAINS),
            "public domains are rated from the data; name a local one, e.g. finance",
        ),
        (
            "domain",
            frame.duplicated(["urn", "period", "domain"]),
            "give each school one rating per period and domain",
        ),
    ]
    for column, bad, fix in checks:
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{frame[column].iloc[i]!r} cannot be used",
                path=path,
                row=i + 2,
                column=column,
                fix=fix,
            )
    note = frame["note"].astype(str).str.strip()
    frame["reason"] = ("local intelligence (" + frame["domain"] + ")").where(note.eq(""), note)
    frame["rating"] = frame["rating"].map({r: i for i, r in enumerate(RATINGS)}).astype(float)
    frame["reason"] = frame["reason"].where(frame["rating"] > GREEN, None)
    return frame[["urn", "period", "domain", "rating", "reason"]]


def overall(ratings: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The overall rating of each school and period by the points rule of ``rules``.

    Points: green 0, amber 1, red 2, times the domain's weight, summed over the rated
    domains; red at ``red_at`` points, amber at ``amber_at``. Its reason lists every
    amber or red domain with its own reasons.
    """
    rule = rules["overall"]
    weights = ratings["domain"].map(dict(rule["weights"])).fillna(rule["local_weight"])
    scored = ratings.assign(points=ratings["rating"] * weights)
    total = scored.groupby(KEY)["points"].sum(min_count=1)
    rating = np.select([total >= rule["red_at"], total >= rule["amber_at"]], [RED, AMBER], GREEN)
    flagged = scored.loc[scored["rating"] > GREEN].sort_values(
        [*KEY, "rating"], ascending=[True, True, False]
    )
    words = (
        flagged["domain"].astype(object)
        + " "
        + flagged["rating"].map(dict(enumerate(RATINGS))).astype(object)
        + ": "
        + flagged["reason"].fillna("").astype(object)
    ).to_numpy(dtype=object)
    keys = pd.MultiIndex.from_frame(flagged[KEY])
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.array([], int)
    joined = [" | ".join(part) for part in np.split(words, starts[1:])] if len(keys) else []
    reason = pd.Series(joined, index=keys[starts], dtype=object)
    out = pd.DataFrame(
        {
            "domain": "overall",
            "rating": pd.Series(rating, index=total.index, dtype=float).where(total.notna()),
            "points": total,
        }
    )
    out["reason"] = reason.reindex(out.index).where(out["rating"] > GREEN, None)
    return out.reset_index()


def changes(overall_ratings: pd.DataFrame) -> pd.DataFrame:
    """Each school's change since its previous rated period and how long it has been red.

    Columns: urn, period, rating, previous, change (one of :data:`CHANGES`), periods_red
    (consecutive periods red overall up to this one).
    """
    frame = overall_ratings.loc[overall_ratings["rating"].notna(), ["urn", "period", "rating"]]
    frame = frame.sort_values(KEY).reset_index(drop=True)
    frame["previous"] = frame.groupby("urn")["rating"].shift(1)
    red = frame["rating"].eq(RED)
    streak = (~red).groupby(frame["urn"]).cumsum()
    frame["periods_red"] = red.astype(int).groupby([frame["urn"], streak]).cumsum()
    now, before = frame["rating"], frame["previous"]
    frame["change"] = np.select(
        [
            before.isna(),
            now.eq(RED) & before.lt(RED),
            now.eq(AMBER) & before.eq(GREEN),
            now.eq(AMBER) & before.eq(RED),
            now.eq(GREEN) & before.gt(GREEN),
            now.eq(RED),
            now.eq(AMBER),
        ],
        [
            "first rating",
            "newly red",
            "newly amber",
            "red to amber",
            "recovered",
            "still red",
            "still amber",
        ],
        "still green",
    )
    return frame


def triggers(
    changed: pd.DataFrame, leadership: pd.DataFrame, rules: Rules, period: int
) -> pd.DataFrame:
    """Schools meeting an intervention trigger in ``period``: urn and the trigger in words."""
    rule = rules["triggers"]
    now = changed.loc[changed["period"] == period].set_index("urn")
    lead = leadership.xs(period, level="period") if len(leadership) else leadership
    parts = []
    if rule["red_overall_periods"] > 0:
        hit = now.index[now["periods_red"] >= rule["red_overall_periods"]]
        runs = now.loc[hit, "periods_red"]
        parts.append(
            pd.Series("red overall for " + runs.astype(str) + " period(s) running", index=hit)
        )
    if len(lead) and rule["inadequate"]:
        hit = lead.index[lead["grade"].eq(4)]
        parts.append(pd.Series("latest inspection inadequate", index=hit))
    if len(lead) and rule["stuck_inspections"] > 0:
        hit = lead.index[lead["run"] >= rule["stuck_inspections"]]
        parts.append(
            pd.Series(
                "below good at "
                + lead.loc[hit, "run"].astype(int).astype(str)
                + " inspections running",
                index=hit,
            )
        )
    if not parts:
        return pd.DataFrame({"urn": pd.Series(dtype="int64"), "trigger": pd.Series(dtype="str")})
    hits = pd.concat(parts)
    out = hits.groupby(level=0).agg("; ".join).rename("trigger").rename_axis("urn").reset_index()
    return out
