"""Hunks rendered with both line numbers beside each line, so the model cites numbers it sees.

    ### src/app.py (modified)
    @@ -10,4 +10,5 @@ def main():
      10   10   import os
      11      - import sys
           11 + import sys, json
      12   12
                \\ no newline at end of file

Columns: old number, new number, the kind (``+`` added, ``-`` deleted, blank context),
then the text; ``COLUMNS`` says so, in the words the prompt uses wherever it states it.
Comments on ``+`` or context lines use the new number (side RIGHT); on ``-`` lines the
old number (side LEFT). Control characters are shown escaped, so the output is one line
per diff line and stable byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable

from reviewbot.repo.diff import ChangeSet, FileChange, Hunk

# The one statement of the column order: the diff's heading and the task both use it.
COLUMNS = "old-file line number, new-file line number, +/-/blank, text"

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\x1b": "\\e", "\x00": "\\0", "\x0b": "\\v", "\x0c": "\\f"}


def _visible(text: str) -> str:
    """Tabs stay; other control characters (and line separators) are escaped."""
    if text.isprintable() or all(c.isprintable() or c == "\t" for c in text):
        return text
    return "".join(
        c if c.isprintable() or c == "\t" else _ESCAPES.get(c, f"\\u{ord(c):04x}") for c in text
    )


def describe(change: FileChange) -> str:
    """The status part of a file header: ``renamed from a.py, 92% similar; binary``."""
    parts: list[str] = []
    if change.status == "renamed":
        similar = f", {change.similarity}% similar" if change.similarity is not None else ""
        parts.append(f"renamed from {_visible(change.old_path or '')}{similar}")
    elif change.status == "copied":
        parts.append(f"copied from {_visible(change.old_path or '')}")
    elif change.status == "type_changed":
        parts.append(f"type changed {_kind(change.old_mode)} -> {_kind(change.new_mode)}")
    else:
        parts.append(change.status.replace("_", " "))
    modes_differ = change.old_mode and change.new_mode and change.old_mode != change.new_mode
    if modes_differ and change.status != "type_changed":
        parts.append(f"mode {change.old_mode} -> {change.new_mode}")
    for flag in ("binary", "submodule", "symlink"):
        if getattr(change, flag) and change.status != "type_changed":
            parts.append(flag)
    if not change.hunks:
        parts.append("no lines to comment on")
    return "; ".join(parts)


def _kind(mode: str | None) -> str:
    return {"120000": "symlink", "160000": "submodule", None: "none"}.get(mode, "file")


def render_hunk(hunk: Hunk, width: int) -> list[str]:
    old = f"{hunk.old_start},{hunk.old_count}"
    new = f"{hunk.new_start},{hunk.new_count}"
    section = f" {_visible(hunk.section)}" if hunk.section else ""
    out = [f"@@ -{old} +{new} @@{section}"]
    blank = " " * width
    for line in hunk.lines:
        o = f"{line.old:>{width}}" if line.old is not None and line.kind != "+" else blank
        n = f"{line.new:>{width}}" if line.new is not None and line.kind != "-" else blank
        out.append(f"{o} {n} {line.kind} {_visible(line.text)}".rstrip())
        if line.no_newline:
            out.append(f"{blank} {blank}   \\ no newline at end of file")
    return out


def render_file(change: FileChange) -> str:
    """One file: a ``### path (status)`` header and its numbered hunks."""
    largest = max(
        (max(h.old_start + h.old_count, h.new_start + h.new_count) for h in change.hunks),
        default=1,
    )
    width = max(len(str(largest)), 3)
    lines = [f"### {_visible(change.path)} ({describe(change)})"]
    for hunk in change.hunks:
        lines.extend(render_hunk(hunk, width))
    return "\n".join(lines) + "\n"


def render_changeset(changes: ChangeSet, paths: Iterable[str] | None = None) -> str:
    """Every file of ``changes`` (or only ``paths``, in that order), separated by blank lines."""
    selected = (
        list(changes.files)
        if paths is None
        else [c for c in (changes.file(p) for p in paths) if c is not None]
    )
    return "\n".join(render_file(change) for change in selected)
