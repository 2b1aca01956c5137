"""The architecture, computed from the code: imports point down only (storage ← reports ← jobs ←
bot), the Slack emulator stands apart, and no modules import each other in a circle (imports inside
functions count; `if TYPE_CHECKING:` ones do not, they never run)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.conftest import REPO

LAYERS = ("storage", "reports", "jobs", "bot")  # each may import those before it
EMULATOR = "slack_emulator"
# The offline demo drives the real app against the emulator; nothing else in the app may use it.
MAY_USE_THE_EMULATOR = {"bot.cli.demo"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in (*LAYERS, EMULATOR):
        for path in (REPO / package).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _runtime_imports(tree: ast.AST) -> list[str]:
    """Every module an import statement names, except under `if TYPE_CHECKING:`."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
            names.append(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for imported in _runtime_imports(ast.parse(path.read_text())):
            target = imported
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not (imported.startswith(name + ".")):
                graph[name].add(target)
    return graph


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def test_imports_point_down_only():
    upward = []
    for module, imported in _graph().items():
        for target in imported:
            mine, theirs = _top(module), _top(target)
            if mine == EMULATOR or theirs == EMULATOR:
                allowed = mine == theirs or module in MAY_USE_THE_EMULATOR
            else:
                allowed = LAYERS.index(theirs) <= LAYERS.index(mine)
            if not allowed:
                upward.append(f"{module} -> {target}")
    assert sorted(upward) == []


def test_jobs_leave_the_queries_to_storage():
    """The background work asks storage's repositories (which take a session and never commit); it never
    writes a query itself, so no jobs module imports SQLAlchemy."""
    speaking = []
    for module, path in _modules().items():
        if _top(module) == "jobs" and any(name.split(".")[0] == "sqlalchemy"
                                                   for name in _runtime_imports(ast.parse(path.read_text()))):
            speaking.append(module)
    assert speaking == []


def test_no_modules_import_each_other_in_a_circle():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def strongly_connected(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                strongly_connected(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in list(_modules()):
        if node not in index:
            strongly_connected(node)
    assert cycles == []


def test_the_checks_see_the_whole_app():
    graph = _graph()
    assert len(_modules()) > 150 and sum(len(v) for v in graph.values()) > 500
    assert "storage.db" in graph["jobs.context"]  # a known downward import is seen
