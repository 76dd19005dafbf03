"""The text report, rendered into fixed-width consoles and compared as a reader sees it."""

from __future__ import annotations

import io
import re

from rich.console import Console

from reviewbot.publish.terminal import render_text, summary_line
from reviewbot.review.findings import Finding
from reviewbot.review.result import ReviewResult, RunStats
from tests.publish.test_formats import RESULT, source

COLOUR_SGR = re.compile(r"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])[0-9;]*m")
STATS = RunStats(
    model="m", steps=1, input_tokens=1_000, output_tokens=20, cost_usd=0.001, seconds=2
)


def recorded(width: int, **kwargs: object) -> Console:
    return Console(width=width, record=True, color_system=None, **kwargs)  # type: ignore[arg-type]


def test_no_findings_says_so_with_the_figures() -> None:
    console = recorded(80)
    render_text(ReviewResult(summary="", findings=(), stats=STATS), console)
    assert console.export_text() == (
        "no findings · 1 step · 1,000 tokens in (0% cached) · 20 out · $0.0010 · 2.0s\n"
    )


def test_long_bodies_wrap_under_their_indent_and_notes_show() -> None:
    body = "The cache keeps every expired entry forever, so memory grows without bound."
    finding = Finding(
        "src/a.py", 2, None, "RIGHT", "critical", "Unbounded growth", body, None, "fp",
        anchored=False,
    )  # fmt: skip
    result = ReviewResult(
        summary="One leak.", findings=(finding,), stats=STATS, notes=("stopped at max_steps",)
    )
    console = recorded(44)
    render_text(result, console, source=lambda p, a, b: [(n, f"line {n}") for n in range(a, 5)])
    assert console.export_text() == (
        "src/a.py\n"
        "   critical  L2  Unbounded growth  (not\n"
        "    on a changed line)\n"
        "    The cache keeps every expired entry\n"
        "    forever, so memory grows without bound.\n"
        "      1 │ line 1\n"
        "    > 2 │ line 2\n"
        "      3 │ line 3\n"
        "      4 │ line 4\n"
        "\n"
        "One leak.\n"
        "\n"
        "note: stopped at max_steps\n"
        "1 finding (1 critical) · 1 step · 1,000\n"
        "tokens in (0% cached) · 20 out · $0.0010 ·\n"
        "2.0s\n"
    )


def test_a_console_that_soft_wraps_keeps_whole_lines() -> None:
    body = "word " * 30
    finding = Finding("a.py", 1, None, "RIGHT", "nit", "T", body.strip(), None, "fp")
    console = recorded(40, soft_wrap=True)
    render_text(ReviewResult(summary="", findings=(finding,), stats=STATS), console)
    assert "    " + body.strip() + "\n" in console.export_text()


def written(**kwargs: object) -> str:
    """What a console writing to a terminal sends (escape codes included)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=True, **kwargs)  # type: ignore[arg-type]
    render_text(RESULT, console, source=source)
    return buffer.getvalue()


def test_colour_marks_severity_and_code_on_a_colour_console() -> None:
    styled = written(color_system="truecolor")
    assert COLOUR_SGR.search(styled)
    assert "\x1b[1;31m major \x1b[0m" in styled
    assert re.sub(r"\x1b\[[0-9;]*m", "", styled) == _plain()  # the same words as without colour


def test_no_colour_console_has_no_colour_codes() -> None:
    styled = written(color_system="truecolor", no_color=True)
    assert "\x1b[1m" in styled  # bold is not colour
    assert not COLOUR_SGR.search(styled)


def _plain() -> str:
    console = recorded(100)
    render_text(RESULT, console, source=source)
    return console.export_text()


def test_summary_line_counts_by_severity() -> None:
    findings = tuple(
        Finding("a.py", n, None, "RIGHT", sev, "t", "b", None, f"fp{n}")  # type: ignore[arg-type]
        for n, sev in enumerate(["critical", "critical", "nit"], start=1)
    )
    line = summary_line(ReviewResult(summary="", findings=findings, stats=STATS))
    assert line.startswith("3 findings (2 critical, 1 nit) · 1 step · ")
