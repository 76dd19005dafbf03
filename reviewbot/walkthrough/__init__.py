"""The pull request's walkthrough: what changed, file by file, and a diagram of the
changed call paths built from the parsed code."""

from reviewbot.walkthrough.calls import CallGraph, call_graph
from reviewbot.walkthrough.files import FileNote, FileRow, file_rows, purpose_of
from reviewbot.walkthrough.notes import DescribeFileTool, FileNotes
from reviewbot.walkthrough.render import (
    DiagramPolicy,
    Walkthrough,
    build_walkthrough,
    walkthrough_markdown,
)

__all__ = [
    "CallGraph",
    "DescribeFileTool",
    "DiagramPolicy",
    "FileNote",
    "FileNotes",
    "FileRow",
    "Walkthrough",
    "build_walkthrough",
    "call_graph",
    "file_rows",
    "purpose_of",
    "walkthrough_markdown",
]
