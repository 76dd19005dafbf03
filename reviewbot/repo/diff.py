"""The change under review as files -> hunks -> lines, and where GitHub accepts comments.

GitHub's rule: a review comment's ``line`` must lie in a hunk of that file's patch. On the
``RIGHT`` side that is an added or context line, numbered in the new file; on the ``LEFT``
side a deleted or context line, numbered in the old file; ``start_line..line`` must sit
inside one hunk. These values answer exactly that, so a comment can be checked before it
is sent (one bad comment makes GitHub reject the whole review with 422).

Two constructors build a ``ChangeSet``, sharing one hunk parser (``hunkparse``) so that
they give the same line maps for the same change: ``gitdiff.changeset_from_git`` (a local
diff, one git process) and ``patches.changeset_from_patches`` (the ``files`` of a GitHub pull
request). They live beside these types, not in them: the types import nothing of the repo.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

Side = Literal["RIGHT", "LEFT"]
LineKind = Literal["+", "-", " "]
Status = Literal[
    "added", "modified", "deleted", "renamed", "copied", "type_changed", "mode_changed"
]


@dataclass(frozen=True)
class DiffLine:
    """One line of a hunk. ``old``/``new`` are its numbers on each side (``None`` where absent).

    ``text`` has no line terminator (a ``\\r`` before it is kept); ``no_newline`` marks the
    last line of a file that does not end with a newline.
    """

    kind: LineKind
    old: int | None
    new: int | None
    text: str
    no_newline: bool = False


@dataclass(frozen=True)
class Hunk:
    """One ``@@ -old_start,old_count +new_start,new_count @@ section`` block; ``index`` from 0."""

    index: int
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str
    lines: tuple[DiffLine, ...]

    def side_lines(self, side: Side) -> range:
        """The line numbers this hunk covers on ``side`` (contiguous by construction)."""
        if side == "RIGHT":
            return (
                range(self.new_start, self.new_start + self.new_count)
                if self.new_count
                else range(0)
            )
        return (
            range(self.old_start, self.old_start + self.old_count) if self.old_count else range(0)
        )


@dataclass(frozen=True)
class FileChange:
    """One changed file. ``path`` is the new path (the old one for a deleted file)."""

    path: str
    old_path: str | None
    status: Status
    similarity: int | None = None
    binary: bool = False
    submodule: bool = False
    symlink: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    hunks: tuple[Hunk, ...] = ()

    @cached_property
    def _maps(self) -> dict[Side, dict[int, int]]:
        """side -> {line number -> hunk index} for every commentable line."""
        right: dict[int, int] = {}
        left: dict[int, int] = {}
        for hunk in self.hunks:
            for line in hunk.lines:
                if line.new is not None:
                    right[line.new] = hunk.index
                if line.old is not None:
                    left[line.old] = hunk.index
        return {"RIGHT": right, "LEFT": left}

    @cached_property
    def _sorted(self) -> dict[Side, list[int]]:
        return {side: sorted(lines) for side, lines in self._maps.items()}

    def commentable(self, side: Side = "RIGHT") -> frozenset[int]:
        """Lines a review comment may target on ``side``."""
        return frozenset(self._maps[side])

    def hunk_of(self, line: int, side: Side = "RIGHT") -> int | None:
        """The index of the hunk holding ``line`` on ``side``, or ``None``."""
        return self._maps[side].get(line)

    def added_lines(self) -> frozenset[int]:
        """New-file numbers of the added lines."""
        return frozenset(
            line.new for hunk in self.hunks for line in hunk.lines if line.kind == "+" and line.new
        )

    def deleted_lines(self) -> frozenset[int]:
        """Old-file numbers of the deleted lines."""
        return frozenset(
            line.old for hunk in self.hunks for line in hunk.lines if line.kind == "-" and line.old
        )

    def nearest(self, line: int, side: Side = "RIGHT") -> int | None:
        """The commentable line on ``side`` closest to ``line`` (ties: the lower one)."""
        ordered = self._sorted[side]
        if not ordered:
            return None
        at = bisect_left(ordered, line)
        candidates = ordered[max(at - 1, 0) : at + 1]
        return min(candidates, key=lambda n: (abs(n - line), n))


@dataclass(frozen=True)
class ChangeSet:
    """Every changed file between ``base`` and ``head`` (shas, or ``INDEX``/``WORKTREE``)."""

    base: str
    head: str
    files: tuple[FileChange, ...]

    @cached_property
    def _by_path(self) -> dict[str, FileChange]:
        return {change.path: change for change in self.files}

    def file(self, path: str) -> FileChange | None:
        return self._by_path.get(path)

    def is_commentable(self, path: str, line: int, side: Side = "RIGHT") -> bool:
        change = self.file(path)
        return change is not None and change.hunk_of(line, side) is not None

    def nearest_commentable(self, path: str, line: int, side: Side = "RIGHT") -> int | None:
        change = self.file(path)
        return change.nearest(line, side) if change is not None else None

    def range_in_one_hunk(
        self, path: str, start_line: int, end_line: int, side: Side = "RIGHT"
    ) -> bool:
        """True when ``start_line..end_line`` is a valid multi-line comment range on ``side``."""
        change = self.file(path)
        if change is None or start_line > end_line:
            return False
        first = change.hunk_of(start_line, side)
        return first is not None and first == change.hunk_of(end_line, side)
