"""The package's layout: its modules import one another without cycles.

A lower module that imported an upper one would load the upper one with it (``import
lazyimp`` must stay nearly free, contract C13.1) and would tie the two together: where a
lower module needs an upper one, the upper one registers itself when it loads.  The
graph is read from the source with ``ast``: every ``import`` at run time, inside
functions too; imports under ``if TYPE_CHECKING:`` are for type checkers only.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "lazyimp"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.AST, modules: set[str]) -> list[str]:
    # The package's own modules an import statement loads.
    if isinstance(node, ast.Import):
        return [
            alias.name.split(".")[1]
            for alias in node.names
            if alias.name.startswith("lazyimp.") and alias.name.split(".")[1] in modules
        ]
    if isinstance(node, ast.ImportFrom):
        own = node.level == 1 or (node.level == 0 and (node.module or "").split(".")[0] == "lazyimp")
        if not own:
            return []
        parts = (node.module or "").split(".")[0 if node.level else 1 :]
        parts = [part for part in parts if part]
        if parts:
            return [parts[0]] if parts[0] in modules else []
        return [alias.name for alias in node.names if alias.name in modules]
    return []


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports at run time."""
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    graph: dict[str, set[str]] = {}

    def walk(node: ast.AST, edges: set[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    edges.update(_imported(other, modules))
                    walk(other, edges)
                continue
            edges.update(_imported(child, modules))
            walk(child, edges)

    for name in modules:
        edges: set[str] = set()
        walk(ast.parse((PACKAGE / f"{name}.py").read_text()), edges)
        graph[name] = edges - {name}
    return graph


def test_the_graph_is_read() -> None:
    """The reader sees the imports it must (the test would pass vacuously otherwise)."""
    graph = import_graph()
    assert {"_state", "_frames", "_registry"} <= graph["_finder"] | graph["_proxy"]
    assert "_proxy" in graph["_sites"]  # the upper module imports the lower one


def test_no_import_cycles() -> None:
    """No module imports, directly or through others, a module that imports it."""
    try:
        order = list(graphlib.TopologicalSorter(import_graph()).static_order())
    except graphlib.CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None
    assert "_state" in order
