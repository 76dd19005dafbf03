"""Writing a result in the format the user asked for, to the terminal or a file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Literal, Protocol

from rich.console import Console

from reviewbot.errors import RepositoryError, UsageError
from reviewbot.publish.formats import LinkFor, render_github, render_json, render_markdown
from reviewbot.publish.sarif import render_sarif
from reviewbot.publish.terminal import SourceLines, render_text
from reviewbot.review.result import ReviewResult

Format = Literal["text", "json", "markdown", "sarif", "github"]


def render(
    result: ReviewResult,
    fmt: Format,
    *,
    source: SourceLines | None = None,
    link: LinkFor | None = None,
    automation_id: str = "reviewbot/review/",
    width: int = 100,
) -> str:
    """The result as text in ``fmt`` (``text`` without colour, for files)."""
    if fmt == "json":
        return render_json(result)
    if fmt == "markdown":
        return render_markdown(result, link=link)
    if fmt == "sarif":
        return render_sarif(result, automation_id=automation_id)
    if fmt == "github":
        return render_github(result)
    buffer = io.StringIO()
    render_text(result, Console(file=buffer, width=width, color_system=None), source=source)
    return buffer.getvalue()


def emit(
    result: ReviewResult,
    fmt: Format,
    *,
    output: Path | None,
    console: Console,
    source: SourceLines | None = None,
    link: LinkFor | None = None,
    automation_id: str = "reviewbot/review/",
) -> None:
    """Write to ``output`` when given, else to ``console`` (coloured text when it can)."""
    if output is None and fmt == "text":
        render_text(result, console, source=source)
        return
    write_text(render(result, fmt, source=source, link=link, automation_id=automation_id),
               output, console)  # fmt: skip


def write_text(text: str, output: Path | None, console: Console) -> None:
    """``text`` to the file ``output``, or as it is to the console's stream."""
    if output is None:
        console.file.write(text)
        console.file.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}", hint="check -o") from exc


def source_of(view: FileReader | None) -> SourceLines:
    """Numbered lines from ``view`` for the text report; none when it cannot read them
    (context lines are a nicety, never a failure)."""

    def source(path: str, first: int, last: int) -> list[tuple[int, str]]:
        if view is None:
            return []
        try:
            text = view.read(path, first, last)
        except RepositoryError:
            return []
        return list(enumerate(text.text.splitlines(), start=text.start_line))

    return source


class FileReader(Protocol):
    def read(self, path: str, start_line: int | None = ..., end_line: int | None = ...) -> Any: ...
