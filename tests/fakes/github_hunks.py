"""The fake GitHub's own reading of a file's `patch`: which lines a review comment may touch.

Written independently of reviewbot's diff code on purpose: this is the oracle the fake
uses to accept or refuse review comments, the way GitHub does.

GitHub's rules, as modelled here:
- RIGHT side: added (`+`) and context (` `) lines, numbered in the new file;
- LEFT side: deleted (`-`) and context lines, numbered in the old file;
- a multi-line comment's `start_line..line` must lie in one hunk, start strictly before end;
- `position` counts lines below the first `@@` header; later `@@` headers take a position too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
SIDES = ("LEFT", "RIGHT")


class PatchError(ValueError):
    """The text given as a patch is not a well-formed sequence of unified-diff hunks."""


@dataclass(frozen=True)
class DiffLine:
    """One line of a hunk body: kind is "+", "-", " " or "\\" (no newline marker)."""

    kind: str
    old: int | None
    new: int | None
    position: int
    text: str


@dataclass(frozen=True)
class Hunk:
    index: int
    header: str
    header_position: int
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[DiffLine, ...]


@dataclass(frozen=True)
class Anchor:
    """Where a (side, line) sits in the patch."""

    hunk: Hunk
    line: DiffLine


@dataclass(frozen=True)
class Patch:
    text: str
    hunks: tuple[Hunk, ...]

    def locate(self, side: str, line: int) -> Anchor | None:
        """The diff line a comment on `side`/`line` would attach to, or None."""
        for hunk in self.hunks:
            for dl in hunk.lines:
                if side == "RIGHT" and dl.kind in "+ " and dl.new == line:
                    return Anchor(hunk, dl)
                if side == "LEFT" and dl.kind in "- " and dl.old == line:
                    return Anchor(hunk, dl)
        return None

    def at_position(self, position: int) -> Anchor | None:
        for hunk in self.hunks:
            for dl in hunk.lines:
                if dl.position == position and dl.kind != "\\":
                    return Anchor(hunk, dl)
        return None

    def commentable(self, side: str) -> frozenset[int]:
        """Every line number a single-line comment on `side` may use."""
        kinds = "+ " if side == "RIGHT" else "- "
        attr = "new" if side == "RIGHT" else "old"
        found: set[int] = set()
        for hunk in self.hunks:
            for dl in hunk.lines:
                number = getattr(dl, attr)
                if dl.kind in kinds and number is not None:
                    found.add(number)
        return frozenset(found)

    def diff_hunk(self, anchor: Anchor) -> str:
        """GitHub's `diff_hunk`: the hunk header through the commented line."""
        body = [_render(dl) for dl in anchor.hunk.lines if dl.position <= anchor.line.position]
        return "\n".join([anchor.hunk.header, *body])

    def counts(self) -> tuple[int, int]:
        """(additions, deletions)."""
        adds = sum(1 for h in self.hunks for dl in h.lines if dl.kind == "+")
        dels = sum(1 for h in self.hunks for dl in h.lines if dl.kind == "-")
        return adds, dels


def _render(dl: DiffLine) -> str:
    return ("\\" if dl.kind == "\\" else dl.kind) + dl.text


def parse_patch(text: str) -> Patch:
    """Parse a GitHub `patch` string (hunks only, no file headers); strict about counts."""
    rows = text.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    if not rows:
        return Patch(text, ())
    hunks: list[Hunk] = []
    i = 0
    position = 0
    while i < len(rows):
        header = rows[i]
        match = _HEADER.match(header)
        if match is None:
            raise PatchError(f"expected a hunk header at patch row {i + 1}, got {header!r}")
        old_start, new_start = int(match[1]), int(match[3])
        old_count = 1 if match[2] is None else int(match[2])
        new_count = 1 if match[4] is None else int(match[4])
        if hunks:
            position += 1  # a later "@@" line takes a position of its own
        header_position = position
        i += 1
        old, new = old_start, new_start
        old_left, new_left = old_count, new_count
        lines: list[DiffLine] = []
        while i < len(rows) and not rows[i].startswith("@@"):
            row = rows[i]
            kind = row[:1] or " "
            position += 1
            if kind == "\\":
                lines.append(DiffLine("\\", None, None, position, row[1:]))
            elif kind == "+":
                lines.append(DiffLine("+", None, new, position, row[1:]))
                new, new_left = new + 1, new_left - 1
            elif kind == "-":
                lines.append(DiffLine("-", old, None, position, row[1:]))
                old, old_left = old + 1, old_left - 1
            elif kind == " ":
                lines.append(DiffLine(" ", old, new, position, row[1:]))
                old, new = old + 1, new + 1
                old_left, new_left = old_left - 1, new_left - 1
            else:
                raise PatchError(f"patch row {i + 1} does not start with '+', '-', ' ' or '\\'")
            i += 1
        if old_left != 0 or new_left != 0:
            raise PatchError(f"hunk {header!r} line counts do not match its body")
        hunks.append(
            Hunk(
                len(hunks),
                header,
                header_position,
                old_start,
                old_count,
                new_start,
                new_count,
                tuple(lines),
            )
        )
    return Patch(text, tuple(hunks))
