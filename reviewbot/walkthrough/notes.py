"""``describe_file``: the model's structured summary of the change, one file at a time.

It fills the walkthrough table (a purpose from a closed set, one short line); its text
never reaches the diagram, and it is sanitised like every model text before publishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.tools import FunctionTool
from reviewbot.walkthrough.files import FileNote

MAX_SUMMARY = 160
DescribeFileTool = FunctionTool  # what ``FileNotes.tool`` hands to a review's agent


class FileNotes:
    """The ``describe_file`` tool of one review, bound to the changed paths."""

    def __init__(self, changed: Iterable[str]) -> None:
        self.changed = frozenset(changed)
        self._notes: dict[str, FileNote] = {}

    @property
    def notes(self) -> tuple[FileNote, ...]:
        return tuple(self._notes.values())

    def tool(self) -> DescribeFileTool:
        return FunctionTool.of(self.describe_file)

    def describe_file(
        self,
        path: str,
        purpose: Literal["feature", "fix", "refactor", "tests", "docs", "build"],
        summary: str,
    ) -> str:
        """Say in one line what the change to one changed file does, for the walkthrough
        table of the review summary. Call it once per changed file worth describing
        (several calls in one turn are fine), before finish_review.

        Args:
            path: a changed file (new path for renamed files)
            purpose: feature, fix, refactor, tests, docs or build (build, CI, configuration)
            summary: one plain line, at most 160 characters, e.g. "reads the retry limit
                from the config"
        """
        if path not in self.changed:
            raise ToolArgumentError(f"{path!r} is not a changed file of this review")
        line = " ".join(summary.split())
        if not line:
            raise ToolArgumentError("summary must not be empty")
        if len(line) > MAX_SUMMARY:
            line = line[: MAX_SUMMARY - 1] + "…"
        self._notes[path] = FileNote(path, purpose, line)
        return f"noted {path}"
