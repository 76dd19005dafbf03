"""The layout docs/architecture.md states, checked: no import cycle, and each package
imports only its stated neighbours; only ``llm/`` speaks HTTP to models, only ``github/``
imports PyGitHub, only ``cli/`` reads flags and the environment.

Imports are read from the source (every ``import`` statement, also inside functions and
``if TYPE_CHECKING:`` blocks), so a cycle hidden behind a late import counts too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.imports import Imports, find_cycle, package_of, read_imports

ROOT = Path(__file__).resolve().parents[1] / "reviewbot"

# What each package (or top-level module) of reviewbot may import from the others; the
# package itself, ``reviewbot`` (its version) and ``errors`` are always allowed. Keep in
# step with the table in docs/architecture.md (test_the_table_matches_the_docs).
NEIGHBOURS: dict[str, frozenset[str]] = {
    name: frozenset(allowed)
    for name, allowed in {
        "__main__": {"cli"},
        "errors": set(),
        "repo": {"timelimit"},
        "retry": set(),
        "timelimit": set(),
        "llm": {"config", "retry"},
        "config": {"config_file", "config_values", "llm", "review"},
        "config_file": set(),
        "config_values": set(),
        "prompts": set(),
        "review": {"repo"},
        "pack": {"config", "repo"},
        "agent": {"llm", "review", "repo", "timelimit"},
        "pipeline": {
            "agent",
            "config",
            "learnings",
            "llm",
            "pack",
            "progress",
            "prompts",
            "repo",
            "review",
        },
        "publish": {"review"},
        "progress": {"agent", "config", "llm", "review"},
        "github": {
            "config",
            "learnings",
            "llm",
            "pipeline",
            "progress",
            "prompts",
            "repo",
            "retry",
            "review",
            "walkthrough",
        },
        "audit": {
            "agent",
            "config",
            "github",
            "llm",
            "pack",
            "pipeline",
            "prompts",
            "publish",
            "repo",
            "review",
        },
        "walkthrough": {"agent", "pack", "review"},
        "learnings": {"repo", "review"},
        "eval": {"repo", "review"},
        "commands": {
            "audit",
            "config",
            "eval",
            "github",
            "llm",
            "pack",
            "pipeline",
            "progress",
            "prompts",
            "publish",
            "repo",
            "review",
        },
        "cli": {"commands", "config", "eval", "github", "llm", "publish", "repo"},
    }.items()
}
ALWAYS = frozenset({"reviewbot", "errors"})

# Third-party modules that belong to one package: the protocol they speak lives there.
OWNERS: dict[str, frozenset[str]] = {
    "httpx": frozenset({"llm"}),
    "httpx_sse": frozenset({"llm"}),
    "github": frozenset({"github"}),  # PyGitHub
    "requests": frozenset({"github"}),  # PyGitHub's transport, for its exceptions
    "click": frozenset({"cli"}),
}


@pytest.fixture(scope="module")
def imports() -> Imports:
    return read_imports(ROOT)


def test_no_import_cycle(imports: Imports) -> None:
    cycle = find_cycle(imports.graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_every_package_is_in_the_table(imports: Imports) -> None:
    packages = {package_of(module) for module in imports.graph} - {"reviewbot"}
    assert packages <= set(NEIGHBOURS), (
        f"add {sorted(packages - set(NEIGHBOURS))} to NEIGHBOURS and docs/architecture.md"
    )


def test_packages_import_only_their_neighbours(imports: Imports) -> None:
    wrong = [
        f"{module} imports {target}"
        for module, targets in sorted(imports.graph.items())
        for target in sorted(targets)
        if package_of(target) not in {package_of(module), *ALWAYS}
        and package_of(target) not in NEIGHBOURS.get(package_of(module), frozenset())
    ]
    assert not wrong, "imports outside the stated neighbours:\n" + "\n".join(wrong)


def test_protocols_are_spoken_in_one_package(imports: Imports) -> None:
    wrong = [
        f"{module} imports {name}"
        for module, names in sorted(imports.external.items())
        for name in sorted(names)
        if name in OWNERS and package_of(module) not in OWNERS[name]
    ]
    assert not wrong, "\n".join(wrong)


@dataclass(frozen=True)
class _Read:
    module: str
    line: int
    what: str


def _environment_reads() -> Iterator[_Read]:
    for path in sorted(ROOT.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                pair = (node.value.id, node.attr)
                if pair in {("os", "environ"), ("os", "getenv"), ("sys", "argv")}:
                    yield _Read(module, node.lineno, ".".join(pair))
            if isinstance(node, ast.ImportFrom) and node.module in {"os", "sys"}:
                for alias in node.names:
                    if alias.name in {"environ", "getenv", "argv"}:
                        yield _Read(module, node.lineno, f"{node.module}.{alias.name}")


# Reads that are not settings: the variables a child process is handed, filtered. git
# needs PATH and HOME to run at all; everything else (keys, tokens) is withheld there.
CHILD_ENVIRONMENTS = frozenset({("reviewbot.repo.gitcmd", "os.environ")})


def test_only_the_cli_reads_flags_and_the_environment() -> None:
    wrong = [
        f"{r.module}:{r.line} reads {r.what}"
        for r in _environment_reads()
        if package_of(r.module) != "cli" and (r.module, r.what) not in CHILD_ENVIRONMENTS
    ]
    assert not wrong, "pass values down from cli.py instead:\n" + "\n".join(wrong)


def test_the_table_matches_the_docs() -> None:
    text = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[0] != "`package`":
            allowed = {c.strip("` ") for c in cells[2].split(",") if c.strip("` ")} - {"—"}
            rows[cells[0].strip("`").removesuffix("/").removesuffix(".py")] = allowed
    assert rows == {name: set(allowed) for name, allowed in NEIGHBOURS.items()}
