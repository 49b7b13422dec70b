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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat
import papermill
from nbformat import NotebookNode

from partnership_eval.errors import InputError, PartnershipEvalError

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


def read_notebook(path: Path) -> NotebookNode:
    """A notebook file; an :class:`InputError` naming it and the fix when it is not one."""
    try:
        return nbformat.read(path, as_version=4)
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except (ValueError, nbformat.reader.NotJSONError) as exc:
        problem = f"not a notebook ({' '.join(str(exc).split())[:120]})"
    except (KeyError, TypeError, AttributeError) as exc:
        problem = f"not a notebook (no {exc})"
    raise InputError(
        problem,
        path=path,
        fix="restore it from git, or open and save it in Jupyter; "
        "`jupytext --to ipynb` rebuilds it from its paired .py",
    )


def _parameters_cell(path: Path) -> str:
    nb = read_notebook(path)
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
    not be checked. Read once per version of the file (a batch asks for every report).
    """
    path = Path(path).resolve()
    stat = path.stat()
    return dict(_declared(path, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=64)
def _declared(path: Path, mtime_ns: int, size: int) -> dict[str, Parameter]:
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
    """``["NAME=VALUE", "NOTEBOOK:NAME=VALUE", ...]`` from the command line as a dict of
    text values keyed ``NAME`` or ``NOTEBOOK:NAME``."""
    parsed: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        notebook, _, bare = name.strip().rpartition(":")
        if not sep or not bare.isidentifier() or (":" in name and not notebook):
            raise ParameterError(
                f"-p {item!r}: write parameters as NAME=VALUE, e.g. -p years=[2012,2019], "
                "or NOTEBOOK:NAME=VALUE for one notebook, e.g. -p 01_cluster_impact:kind=mat"
            )
        parsed[name.strip()] = value
    return parsed


def assign_parameters(
    notebooks: Sequence[Path], assignments: Mapping[str, object]
) -> dict[Path, dict[str, object]]:
    """The parameters each notebook gets from ``assignments`` (see :func:`parse_assignments`).

    ``NOTEBOOK:NAME`` goes to that notebook only (and wins over a plain ``NAME``); a plain
    ``NAME`` to every notebook that declares it (to the only notebook, declared or not, when there is one, so that its
    error names the notebook's parameters). Raises :class:`ParameterError` for a notebook
    not in the run or a name no notebook declares.
    """
    by_stem = {path.stem: path for path in notebooks}
    assigned: dict[Path, dict[str, object]] = {path: {} for path in notebooks}
    for key, value in sorted(assignments.items(), key=lambda item: ":" in item[0]):
        stem, _, name = key.rpartition(":")
        if stem:
            if stem not in by_stem:
                raise ParameterError(
                    f"-p {key}: notebook {stem!r} is not in this run; "
                    f"the run's notebooks are {', '.join(by_stem)}"
                )
            assigned[by_stem[stem]][name] = value
            continue
        takers = [path for path in notebooks if name in notebook_parameters(path)]
        if not takers and len(notebooks) > 1:
            valid = "; ".join(
                f"{path.stem}: {', '.join(notebook_parameters(path)) or 'none'}"
                for path in notebooks
            )
            raise ParameterError(f"no notebook of this run has a parameter {name!r} ({valid})")
        for path in takers or notebooks:
            assigned[path][name] = value
    return assigned
