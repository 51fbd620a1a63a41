"""No import cycle between the project's own modules.

Every module under accounts/, assessment/, cities/ and config/ is read with
`ast` (nothing is imported); each `import` or `from ... import` of a project
module is an edge, wherever it stands: at module level or inside a function,
since a function-level import only hides a cycle until that function runs.
Imports under `if TYPE_CHECKING:` are left out: they never run. Importing
`a.b.c` counts as an edge to `a.b.c` only, not to the packages `a` and
`a.b` whose `__init__` Python runs on the way (a package importing its own
submodules is how a package says what it offers, not a cycle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "assessment", "cities", "config")


def _module_name(path: Path) -> str:
    """Dotted name of a file under ROOT (a package's __init__ is the package)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    """Every project module by dotted name."""
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those under `if TYPE_CHECKING:`."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _imported_modules(name: str, source: str, *, is_package: bool, modules: dict[str, Path]) -> set[str]:
    """The project modules one module's source imports."""
    found: set[str] = set()
    for node in _runtime_imports(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            # `from package import module` imports the submodule; `from module import name` the module.
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source for alias in node.names
            ]
        found.update(target for target in targets if target in modules and target != name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports."""
    modules = _project_modules()
    return {
        name: _imported_modules(
            name, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py", modules=modules
        )
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(graph):
        if start in state:
            continue
        path = [start]
        state[start] = 1
        iterators = [iter(sorted(graph[start]))]
        while iterators:
            following = next(iterators[-1], None)
            if following is None:
                state[path.pop()] = 2
                iterators.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following) :], following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                iterators.append(iter(sorted(graph[following])))
    return None


def test_the_walk_sees_module_and_function_level_imports_but_not_type_checking_ones():
    modules = {name: Path() for name in ["p", "p.a", "p.b", "p.c", "p.d", "p.e"]}
    source = """
from typing import TYPE_CHECKING
import p.a
from p import b
from .c import thing
if TYPE_CHECKING:
    from p import e
def later():
    from p.d import other
"""
    assert _imported_modules("p.x", source, is_package=False, modules=modules) == {"p.a", "p.b", "p.c", "p.d"}
    assert "assessment.scoring.engine" in import_graph()["assessment.scoring.explain"]


def test_find_cycle_reports_the_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_between_project_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])
