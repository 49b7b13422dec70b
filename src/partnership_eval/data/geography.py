"""Local authorities of England: DfE's three-digit LA codes, names and regions."""

from __future__ import annotations

import difflib
from functools import cache
from importlib.resources import files

import pandas as pd

from partnership_eval.errors import InputError

ENGLAND = "England"


@cache
def la_table() -> pd.DataFrame:
    """DfE LA codes with LA name and one of the nine English regions.

    Includes Northamptonshire (928) alongside its 2021 successors (940, 941) so both old
    and new files resolve.
    """
    path = files("partnership_eval.data") / "reference" / "la_codes.csv"
    with path.open() as fh:
        return pd.read_csv(fh, dtype={"la_code": "int64", "la_name": "str", "region": "str"})


def region_of(la_codes: pd.Series) -> pd.Series:
    """Region name for each LA code (missing where the code is unknown)."""
    lookup = la_table().set_index("la_code")["region"]
    return la_codes.map(lookup)


def resolve_las(names_or_codes: list[str | int]) -> list[int]:
    """LA codes for LA names (case-insensitive), region names or codes.

    Raises
    ------
    InputError
        An item is none of these; close LA or region names are offered ("did you mean").
    """
    table = la_table()
    by_name = {n.lower(): c for n, c in zip(table["la_name"], table["la_code"], strict=True)}
    regions = {r.lower(): r for r in table["region"].unique()}
    codes: list[int] = []
    for item in names_or_codes:
        key = str(item).strip()
        if key.isdigit() and int(key) in set(table["la_code"]):
            codes.append(int(key))
        elif key.lower() in by_name:
            codes.append(int(by_name[key.lower()]))
        elif key.lower() in regions:
            region = regions[key.lower()]
            codes.extend(int(c) for c in table.loc[table["region"] == region, "la_code"])
        else:
            raise InputError(
                f"unknown area {key!r}{_did_you_mean(key, [*by_name, *regions])}",
                fix="give an LA name (e.g. 'Cumbria'), a three-digit LA code (e.g. 909) "
                "or a region (e.g. 'South West')",
            )
    return list(dict.fromkeys(codes))


def _did_you_mean(key: str, known: list[str]) -> str:
    """``"; did you mean 'Surrey'?"`` for the closest known names, or ``""``."""
    close = difflib.get_close_matches(key.lower(), known, n=3, cutoff=0.75)
    if not close:
        return ""
    names = {n.lower(): n for n in (*la_table()["la_name"], *la_table()["region"])}
    return "; did you mean " + " or ".join(repr(names[c]) for c in close) + "?"


def area_name(area: str | int) -> str:
    """The name of an area given as an LA name or code, or a region (``850`` →
    ``"Hampshire"``, ``"south west"`` → ``"South West"``); as given when not known."""
    text = str(area).strip()
    las = la_table()
    if text.isdigit():
        names = las.loc[las["la_code"] == int(text), "la_name"]
    else:
        known = pd.concat([las["la_name"], las["region"], pd.Series([ENGLAND])])
        names = known[known.str.lower() == text.lower()]
    return str(names.iloc[0]) if len(names) else text
