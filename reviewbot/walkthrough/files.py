"""The changed files as rows of the walkthrough table, grouped by purpose.

A file's purpose is the one the model gave with ``describe_file`` (a closed set), else
one read from its path: tests, documentation, build/CI/configuration, or code.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from reviewbot.pack.change import ChangeSetLike
from reviewbot.pack.signals import _is_test as is_test

Purpose = Literal["feature", "fix", "refactor", "tests", "docs", "build", "code"]
PURPOSES: tuple[Purpose, ...] = ("feature", "fix", "refactor", "code", "tests", "docs", "build")
HEADINGS: Mapping[Purpose, str] = {
    "feature": "New behaviour",
    "fix": "Fixes",
    "refactor": "Refactoring",
    "tests": "Tests",
    "docs": "Documentation",
    "build": "Build, CI and configuration",
    "code": "Code",
}
_DOC_EXT = (".md", ".rst", ".txt", ".adoc")
_BUILD_NAMES = frozenset(
    {
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "package.json",
        "package-lock.json",
        "Cargo.toml",
        "Cargo.lock",
        "go.mod",
        "go.sum",
        "Makefile",
        "Dockerfile",
        "action.yml",
        "requirements.txt",
    }
)
_CONFIG_EXT = (".toml", ".yml", ".yaml", ".json", ".ini", ".cfg", ".lock")


@dataclass(frozen=True)
class FileNote:
    """What the model said one changed file's change does (``describe_file``)."""

    path: str
    purpose: Purpose
    summary: str


@dataclass(frozen=True)
class FileRow:
    path: str
    old_path: str | None
    status: str
    added: int
    removed: int
    purpose: Purpose
    summary: str  # the model's one line ("" when it gave none): still to be sanitised


def purpose_of(path: str) -> Purpose:
    """The purpose a path shows by itself."""
    name = posixpath.basename(path)
    parts = path.split("/")
    if is_test(path):
        return "tests"
    dotfile = name.startswith(".") and "." in name[1:]  # .pre-commit-config.yaml, ...
    if name in _BUILD_NAMES or ".github" in parts[:-1] or dotfile:
        return "build"
    if name.lower().endswith(_DOC_EXT) or "docs" in parts[:-1] or name in ("LICENSE", "NOTICE"):
        return "docs"
    if name.lower().endswith(_CONFIG_EXT):
        return "build"
    return "code"


def file_rows(changes: ChangeSetLike, notes: Sequence[FileNote] = ()) -> list[FileRow]:
    """One row per changed file, ordered by purpose (as in PURPOSES), then by path."""
    said = {n.path: n for n in notes}
    rows = []
    for f in changes.files:
        kinds = [line.kind for hunk in f.hunks for line in hunk.lines]
        note = said.get(f.path)
        rows.append(
            FileRow(
                path=f.path,
                old_path=f.old_path if f.old_path != f.path else None,
                status=f.status,
                added=kinds.count("+"),
                removed=kinds.count("-"),
                purpose=note.purpose if note else purpose_of(f.path),
                summary=note.summary if note else "",
            )
        )
    return sorted(rows, key=lambda r: (PURPOSES.index(r.purpose), r.path))
