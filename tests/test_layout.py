"""Meta-tests of the code's shape (docs/design.md, "Where each concern lives").

The domain package never imports Streamlit; it stays small enough to read (at most 30
top-level modules, none over 600 lines); and no module imports another that imports it back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLANNING = ROOT / "planning"
SOURCES = sorted(PLANNING.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """planning.* modules a file imports at module level or inside functions (`from a import b` counts b if it is a module)."""
    known = {module_name(p) for p in SOURCES}
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in known:
                found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in known}
    return found


def _runtime_nodes(tree: ast.AST):
    """Every node except those under `if TYPE_CHECKING:` (imports for annotations only)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def test_the_domain_package_never_imports_streamlit():
    offenders = [
        str(p.relative_to(ROOT)) for p in SOURCES
        if any(m.split(".")[0] == "streamlit" for m in _all_imports(p))
    ]
    assert offenders == []


def _all_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_planning_has_at_most_30_top_level_modules():
    assert len(list(PLANNING.glob("*.py"))) <= 30


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PLANNING)))
def test_no_module_is_over_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 600


def test_no_import_cycles_between_modules():
    """A package's __init__ re-exporting its own modules is not a cycle; anything else is."""
    graph = {module_name(p): imported_modules(p) for p in SOURCES}
    for name, edges in graph.items():
        # a package's __init__ importing its own submodules, and a submodule naming its package
        # (`from planning.importing import csvfile`), are how packages work, not cycles
        graph[name] = {e for e in edges if not e.startswith(name + ".") and not name.startswith(e + ".")}
    cycles = []
    for start in graph:
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    cycles.append(" → ".join([*path, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert sorted(set(min(c.split(" → ")[:-1]) for c in cycles)) == [], cycles[:5]
