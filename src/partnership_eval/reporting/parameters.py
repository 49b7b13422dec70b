"""A notebook's declared parameters, and checking requested values against them.

Each report notebook has one code cell tagged ``parameters`` in which every parameter is
assigned its default with a type annotation and a trailing comment as help::

    area: str = "Cumbria"  # LA name, LA code or region
    years: list[int] = [2012, 2019]  # first and last academic year

papermill's :func:`papermill.inspect_notebook` reads those lines. papermill itself only
warns about an unknown parameter and never checks types, so :func:`validate_parameters`
does both before anything runs. Values given as text (``-p NAME=VALUE`` on the command
line) are converted to the declared type first; a list may be given as ``a,b,c``,
``[a,b,c]`` or a single item.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill

from partnership_eval.errors import PartnershipEvalError

SUPPORTED = "str, int, float, bool, list[T], dict[K, V] or Optional[T]"


class ParameterError(PartnershipEvalError):
    """A requested notebook parameter is unknown, badly typed or badly declared."""


@dataclass(frozen=True)
class Parameter:
    """One parameter declared in a notebook's ``parameters`` cell."""

    name: str
    annotation: str
    default: str
    help: str

    def describe(self) -> str:
        """One line: name, type, default and help."""
        text = f"{self.name} ({self.annotation}, default {self.default})"
        return f"{text}: {self.help}" if self.help else text


def _parameters_cell(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError(
            f"{path}: expected exactly one cell tagged 'parameters', found {len(tagged)}"
        )
    return tagged[0].source


def notebook_parameters(path: str | Path) -> dict[str, Parameter]:
    """The parameters a notebook declares, by name, in the order declared.

    Raises :class:`ParameterError` when the ``parameters`` cell assigns a name papermill
    cannot read or leaves a parameter without a type annotation: such a parameter could
    not be checked.
    """
    path = Path(path)
    source = _parameters_cell(path)
    declared = papermill.inspect_notebook(str(path))
    assigned = [
        target.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    ]
    for name in assigned:
        if name not in declared or declared[name]["inferred_type_name"] == "None":
            raise ParameterError(
                f"{path}: papermill cannot read parameter {name!r}; declare it on one line "
                f"as `{name}: TYPE = DEFAULT  # help` with TYPE one of {SUPPORTED} and no "
                "other '=' on the line"
            )
    return {
        name: Parameter(name, p["inferred_type_name"], p["default"], p["help"])
        for name, p in declared.items()
    }


def _annotation(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body


def _matches(value: object, node: ast.expr) -> bool:
    """Whether ``value`` is an instance of the annotation ``node``."""
    if isinstance(node, ast.Constant) and node.value is None:
        return value is None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _matches(value, node.left) or _matches(value, node.right)
    if isinstance(node, ast.Name):
        simple = {"str": str, "list": list, "tuple": tuple | list, "dict": dict, "None": type(None)}
        if node.id == "bool":
            return isinstance(value, bool)
        if node.id == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        if node.id == "float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        if node.id in ("Any", "object"):
            return True
        return node.id in simple and isinstance(value, simple[node.id])
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        outer, inner = node.value.id, node.slice
        args = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if outer == "Optional":
            return value is None or _matches(value, args[0])
        if outer in ("list", "List"):
            return isinstance(value, list) and all(_matches(v, args[0]) for v in value)
        if outer in ("tuple", "Tuple"):
            if not isinstance(value, tuple | list):
                return False
            if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is ...:
                return all(_matches(v, args[0]) for v in value)
            return len(value) == len(args) and all(map(_matches, value, args))
        if outer in ("dict", "Dict"):
            return isinstance(value, dict) and all(
                _matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items()
            )
    return False


def _accepts_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "str"
    if isinstance(node, ast.BinOp):
        return _accepts_text(node.left) or _accepts_text(node.right)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return node.value.id == "Optional" and _accepts_text(node.slice)
    return False


def _is_list(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("list", "List", "tuple", "Tuple")
    )


def _from_text(text: str, node: ast.expr) -> object:
    """Convert command-line text to the annotated type (unchanged when it cannot)."""
    if _accepts_text(node):
        return text
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = text
    if _is_list(node):  # [a, b], a,b,c or a single item
        if isinstance(value, list | tuple):
            return list(value)
        items = text.strip().removeprefix("[").removesuffix("]").split(",")
        inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
        return [_from_text(item.strip(), inner) for item in items if item.strip()]
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "on", "false", "no", "off"):
        return lowered in ("true", "yes", "on")
    if lowered == "none":
        return None
    return list(value) if isinstance(value, tuple) and "list" in ast.unparse(node) else value


def validate_parameters(
    path: str | Path, requested: Mapping[str, object], *, from_text: bool = False
) -> dict[str, object]:
    """Check requested parameter values against a notebook's declarations.

    Parameters
    ----------
    path
        The notebook.
    requested
        Parameter values by name.
    from_text
        Values are command-line text: convert each to its declared type first.

    Returns
    -------
    dict
        The (converted) values, ready for papermill.

    Raises
    ------
    ParameterError
        Naming the unknown or wrongly typed parameter and listing the valid ones.
    """
    path = Path(path)
    declared = notebook_parameters(path)
    valid = "; ".join(p.describe() for p in declared.values()) or "none"
    checked: dict[str, object] = {}
    for name, value in requested.items():
        if name not in declared:
            raise ParameterError(
                f"notebook {path.stem!r} has no parameter {name!r}; valid parameters: {valid}"
            )
        node = _annotation(declared[name].annotation)
        if from_text and isinstance(value, str):
            value = _from_text(value, node)
        if not _matches(value, node):
            raise ParameterError(
                f"notebook {path.stem!r}: parameter {name!r} must be "
                f"{declared[name].annotation}, got {value!r}; valid parameters: {valid}"
            )
        checked[name] = value
    return checked


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["NAME=VALUE", ...]`` from the command line as a dict of text values."""
    parsed: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ParameterError(
                f"-p {item!r}: write parameters as NAME=VALUE, e.g. -p years=[2012,2019]"
            )
        parsed[name.strip()] = value
    return parsed
