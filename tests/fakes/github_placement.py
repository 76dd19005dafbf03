"""Where a review comment lands, by GitHub's rules the OpenAPI schema does not state.

`place()` answers a `Placement` or the reasons GitHub would refuse the comment. Messages
follow what GitHub answers (seen in public bug reports): "Path could not be resolved",
"Line could not be resolved", and the older "Pull request review thread ..." phrases for
multi-line ranges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.fakes.github_hunks import SIDES, Anchor
from tests.fakes.github_state import Revision

PATH_UNRESOLVED = "Path could not be resolved"
LINE_UNRESOLVED = "Line could not be resolved"
START_SAME_HUNK = "Pull request review thread start line must be part of the same hunk as the line."
START_PRECEDES = "Pull request review thread start line must precede the end line."
BAD_SIDE = "Pull request review thread side must be LEFT or RIGHT."


@dataclass(frozen=True)
class Placement:
    path: str
    side: str | None
    line: int | None
    start_line: int | None
    start_side: str | None
    position: int | None
    diff_hunk: str
    subject_type: str = "line"


def _side_of(anchor: Anchor) -> str:
    return "LEFT" if anchor.line.kind == "-" else "RIGHT"


def _number(anchor: Anchor, side: str) -> int:
    value = anchor.line.old if side == "LEFT" else anchor.line.new
    assert value is not None
    return value


def place(revision: Revision, spec: Mapping[str, Any]) -> Placement | list[str]:
    """Resolve one comment spec (path, line/side/start_line/start_side or position)."""
    path = str(spec.get("path", ""))
    pull_file = revision.file(path)
    if pull_file is None:
        return [PATH_UNRESOLVED]
    if spec.get("subject_type") == "file":
        return Placement(path, None, None, None, None, None, "", "file")
    patch = revision.patch(path)
    if patch is None or not patch.hunks:
        return [LINE_UNRESOLVED]
    if spec.get("line") is None and spec.get("position") is not None:
        anchor = patch.at_position(int(spec["position"]))
        if anchor is None:
            return [LINE_UNRESOLVED]
        side = _side_of(anchor)
        line = _number(anchor, side)
        return Placement(
            path, side, line, None, None, anchor.line.position, patch.diff_hunk(anchor)
        )
    side = spec.get("side") or "RIGHT"
    start_side = spec.get("start_side") or side
    if side not in SIDES or (spec.get("start_line") is not None and start_side not in SIDES):
        return [BAD_SIDE]
    if spec.get("line") is None:
        return [LINE_UNRESOLVED]
    end = patch.locate(side, int(spec["line"]))
    if end is None:
        return [LINE_UNRESOLVED]
    start_line = spec.get("start_line")
    if start_line is not None:
        start = patch.locate(start_side, int(start_line))
        if start is None or start.hunk.index != end.hunk.index:
            return [START_SAME_HUNK]
        if start.line.position >= end.line.position:
            return [START_PRECEDES]
    return Placement(
        path,
        side,
        int(spec["line"]),
        None if start_line is None else int(start_line),
        None if start_line is None else start_side,
        end.line.position,
        patch.diff_hunk(end),
    )
