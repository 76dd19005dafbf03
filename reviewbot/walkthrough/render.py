"""The walkthrough: the changed files grouped by purpose and, when the change crosses
modules, a Mermaid diagram of its call paths; built once, rendered as Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from reviewbot.pack.change import ChangeSetLike
from reviewbot.review.sanitize import code_span
from reviewbot.walkthrough.calls import CallGraph, Source, call_graph
from reviewbot.walkthrough.files import HEADINGS, FileNote, FileRow, file_rows

DiagramPolicy = Literal["auto", "never"]
MAX_ROWS = 60  # files listed; the rest are counted


@dataclass(frozen=True)
class Walkthrough:
    rows: tuple[FileRow, ...]
    graph: CallGraph

    @property
    def diagram(self) -> str:
        """The Mermaid source ("" when the change does not cross modules)."""
        return self.graph.mermaid() if self.graph.crosses_modules else ""


def build_walkthrough(
    source: Source,
    changes: ChangeSetLike,
    notes: Sequence[FileNote] = (),
    *,
    diagram: DiagramPolicy = "auto",
) -> Walkthrough:
    graph = call_graph(source, changes) if diagram == "auto" else CallGraph((), ())
    return Walkthrough(tuple(file_rows(changes, notes)), graph)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _change(row: FileRow) -> str:
    if row.status == "added":
        return f"new, +{row.added}"
    if row.status == "deleted":
        return f"deleted, −{row.removed}"
    moved = f"renamed from {code_span(row.old_path, in_table=True)}, " if row.old_path else ""
    return f"{moved}+{row.added} −{row.removed}"


def walkthrough_markdown(walk: Walkthrough, prose: Callable[[str], str]) -> str:
    """The walkthrough as Markdown; ``prose`` neutralises the model's lines (mentions,
    links, secrets) for where the text goes."""
    out = ["#### Walkthrough", "", "| purpose | file | change | what |", "|---|---|---|---|"]
    previous = ""
    for row in walk.rows[:MAX_ROWS]:
        heading = HEADINGS[row.purpose] if row.purpose != previous else ""
        previous = row.purpose
        what = prose(_cell(row.summary)) if row.summary else ""
        out.append(
            f"| {heading} | {code_span(row.path, in_table=True)} | {_change(row)} | {what} |"
        )
    if len(walk.rows) > MAX_ROWS:
        out += ["", f"_…and {len(walk.rows) - MAX_ROWS} more changed file(s)._"]
    if walk.diagram:
        out += [
            "",
            "<details open><summary>Changed call paths (from the parsed code: new "
            "definitions green, changed yellow, their unchanged callers and callees grey)"
            "</summary>",
            "",
            "```mermaid",
            walk.diagram.rstrip("\n"),
            "```",
            "",
            "</details>",
        ]
    return "\n".join(out) + "\n"
