"""Pull-request files for the fake GitHub, and building them from real `git diff` output."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tests.fakes.github_hunks import parse_patch

STATUSES = ("added", "removed", "modified", "renamed", "copied", "changed", "unchanged")


@dataclass(frozen=True)
class PullFile:
    """One entry of `GET /pulls/{n}/files`: `patch` is None for binary or oversized diffs."""

    filename: str
    status: str = "modified"
    patch: str | None = None
    previous_filename: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"file status must be one of {STATUSES}, got {self.status!r}")
        if self.patch is not None:
            parse_patch(self.patch)  # refuse a malformed patch at seeding time


FileSpec = PullFile | tuple[str, str, str | None] | tuple[str, str, str | None, str | None]


def as_pull_files(files: Iterable[FileSpec]) -> tuple[PullFile, ...]:
    out: list[PullFile] = []
    for spec in files:
        out.append(spec if isinstance(spec, PullFile) else PullFile(*spec))
    return tuple(out)


_DIFF_GIT = re.compile(r"^diff --git (.+)$")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(name: str) -> str:
    """Undo git's C-style quoting of a path ("a/\\303\\251.txt" -> "a/é.txt")."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    raw = bytearray()
    body = name[1:-1]
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and body[i + 1 : i + 4].isdigit() and len(body[i + 1 : i + 4]) == 3:
            raw.append(int(body[i + 1 : i + 4], 8))
            i += 4
        elif ch == "\\" and i + 1 < len(body):
            raw.extend(_ESCAPES.get(body[i + 1], body[i + 1]).encode())
            i += 2
        else:
            raw.extend(ch.encode())
            i += 1
    return raw.decode("utf-8", errors="surrogateescape")


def _strip_prefix(name: str) -> str:
    name = _unquote(name.rstrip("\t"))
    return name[2:] if name[:2] in ("a/", "b/") else name


def _split_block(block: list[str]) -> PullFile:
    header = _DIFF_GIT.match(block[0])
    assert header is not None
    old_name = new_name = None
    status = "modified"
    previous: str | None = None
    hunk_start: int | None = None
    binary = False
    for index, row in enumerate(block[1:], start=1):
        if row.startswith("@@"):
            hunk_start = index
            break
        if row.startswith("new file mode"):
            status = "added"
        elif row.startswith("deleted file mode"):
            status = "removed"
        elif row.startswith("rename from "):
            previous, status = _unquote(row[len("rename from ") :]), "renamed"
        elif row.startswith("rename to "):
            new_name = _unquote(row[len("rename to ") :])
        elif row.startswith("--- ") and row != "--- /dev/null":
            old_name = _strip_prefix(row[4:])
        elif row.startswith("+++ ") and row != "+++ /dev/null":
            new_name = _strip_prefix(row[4:])
        elif row.startswith("Binary files ") or row.startswith("GIT binary patch"):
            binary = True
    if new_name is None and old_name is None:
        halves = header[1].split(" b/")
        new_name = _strip_prefix(halves[-1]) if len(halves) == 2 else header[1]
    filename = new_name or old_name or ""
    patch = None
    if hunk_start is not None and not binary:
        patch = "\n".join(block[hunk_start:])
    return PullFile(filename, status, patch, previous)


def files_from_git_diff(diff: str) -> tuple[PullFile, ...]:
    """Turn `git diff base head` output into PR files with GitHub-shaped `patch` strings."""
    blocks: list[list[str]] = []
    for row in diff.split("\n"):
        if _DIFF_GIT.match(row):
            blocks.append([row])
        elif blocks:
            blocks[-1].append(row)
    for block in blocks:
        while block and block[-1] == "":
            block.pop()
    return tuple(_split_block(block) for block in blocks)
