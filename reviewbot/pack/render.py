"""Rendering packed material as Markdown or XML blocks (one block per file).

Markdown fences are made longer than any backtick run inside the file; XML blocks escape
nothing but guard their closing tag, so the model sees the source byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Literal

from reviewbot.pack.model import Chunk
from reviewbot.repo.render import COLUMNS

Style = Literal["markdown", "xml"]

_LANG = {
    ".py": "python", ".js": "javascript", ".ts": "typescript", ".tsx": "tsx", ".go": "go",
    ".rs": "rust", ".java": "java", ".c": "c", ".h": "c", ".cpp": "cpp", ".md": "markdown",
    ".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".sh": "bash",
    ".rb": "ruby", ".html": "html", ".css": "css", ".sql": "sql",
}  # fmt: skip
_TICKS = re.compile(r"`{3,}")


def _fence(text: str) -> str:
    longest = max((len(m.group(0)) for m in _TICKS.finditer(text)), default=2)
    return "`" * max(3, longest + 1)


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# How changed files are numbered in the packed context (the heading above them says so).
CHANGED_TITLE = "Changed files (new version, each line: new-file line number, a tab, the text)"


def numbered_lines(lines: Sequence[str], first: int = 1) -> list[str]:
    """``lines`` as the model reads them, ``N<TAB>text`` from line ``first`` (the one
    numbering of whole files in a prompt: the review's changed files, the audit's units)."""
    return [f"{n}\t{text}" for n, text in enumerate(lines, start=first)]


def _body(lines: Sequence[str], chunks: Sequence[Chunk], numbered: bool = False) -> str:
    if not chunks:
        return "".join(numbered_lines(lines, 1) if numbered else lines)
    out: list[str] = []
    for c in chunks:
        out.append(f"⋮ lines {c.start_line}-{c.end_line} ({c.why})\n")
        part = lines[c.start_line - 1 : c.end_line]
        out.extend(numbered_lines(part, c.start_line) if numbered else part)
        if out and not out[-1].endswith("\n"):
            out.append("\n")
    return "".join(out)


def file_block(
    path: str, text: str, chunks: Sequence[Chunk], style: Style, *, role: str, note: str = ""
) -> str:
    lines = text.splitlines(keepends=True)
    # Changed files carry their line numbers: the model cites them in comments.
    body = _body(lines, chunks, numbered=role == "changed")
    if body and not body.endswith("\n"):
        body += "\n"
    span = "" if not chunks else f" (excerpts of {len(lines)} lines)"
    if style == "xml":
        extra = f' note="{_attr(note)}"' if note else ""
        safe = body.replace("</file>", "<\\/file>")
        return f'<file path="{_attr(path)}" role="{role}"{extra}>\n{safe}</file>\n'
    lang = _LANG.get(PurePosixPath(path).suffix.lower(), "")
    fence = _fence(body)
    head = f"### {path}{span}" + (f" — {note}" if note else "")
    return f"{head}\n{fence}{lang}\n{body}{fence}\n\n"


def heading(title: str, style: Style) -> str:
    if style == "xml":
        return f"<!-- {title} -->\n"
    return f"## {title}\n\n"


def diff_block(diff_text: str, style: Style) -> str:
    if style == "xml":
        return "<diff>\n" + diff_text.replace("</diff>", "<\\/diff>") + "</diff>\n"
    fence = _fence(diff_text)
    body = diff_text if diff_text.endswith("\n") or not diff_text else diff_text + "\n"
    return f"## The change (numbered diff; each row: {COLUMNS})\n\n{fence}diff\n{body}{fence}\n"


def outline_block(path: str, signatures: Sequence[tuple[int, str]], style: Style) -> str:
    body = "".join(f"{line}: {sig}\n" for line, sig in signatures)
    if style == "xml":
        return f'<outline path="{_attr(path)}">\n{body}</outline>\n'
    return f"### {path} (outline: line: signature)\n```\n{body}```\n\n"
