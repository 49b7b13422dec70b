"""Errors a user can act on: the CLI prints them as one line, without a traceback."""

from __future__ import annotations


class PartnershipEvalError(Exception):
    """Base class for errors caused by input or configuration rather than a bug."""


class SchemaError(PartnershipEvalError):
    """A canonical table does not match its declared schema."""


class InputError(PartnershipEvalError):
    """A raw input file cannot be used as given.

    The message names the file, and where known the row or column, and says what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        path: object = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = path
        self.row = row
        self.column = column
        self.fix = fix
        where = []
        if path is not None:
            where.append(str(path))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        text = f"{', '.join(where)}: {message}" if where else message
        if fix:
            text += f" ({fix})"
        super().__init__(text)


class EstimationError(PartnershipEvalError):
    """An estimator cannot run on the data given (no controls, no overlap, ...)."""
