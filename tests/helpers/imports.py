"""Read a package's imports from its source: the graph between its modules and the
third-party names each module imports (for tests/test_architecture.py)."""

from __future__ import annotations

import ast
import sys
from collections.abc import Mapping, Set
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Imports:
    graph: dict[str, set[str]]  # module -> modules of the same package it imports
    external: dict[str, set[str]]  # module -> top-level names of other distributions


def package_of(module: str) -> str:
    """``reviewbot.repo.diff`` -> ``repo``; ``reviewbot.cli`` -> ``cli``; ``reviewbot``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def read_imports(root: Path) -> Imports:
    """Every import of every module under ``root`` (a package folder), wherever it sits."""
    top = root.name
    modules: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    external: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(node, package):
                if target.split(".")[0] == top:
                    graph[name].add(_module(target, modules))
                elif target.split(".")[0] not in sys.stdlib_module_names:
                    external[name].add(target.split(".")[0])
        graph[name].discard(name)
    return Imports(graph, external)


def _targets(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    return [f"{module}.{alias.name}" for alias in node.names]


def _module(target: str, modules: Set[str]) -> str:
    """The module ``target`` names: itself, or the module holding the name it ends with."""
    while target not in modules and "." in target:
        target = target.rpartition(".")[0]
    return target


def find_cycle(graph: Mapping[str, Set[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or ``None`` when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None
