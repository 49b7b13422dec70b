"""The clinic's rules file: thresholds and the overall rule, read and checked key by key.

:data:`DEFAULT_RULES` (``default_rules.yml``, shipped with the package) documents every
key and cites the published definitions behind its defaults. A user copies it, edits
numbers and passes the copy to :func:`read_rules`; a file missing a key, holding an
unknown one, a value of the wrong type, or thresholds in the wrong order is refused
with :class:`~partnership_eval.errors.InputError` naming the key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from partnership_eval.errors import InputError

DEFAULT_RULES = files("partnership_eval.analyses.clinic") / "default_rules.yml"
RATINGS = ("green", "amber", "red")
YEAR_SERIES = ("national.ks2_rwm_exp", "national.phonics_pass")
"""Mappings of academic year → national % (any years)."""
ANY_NUMBER = ("overall.weights", "overall.local_weight", "overall.amber_at", "overall.red_at")
"""Keys whose default is a whole number but that may take any number."""


@dataclass(frozen=True)
class Rules:
    """Checked clinic rules: ``rules["performance"]["floor"]["rwm_exp"]``, read-only."""

    values: Mapping[str, Any]
    path: str

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def national(self, measure: str) -> dict[int, float]:
        """Published national % of ``measure`` by academic year."""
        return dict(self.values["national"][measure])


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    return value


def _refuse(key: str, message: str, path: str, fix: str) -> InputError:
    return InputError(f"rules key {key!r}: {message}", path=path, fix=fix)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_years(series: Any, key: str, path: str) -> dict[int, float]:
    if not isinstance(series, Mapping):
        raise _refuse(key, "must map academic years to %", path, "e.g. {2019: 65.0}")
    out = {}
    for year, value in series.items():
        if not isinstance(year, int) or not 1990 <= year <= 2100:
            raise _refuse(f"{key}.{year}", "is not an academic year", path, "write e.g. 2019")
        if not _is_number(value) or not 0 <= value <= 100:
            raise _refuse(f"{key}.{year}", f"{value!r} is not a %", path, "give 0 to 100")
        out[year] = float(value)
    return out


def _check_value(template: Any, value: Any, key: str, path: str) -> Any:
    if key in YEAR_SERIES:
        return _check_years(value, key, path)
    if isinstance(template, Mapping):
        if not isinstance(value, Mapping):
            raise _refuse(key, "must be a section of keys", path, "see the default rules file")
        missing = [k for k in template if k not in value]
        if missing:
            raise _refuse(
                f"{key}.{missing[0]}" if key else missing[0],
                "is missing",
                path,
                "copy it from the default rules file",
            )
        unknown = [k for k in value if k not in template]
        if unknown:
            raise _refuse(
                f"{key}.{unknown[0]}" if key else str(unknown[0]),
                f"is not a rule (known here: {', '.join(map(str, template))})",
                path,
                "check its spelling against the default rules file",
            )
        return {
            k: _check_value(template[k], value[k], f"{key}.{k}" if key else k, path)
            for k in template
        }
    if key == "performance.prior_pupils":
        if value == "auto" or (_is_number(value) and value > 0):
            return value
        raise _refuse(
            key, f"{value!r} is neither auto nor a positive number", path, "e.g. auto or 20"
        )
    if key == "leadership.stale_rating":
        if value in RATINGS:
            return value
        raise _refuse(key, f"{value!r} is not a rating", path, f"use one of {', '.join(RATINGS)}")
    if isinstance(template, bool):
        if isinstance(value, bool):
            return value
        raise _refuse(key, f"{value!r} is not true or false", path, "write true or false")
    if isinstance(template, int) and not key.startswith(ANY_NUMBER):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _refuse(key, f"{value!r} is not a whole number", path, "e.g. 3")
    if _is_number(template):
        if _is_number(value):
            return float(value)
        raise _refuse(key, f"{value!r} is not a number", path, "e.g. -10.0")
    return value


def _check_order(rules: dict[str, Any], path: str) -> None:
    """Thresholds that only make sense in one order, or within a range."""
    perf, overall = rules["performance"], rules["overall"]
    checks = [
        ("performance.years", perf["years"] >= 1, "must be at least 1"),
        ("performance.coasting.years", perf["coasting"]["years"] >= 1, "must be at least 1"),
        (
            "performance.attainment.red",
            perf["attainment"]["red"] < perf["attainment"]["amber"],
            "must be below performance.attainment.amber",
        ),
        ("performance.attainment.amber", perf["attainment"]["amber"] <= 0, "must be 0 or below"),
        ("performance.phonics.amber", perf["phonics"]["amber"] <= 0, "must be 0 or below"),
        ("performance.trend.amber_fall", perf["trend"]["amber_fall"] > 0, "must be above 0"),
        ("performance.pupil_sd_progress", perf["pupil_sd_progress"] > 0, "must be above 0"),
        (
            "attendance.amber_top_share",
            0 < rules["attendance"]["amber_top_share"] < 1,
            "must be a share between 0 and 1",
        ),
        ("attendance.red_ratio", rules["attendance"]["red_ratio"] > 1, "must be above 1"),
        ("behaviour.amber_ratio", rules["behaviour"]["amber_ratio"] > 1, "must be above 1"),
        ("overall.amber_at", overall["amber_at"] > 0, "must be above 0"),
        (
            "overall.red_at",
            overall["red_at"] >= overall["amber_at"],
            "must be at least overall.amber_at",
        ),
        (
            "triggers.red_overall_periods",
            rules["triggers"]["red_overall_periods"] >= 0,
            "must be 0 (off) or more",
        ),
        (
            "triggers.stuck_inspections",
            rules["triggers"]["stuck_inspections"] >= 0,
            "must be 0 (off) or more",
        ),
        ("version", rules["version"] == 1, "this package reads version 1"),
    ]
    for name, weight in overall["weights"].items():
        checks.append((f"overall.weights.{name}", weight >= 0, "must be 0 or more"))
    for key, ok, message in checks:
        if not ok:
            raise _refuse(key, message, path, "see the default rules file")


def _load(path: Path | Any) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except FileNotFoundError as exc:
        raise InputError(
            "rules file not found", path=path, fix="give the path of a copy of the default rules"
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(
            f"not valid YAML ({exc})".replace("\n", " "),
            path=path,
            fix="compare it with the default rules file",
        ) from exc


def resolve_path(path: str | Path, what: str) -> Path:
    """A user's file path: as given when absolute or found from here, else from the
    directory the command was started in (``$PWD``; report notebooks run inside
    ``notebooks/``).

    Raises
    ------
    InputError
        The file is found in neither place.
    """
    given = Path(path).expanduser()
    for candidate in (given, Path(os.environ.get("PWD", "")) / given):
        if candidate.is_file():
            return candidate
    raise InputError(
        f"{what} file not found", path=given, fix="give its path, absolute or from where you run"
    )


def rules_summary(rules: Rules) -> str:
    """The main thresholds of ``rules`` in words (Markdown bullet points)."""
    perf, att, beh = rules["performance"], rules["attendance"], rules["behaviour"]
    overall, lead = rules["overall"], rules["leadership"]
    weights = ", ".join(f"{k} {v:g}" for k, v in overall["weights"].items())
    return "\n".join(
        [
            f"- **Performance**: KS2 reading, writing and maths pooled over the last "
            f"{perf['years']} years with results and shrunk toward national; red below the "
            f"DfE floor standard ({perf['floor']['rwm_exp']:g}% and progress) or "
            f"{-perf['attainment']['red']:g} points or more below national; amber "
            f"{-perf['attainment']['amber']:g} points below, coasting (DfE definition), results "
            f"falling {perf['trend']['amber_fall']:g} points against national, or Year 1 phonics "
            f"{-perf['phonics']['amber']:g} points below national.",
            "- **Leadership**: latest Ofsted grade; inadequate, or requires improvement twice "
            "running, is red; requires improvement is amber; a good or outstanding grade older "
            f"than {lead['stale_after_years']:g} years is {lead['stale_rating']}.",
            f"- **Behaviour**: suspensions at least {beh['amber_ratio']:g} times the national "
            "rate are amber, red when so in the period before too.",
            f"- **Attendance**: persistent absence (10% of sessions or more missed) among the "
            f"highest {att['amber_top_share']:.0%} of schools is amber, at least "
            f"{att['red_ratio']:g} times national red.",
            f"- **Overall**: amber 1 point, red 2, times each domain's weight ({weights}; local "
            f"domains {overall['local_weight']:g}); red at {overall['red_at']:g} points or "
            f"more, amber at {overall['amber_at']:g}.",
        ]
    )


def read_rules(path: str | Path | None = None) -> Rules:
    """The clinic rules in ``path`` (the package defaults when None or empty), checked.

    Raises
    ------
    InputError
        The file cannot be read, or a key is missing, unknown, of the wrong type or out
        of order; the message names the key and the fix.

    Examples
    --------
    >>> read_rules()["performance"]["floor"]["rwm_exp"]
    65.0
    """
    template = yaml.safe_load(DEFAULT_RULES.read_text())
    if path is None or str(path).strip() == "":
        source, given = "default rules", template
    else:
        found = resolve_path(path, "rules")
        source = str(found)
        given = _load(found)
    if not isinstance(given, Mapping):
        raise InputError(
            "a rules file is a YAML mapping of sections",
            path=source,
            fix="start from the default rules file",
        )
    checked = _check_value(template, given, "", source)
    _check_order(checked, source)
    return Rules(_frozen(checked), source)
