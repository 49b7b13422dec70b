"""ARCHITECTURE.md is true: every module sits in a room, and imports follow its rules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "partnership_eval"
ARCHITECTURE = ROOT / "ARCHITECTURE.md"
ROW = re.compile(r"^\| `([a-z_.*]+)` \| [^|]+ \| (.+) \|$")


def _rules() -> dict[str, set[str]]:
    """Room → rooms it may import, from the table in ARCHITECTURE.md."""
    rules = {}
    for line in ARCHITECTURE.read_text().splitlines():
        match = ROW.match(line.strip())
        if match:
            room, allowed = match.groups()
            rules[room] = set(re.findall(r"`([a-z_.*]+)`", allowed))
    return rules


RULES = _rules()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _room(module: str) -> str | None:
    """The room of a dotted module name inside partnership_eval (None when in none)."""
    name = module.removeprefix("partnership_eval").lstrip(".") or "partnership_eval"
    if name.startswith("analyses.") and "analyses.*" in RULES:
        return "analyses." + name.split(".")[1]
    best = None
    for room in RULES:
        if room != "analyses.*" and (name == room or name.startswith(room + ".")):
            best = room if best is None or len(room) > len(best) else best
    return best


def _imports(path: Path) -> set[str]:
    """partnership_eval modules ``path`` imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("partnership_eval"):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("partnership_eval")}
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_table_has_rooms():
    assert {"data", "impact", "analyses.*", "reporting"} <= set(RULES)


@pytest.mark.parametrize("path", MODULES, ids=[_module_name(p) for p in MODULES])
def test_module_is_in_a_room_and_imports_only_what_its_room_may(path):
    module = _module_name(path)
    room = _room(module)
    assert room is not None, f"{module} is in no room of ARCHITECTURE.md; add it to the table"
    allowed = RULES["analyses.*"] if room.startswith("analyses.") else RULES[room]
    broken = []
    for imported in _imports(path):
        target = _room(imported)
        if target == room or (target == "partnership_eval" and imported == "partnership_eval"):
            continue
        if target is None or target not in allowed and target.split(".")[0] + ".*" not in allowed:
            broken.append(f"{imported} (room {target})")
        elif target.startswith("analyses.") and target != room:
            broken.append(f"{imported} (another report's room)")
    assert not broken, f"{module} (room {room}) may not import: {', '.join(broken)}"


def test_every_report_room_is_listed_with_its_notebook():
    text = ARCHITECTURE.read_text()
    rooms = [p.name for p in (PACKAGE / "analyses").iterdir() if (p / "__init__.py").exists()]
    missing = [r for r in rooms if f"`analyses.{r}`" not in text]
    assert not missing, f"list the report rooms {missing} in ARCHITECTURE.md"
