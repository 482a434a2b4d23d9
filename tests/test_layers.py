"""The layers, enforced: who may import whom, no import cycles, and SQL only in storage/."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "commands", "storage")
PLATFORM_LIBRARIES = ("discord", "telegram", "aiohttp.web")
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|BEGIN|COMMIT|ROLLBACK|WITH)\b")


def module_name(path: Path) -> str:
    """The dotted module name of a source file."""
    parts = (path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files() -> list[Path]:
    """Every Python file of the shipped packages."""
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(imported module, only for type checking) for every import in a file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]

    def visit(node: ast.AST, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for item in child.body:
                    visit_one(item, True)
                for item in child.orelse:
                    visit_one(item, typing_only)
            else:
                visit_one(child, typing_only)

    def visit_one(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, typing_only) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            found.append((base, typing_only))
            found.extend((f"{base}.{alias.name}", typing_only) for alias in node.names)
        visit(node, typing_only)

    visit(tree, False)
    return found


def within(name: str, *prefixes: str) -> bool:
    """True when a dotted name is one of the prefixes or inside one."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


# (files under, may never import, even for type checking?)
RULES = [
    ("bot.core", ("bot.features", "bot.outbox", "bot.wiring", "bot.adapters", "bot.cli", "bot.runner",
                  "bot.settings", "commands", "storage"), True),
    ("storage", ("bot.features", "bot.outbox", "bot.wiring", "bot.adapters", "bot.cli", "bot.runner", "commands"),
     True),
    ("commands", ("storage", "bot.adapters", "bot.cli", "bot.runner"), True),
    ("commands", ("bot.wiring",), False),
    ("bot.features", ("commands", "bot.adapters", "bot.cli", "bot.runner"), True),
    ("bot.features", ("bot.wiring",), False),
    ("bot.outbox", ("bot.features", "commands", "bot.adapters", "bot.cli", "bot.runner"), True),
    ("bot.outbox", ("bot.wiring",), False),
]


def test_no_import_runs_back_up_a_layer() -> None:
    problems = []
    for path in source_files():
        name = module_name(path)
        for imported, typing_only in imports_of(path):
            for under, banned, even_typing in RULES:
                if within(name, under) and within(imported, *banned) and (even_typing or not typing_only):
                    problems.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_only_the_adapters_import_platform_libraries() -> None:
    problems = [
        f"{path.relative_to(ROOT)} imports {imported}"
        for path in source_files() if not within(module_name(path), "bot.adapters")
        for imported, _typing in imports_of(path) if within(imported, *PLATFORM_LIBRARIES)
    ]
    assert not problems, "\n".join(problems)


def test_the_rules_catch_a_bad_import(tmp_path: Path) -> None:
    """The checker itself: a core module importing storage (even for types) and a command importing storage."""
    bad = tmp_path / "bad.py"
    bad.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from storage import reports\n"
                   "def f():\n    import bot.features.reports\n")
    assert imports_of(bad) == [("typing", False), ("typing.TYPE_CHECKING", False), ("storage", True),
                               ("storage.reports", True), ("bot.features.reports", False)]


def test_no_import_cycles() -> None:
    """Runtime imports between our modules form no cycle (imports for type checking only do not count)."""
    modules = {module_name(p): p for p in source_files()}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for imported, typing_only in imports_of(path):
            if not typing_only and imported in modules and imported != name:
                graph[name].add(imported)
    # A package's __init__ importing its own submodules is not a cycle worth reporting.
    for name in list(graph):
        graph[name] = {i for i in graph[name] if not (within(i, name) and modules[name].name == "__init__.py")}
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strongconnect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                strongconnect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            strongconnect(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def sql_literals(path: Path) -> list[str]:
    """String literals in a file that begin like an SQL statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)]


def test_sql_lives_only_in_storage() -> None:
    problems = [f"{path.relative_to(ROOT)}: {text[:60]!r}"
                for path in source_files() if not within(module_name(path), "storage")
                for text in sql_literals(path)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text, is_sql", [("SELECT 1", True), ("  insert", False), ("UPDATE outbox SET", True),
                                          ("Selected platforms", False), ("WITH slots AS", True)])
def test_the_sql_scan_recognises_statements(tmp_path: Path, text: str, is_sql: bool) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(f"QUERY = {text!r}\n")
    assert bool(sql_literals(sample)) is is_sql
