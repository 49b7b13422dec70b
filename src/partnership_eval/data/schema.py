"""Canonical tables: their columns, types and allowed values, checked on write and read.

Every table in ``data/processed`` is one of :data:`TABLES`. Loaders and the synthetic
generator produce them; everything downstream may rely on these columns and types.
Years are academic years named by the calendar year in which they end (2015 = 2014/15).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from pandas.api import types as ptypes

from partnership_eval.errors import SchemaError

PARTNERSHIP_KINDS = (
    "cluster",
    "federation",
    "umbrella_trust",
    "mat",
    "collaborative",
    "triad",
    "sat",  # single-academy trust: kept apart from chains
    "sponsor",  # academy sponsor group (GIAS "School sponsor")
)
"""Kinds of partnership. ``mat`` = multi-academy trust (an academy chain)."""

REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)

NO_TESTS = (2020, 2021)
"""Academic years without KS2 tests (and so without results): gaps, never interpolated."""

OUTCOME_MEASURES = (
    "ks2_rwm_exp",
    "read_prog",
    "writ_prog",
    "mat_prog",
    "disadv_rwm_exp",
    "non_disadv_rwm_exp",
    "attendance",
    "exclusions",
)
"""Outcome columns; each may have a ``<measure>_reason`` column saying why it is missing."""

MISSING_REASONS = (
    "suppressed",  # SUPP: 5 or fewer pupils
    "no_entries",  # NE
    "not_applicable",  # NA
    "not_published",  # NP
    "low_coverage",  # LOWCOV
    "small_cohort",  # SP
    "results_withheld",  # RE
    "new_school",  # NEW
    "unavailable",  # UNAVAIL
    "blank",  # empty cell in the source
    "no_tests",  # no KS2 tests sat (2020, 2021)
    "no_pupils",  # nobody in the group (e.g. no disadvantaged pupils)
    "not_in_file",  # the source file has no column for the measure
)


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    kind: str  # "int" | "float" | "str" | "bool" | "date"
    nullable: bool = True
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class TableSchema:
    """Columns of a canonical table and its key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: tuple[Column, ...] = field(default_factory=tuple)
    reason_suffix: bool = False  # allow ``<measure>_reason`` columns

    def column(self, name: str) -> Column | None:
        """The declared column called ``name`` (reason columns included), or None."""
        for col in (*self.columns, *self.optional):
            if col.name == name:
                return col
        if self.reason_suffix and name.endswith("_reason"):
            return Column(name, "str", allowed=MISSING_REASONS)
        return None

    @property
    def required(self) -> list[str]:
        """Names of the columns every table of this kind must have."""
        return [c.name for c in self.columns]


def _pct(name: str) -> Column:
    return Column(name, "float", minimum=0, maximum=100)


SCHOOLS = TableSchema(
    "schools",
    columns=(
        Column("urn", "int", nullable=False, minimum=100000, maximum=999999),
        Column("name", "str"),
        Column("la_code", "int", nullable=False, minimum=100, maximum=999),
        Column("la_name", "str", nullable=False),
        Column("region", "str", allowed=REGIONS),
        Column("phase", "str"),
        Column("school_type", "str"),
        Column("is_academy", "bool"),
        Column("pupils", "int", minimum=0),
        Column("rural", "bool"),
        Column("urban_rural", "str"),
        _pct("fsm_pct"),
        Column("open_date", "date"),
        Column("close_date", "date"),
    ),
    optional=(
        Column("easting", "float"),
        Column("northing", "float"),
        Column("status", "str"),
    ),
    key=("urn",),
)

OUTCOMES = TableSchema(
    "outcomes",
    columns=(
        Column("urn", "int", nullable=False, minimum=100000, maximum=999999),
        Column("year", "int", nullable=False, minimum=1990, maximum=2100),
        Column("cohort_n", "int", minimum=0),
        _pct("ks2_rwm_exp"),
        Column("read_prog", "float"),
        Column("writ_prog", "float"),
        Column("mat_prog", "float"),
        _pct("disadv_rwm_exp"),
        _pct("non_disadv_rwm_exp"),
        _pct("attendance"),
        Column("exclusions", "float", minimum=0),
    ),
    optional=(
        _pct("ks2_rwm_high"),
        Column("disadv_n", "int", minimum=0),
        Column("source", "str"),
        _pct("phonics_pass"),  # % of Year 1 pupils meeting the phonics check standard
        Column("phonics_n", "int", minimum=0),  # Year 1 pupils taking the check
        _pct("persistent_absence"),  # % of pupils missing 10% or more of sessions
    ),
    key=("urn", "year"),
    reason_suffix=True,
)

MEMBERSHIPS = TableSchema(
    "memberships",
    columns=(
        Column("urn", "int", nullable=False, minimum=100000, maximum=999999),
        Column("partnership_id", "str", nullable=False),
        Column("joined", "date", nullable=False),
        Column("left", "date"),
    ),
    optional=(Column("route", "str", allowed=("sponsored", "converter", "founder", "other")),),
    key=("urn", "partnership_id", "joined"),
)

PARTNERSHIPS = TableSchema(
    "partnerships",
    columns=(
        Column("partnership_id", "str", nullable=False),
        Column("name", "str"),
        Column("kind", "str", nullable=False, allowed=PARTNERSHIP_KINDS),
        Column("founded", "date"),
        Column("la_code", "int", minimum=100, maximum=999),
    ),
    optional=(Column("parent_id", "str"), Column("source_id", "str")),
    key=("partnership_id",),
)

INSPECTIONS = TableSchema(
    "inspections",
    columns=(
        Column("urn", "int", nullable=False, minimum=100000, maximum=999999),
        Column("date", "date", nullable=False),
        Column("grade", "int", minimum=1, maximum=4),
        Column("kind", "str"),
    ),
    optional=(Column("source", "str"),),
    key=("urn", "date", "kind"),
)

TRUTH = TableSchema(
    "truth",
    columns=(
        Column("programme", "str", nullable=False),
        Column("cohort", "int", nullable=False),
        Column("year", "int", nullable=False),
        Column("effect", "float", nullable=False),
    ),
    optional=(
        Column("outcome", "str"),
        Column("partnership_id", "str"),
        Column("la_code", "int"),
        Column("urn", "int"),
        Column("n_schools", "int"),
        Column("description", "str"),
        Column("theme", "str"),
    ),
    key=(),
)

REVIEWER_TYPES = ("self", "peer", "pair_visit", "inspection")
"""Who made a review judgement: the school itself, a peer reviewer or team, a pair of
visiting heads ("mini-Ofsted"), or an inspector."""

REVIEW_GRADES = {1: "outstanding", 2: "good", 3: "requires improvement", 4: "inadequate"}
"""The ordinal scale of review grades (Ofsted's four points; 1 is best)."""

REVIEWS = TableSchema(
    "reviews",
    columns=(
        Column("urn", "int", nullable=False, minimum=100000, maximum=999999),
        Column("date", "date", nullable=False),
        Column("reviewer_type", "str", nullable=False, allowed=REVIEWER_TYPES),
        Column("theme", "str", nullable=False),
        Column("grade", "int", nullable=False, minimum=1, maximum=4),
        Column("reviewer_id", "str"),
    ),
    key=("urn", "date", "reviewer_type", "theme", "reviewer_id"),
)

TABLES: dict[str, TableSchema] = {
    t.name: t for t in (SCHOOLS, OUTCOMES, MEMBERSHIPS, PARTNERSHIPS, INSPECTIONS, TRUTH, REVIEWS)
}
CANONICAL = ("schools", "outcomes", "memberships", "partnerships", "inspections")
"""Tables every data directory holds; ``truth`` only comes with synthetic data and
``reviews`` only where review records were given (both optional)."""


def _kind_ok(series: pd.Series, kind: str) -> bool:
    if series.isna().all():
        return True
    if kind == "int":
        return ptypes.is_integer_dtype(series)
    if kind == "float":
        return ptypes.is_float_dtype(series) or ptypes.is_integer_dtype(series)
    if kind == "str":
        return ptypes.is_string_dtype(series) or ptypes.is_object_dtype(series)
    if kind == "bool":
        return ptypes.is_bool_dtype(series)
    if kind == "date":
        return ptypes.is_datetime64_any_dtype(series)
    raise ValueError(f"unknown column kind {kind!r}")


def validate(df: pd.DataFrame, table: str, *, source: str = "") -> None:
    """Raise :class:`SchemaError` naming the table and column when ``df`` breaks the schema."""
    schema = TABLES[table]
    where = f"table {table!r}" + (f" ({source})" if source else "")
    missing = [c for c in schema.required if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{where}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(schema.required)}"
        )
    for name in df.columns:
        col = schema.column(name)
        if col is None:
            raise SchemaError(
                f"{where}: unexpected column {name!r}; allowed are "
                f"{', '.join(c.name for c in (*schema.columns, *schema.optional))}"
            )
        s = df[name]
        if not _kind_ok(s, col.kind):
            raise SchemaError(f"{where}: column {name!r} has dtype {s.dtype}, expected {col.kind}")
        if not col.nullable and s.isna().any():
            raise SchemaError(
                f"{where}: column {name!r} has {int(s.isna().sum())} missing value(s) "
                f"(first at row {int(s.isna().to_numpy().argmax())}); it may not be missing"
            )
        present = s.dropna()
        if col.allowed is not None and len(present):
            bad = sorted(set(present.astype(str)) - set(col.allowed))
            if bad:
                raise SchemaError(
                    f"{where}: column {name!r} has value(s) {bad[:5]} not in {list(col.allowed)}"
                )
        if col.kind in ("int", "float") and len(present):
            if col.minimum is not None and (present < col.minimum).any():
                raise SchemaError(
                    f"{where}: column {name!r} has values below {col.minimum} (min {present.min()})"
                )
            if col.maximum is not None and (present > col.maximum).any():
                raise SchemaError(
                    f"{where}: column {name!r} has values above {col.maximum} (max {present.max()})"
                )
    if schema.key:
        dup = df.duplicated(list(schema.key), keep=False)
        if dup.any():
            first = df.loc[dup, list(schema.key)].iloc[0].to_dict()
            raise SchemaError(
                f"{where}: {int(dup.sum())} rows share a key {list(schema.key)} "
                f"with another row, e.g. {first}"
            )
