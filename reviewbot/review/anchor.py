"""Anchoring: a finding may only sit on lines the destination accepts.

For a pull request that is GitHub's rule: ``line`` lies in a hunk of the file's patch
(RIGHT: added or context lines, new numbering; LEFT: deleted or context lines, old
numbering) and ``start_line..line`` sits inside one hunk. For an audit there is no diff and
any line of an existing file is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from reviewbot.repo.diff import Side
from reviewbot.review.findings import Finding


class LineMap(Protocol):
    """What anchoring needs to know about the lines a comment may use."""

    def is_commentable(self, path: str, line: int, side: Side = "RIGHT") -> bool: ...

    def nearest_commentable(self, path: str, line: int, side: Side = "RIGHT") -> int | None: ...

    def range_in_one_hunk(self, path: str, start_line: int, end_line: int, side: Side) -> bool: ...


@dataclass(frozen=True)
class WholeFiles:
    """A line map for audits: every line of every listed file is commentable."""

    line_counts: Mapping[str, int]

    def is_commentable(self, path: str, line: int, side: Side = "RIGHT") -> bool:
        return side == "RIGHT" and 1 <= line <= self.line_counts.get(path, 0)

    def nearest_commentable(self, path: str, line: int, side: Side = "RIGHT") -> int | None:
        total = self.line_counts.get(path, 0)
        if side != "RIGHT" or total == 0:
            return None
        return min(max(line, 1), total)

    def range_in_one_hunk(self, path: str, start_line: int, end_line: int, side: Side) -> bool:
        return self.is_commentable(path, start_line, side) and self.is_commentable(
            path, end_line, side
        )


@dataclass(frozen=True)
class AnchorCheck:
    ok: bool
    reason: str = ""
    nearest: int | None = None


def check_anchor(
    lines: LineMap, path: str, line: int, end_line: int | None, side: Side
) -> AnchorCheck:
    """Whether a comment on ``path`` lines ``line..end_line`` is accepted, and if not, why
    and which line nearby would be."""
    if end_line is not None and end_line < line:
        return AnchorCheck(False, f"end_line {end_line} is before line {line}")
    last = line if end_line is None else end_line
    for number in (line, last):
        if not lines.is_commentable(path, number, side):
            nearest = lines.nearest_commentable(path, number, side)
            where = "old" if side == "LEFT" else "new"
            if nearest is None:
                return AnchorCheck(False, f"{path} has no commentable {where}-file lines here")
            # The nearest line is kept for callers, not said: a problem in unchanged code
            # does not belong on whichever changed line happens to be close.
            return AnchorCheck(
                False, f"{path}:{number} ({side}) is not a line of the diff", nearest
            )
    if last != line and not lines.range_in_one_hunk(path, line, last, side):
        return AnchorCheck(
            False, f"{path}:{line}-{last} spans more than one hunk; comment on one hunk", line
        )
    return AnchorCheck(True)


def anchor(finding: Finding, lines: LineMap) -> Finding:
    """The finding as it can be published: inline when its lines are accepted (a range that
    crosses hunks is narrowed to its first line), else marked unanchored for the body.

    A ``suggestion`` replaces exactly the lines a comment covers on the new file, so it is
    kept only on a RIGHT-side anchor that was not narrowed.
    """
    check = check_anchor(lines, finding.path, finding.line, finding.end_line, finding.side)
    if check.ok:
        if finding.side == "LEFT" and finding.suggestion is not None:
            return replace(finding, suggestion=None)
        return finding
    if finding.end_line is not None and lines.is_commentable(
        finding.path, finding.line, finding.side
    ):
        return replace(finding, end_line=None, suggestion=None)
    return replace(finding, anchored=False, suggestion=None)
