"""`emit`: every format to a file (-o) or to the console, never with escape codes in files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from reviewbot.errors import UsageError
from reviewbot.publish.formats import render_github, render_markdown
from reviewbot.publish.output import Format, emit, render
from tests.publish.test_formats import RESULT, source

FORMATS: tuple[Format, ...] = ("text", "json", "markdown", "sarif", "github")


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=100, force_terminal=True, color_system="truecolor"), buffer


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_goes_to_the_file_and_not_the_console(tmp_path: Path, fmt: Format) -> None:
    console, shown = terminal()
    target = tmp_path / "deep" / f"review.{fmt}"
    emit(RESULT, fmt, output=target, console=console, source=source)
    text = target.read_text(encoding="utf-8")
    assert shown.getvalue() == ""
    assert "\x1b" not in text
    assert text == render(RESULT, fmt, source=source)
    if fmt in ("json", "sarif"):
        json.loads(text)
    assert "Stale entry returned" in text


def test_text_to_a_file_is_the_plain_report(tmp_path: Path) -> None:
    target = tmp_path / "review.txt"
    emit(RESULT, "text", output=target, console=terminal()[0], source=source)
    lines = target.read_text().splitlines()
    assert lines[0] == "app/cache.py"
    assert "    > 3 │     if age > ttl:" in lines
    assert lines[-1].startswith("2 findings (1 major, 1 nit) · 4 steps")


def test_formats_other_than_text_reach_the_console_verbatim() -> None:
    console, shown = terminal()
    emit(RESULT, "github", output=None, console=console)
    assert shown.getvalue() == render_github(RESULT)
    console, shown = terminal()
    emit(RESULT, "markdown", output=None, console=console)
    assert shown.getvalue() == render_markdown(RESULT)


def test_text_on_a_terminal_is_coloured() -> None:
    console, shown = terminal()
    emit(RESULT, "text", output=None, console=console, source=source)
    assert "\x1b[1;31m major \x1b[0m" in shown.getvalue()


def test_an_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="cannot write"):
        emit(RESULT, "json", output=blocker / "x.json", console=terminal()[0])
