"""Report sets: the reports of one run declared in TOML.

A report set has one ``[[report]]`` table per notebook::

    workers = 4                       # optional: as --workers
    scheduler = "tcp://host:8786"     # optional: as --scheduler

    [[report]]
    notebook = "00_overview"
    areas = ["Cumbria", 909]          # LA names, codes or regions; or:
    # by = "la"                       # every LA (la | region | school) in the data,
    # where = "region == 'North West'"  # optionally only those with schools matching

    [report.parameters]
    first_year = 2012

Every key is checked with its type, and an error names the file, the report and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from partnership_eval.errors import InputError

BY = ("la", "region", "school")
"""What ``by`` runs a notebook for: every LA, every region, or every school in the data."""
REPORT_KEYS = {"notebook": str, "areas": list, "parameters": dict, "by": str, "where": str}
SET_KEYS = {"report": list, "workers": int, "scheduler": str}
TYPE_WORDS = {
    str: "text",
    list: "a list",
    dict: "a table",
    int: "a whole number",
    float: "a number",
}


@dataclass(frozen=True)
class ReportRequest:
    """One entry of a report set: a notebook, the areas to run it for, its parameters.

    ``by`` (``la``, ``region`` or ``school``) asks for every such unit in the data
    instead of listed ``areas``, narrowed by ``where`` (a pandas query over the schools
    table).
    """

    notebook: str | Path
    areas: tuple[str, ...] = ()
    parameters: Mapping[str, object] = field(default_factory=dict)
    by: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class ReportSet:
    """The requests of a report set and its run options (None: not given)."""

    requests: list[ReportRequest]
    workers: int | None = None
    scheduler: str | None = None


def _check(path: Path, where: str, key: str, value: object, expected: type) -> None:
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        raise InputError(
            f"{where}key {key!r} must be {TYPE_WORDS[expected]}, got {TYPE_WORDS.get(type(value), type(value).__name__)} "
            f"{value!r}",
            path=path,
            fix=f"write e.g. {_example(key)}",
        )


def _example(key: str) -> str:
    return {
        "notebook": 'notebook = "00_overview"',
        "areas": 'areas = ["Cumbria", 909]',
        "parameters": "[report.parameters] with one NAME = VALUE per line",
        "by": 'by = "la"',
        "where": "where = \"region == 'North West'\"",
        "workers": "workers = 4",
        "scheduler": 'scheduler = "tcp://host:8786"',
        "report": '[[report]] tables, each with notebook = "NAME"',
    }[key]


def _read_toml(path: Path) -> dict:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("report set not found", path=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte {data[exc.start]:#04x} on line {line})",
            path=path,
            fix="save the file as UTF-8 (in Excel or Notepad: Save As, encoding UTF-8)",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"not valid TOML ({exc})", path=path, fix="see https://toml.io for the syntax"
        ) from None


def _request(path: Path, number: int, entry: object) -> ReportRequest:
    where = f"report {number}: "
    if not isinstance(entry, dict):
        raise InputError(f"{where}not a table", path=path, fix=_example("report"))
    unknown = sorted(set(entry) - set(REPORT_KEYS))
    if "notebook" not in entry or unknown:
        problem = f"unknown key(s) {unknown}" if unknown else "no notebook"
        raise InputError(
            f"{where}{problem}; allowed keys are {', '.join(REPORT_KEYS)}",
            path=path,
            fix=_example("notebook"),
        )
    areas = entry.get("areas", [])
    if isinstance(areas, str | int) and not isinstance(areas, bool):
        areas = [areas]
    for key, expected in REPORT_KEYS.items():
        if key in entry:
            _check(path, where, key, areas if key == "areas" else entry[key], expected)
    bad = [a for a in areas if isinstance(a, bool) or not isinstance(a, str | int)]
    if bad:
        raise InputError(
            f"{where}key 'areas' holds {bad[0]!r}; areas are LA names, LA codes or regions",
            path=path,
            fix=_example("areas"),
        )
    by = entry.get("by")
    if by is not None and by not in BY:
        raise InputError(
            f"{where}key 'by' is {by!r}; choose one of {', '.join(BY)}",
            path=path,
            fix=_example("by"),
        )
    if by is not None and areas:
        raise InputError(
            f"{where}give either 'areas' or 'by', not both", path=path, fix=_example("by")
        )
    if "where" in entry and by is None:
        raise InputError(
            f'{where}key \'where\' narrows \'by\'; add by = "la", "region" or "school"',
            path=path,
        )
    return ReportRequest(
        entry["notebook"],
        tuple(str(a) for a in areas),
        dict(entry.get("parameters", {})),
        by=by,
        where=entry.get("where"),
    )


def read_report_set(path: str | Path) -> ReportSet:
    """The requests and options of a TOML report set (see the module docstring).

    Raises :class:`~partnership_eval.errors.InputError` naming the file, the report and
    the key, with the fix, for text that is not UTF-8 or not TOML, unknown keys and
    values of the wrong type.
    """
    path = Path(path)
    spec = _read_toml(path)
    entries = spec.get("report")
    if not isinstance(entries, list) or not entries:
        raise InputError(
            'no [[report]] entries; each needs notebook = "NAME" and may have areas = [...] '
            'or by = "la", and [report.parameters]',
            path=path,
        )
    unknown = sorted(set(spec) - set(SET_KEYS))
    if unknown:
        raise InputError(
            f"unknown key(s) {unknown}; allowed at the top are {', '.join(SET_KEYS)}", path=path
        )
    for key in ("workers", "scheduler"):
        if key in spec:
            _check(path, "", key, spec[key], SET_KEYS[key])
    requests = [_request(path, n, entry) for n, entry in enumerate(entries, start=1)]
    return ReportSet(requests, workers=spec.get("workers"), scheduler=spec.get("scheduler"))
