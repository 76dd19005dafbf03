"""The terminal report: findings grouped by file, severity coloured, the code around each
finding with its lines marked, suggestions as a diff, and a closing line of figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from reviewbot.review.findings import Finding
from reviewbot.review.result import ReviewResult, count_by_severity

# (path, first, last) -> [(number, text)] of the new file; empty when unavailable.
SourceLines = Callable[[str, int, int], Sequence[tuple[int, str]]]

STYLE = {"critical": "bold white on red", "major": "bold red", "minor": "yellow", "nit": "cyan"}
CONTEXT_LINES = 2


def summary_line(result: ReviewResult) -> str:
    counts = count_by_severity(result.findings)
    parts = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    s = result.stats
    found = f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}"
    return (
        f"{found}{f' ({parts})' if parts else ''} · {s.steps} steps · "
        f"{s.input_tokens:,} tokens in ({s.cached_share:.0%} cached) · {s.output_tokens:,} out · "
        f"${s.cost_usd:.4f} · {s.seconds:.1f} s"
    )


def _code(console: Console, f: Finding, source: SourceLines | None) -> None:
    if source is None or f.side == "LEFT":
        return
    last = f.end_line or f.line
    rows = source(f.path, max(1, f.line - CONTEXT_LINES), last + CONTEXT_LINES)
    width = len(str(rows[-1][0])) if rows else 1
    for number, text in rows:
        marked = f.line <= number <= last
        line = Text("    ")
        line.append(">" if marked else " ", style="bold" if marked else "")
        line.append(f" {number:>{width}} │ ", style="dim")
        line.append(text.rstrip("\n"), style="bold" if marked else "")
        console.print(line, soft_wrap=True)


def _suggestion(console: Console, f: Finding, source: SourceLines | None) -> None:
    if f.suggestion is None:
        return
    console.print("    suggestion:", style="dim")
    old = source(f.path, f.line, f.end_line or f.line) if source else []
    for _, text in old:
        console.print(Text(f"    - {text.rstrip()}", style="red"), soft_wrap=True)
    for text in f.suggestion.rstrip("\n").split("\n"):
        console.print(Text(f"    + {text}", style="green"), soft_wrap=True)


def render_text(
    result: ReviewResult, console: Console, *, source: SourceLines | None = None
) -> None:
    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_file.setdefault(f.path, []).append(f)
    for path, findings in by_file.items():
        console.print(Text(path, style="bold underline"))
        for f in findings:
            span = f"L{f.line}-{f.end_line}" if f.end_line else f"L{f.line}"
            if f.side == "LEFT":
                span += " (old)"
            head = Text("  ")
            head.append(f" {f.severity} ", style=STYLE[f.severity])
            head.append(f" {span}  ", style="dim")
            head.append(f.title, style="bold")
            console.print(head, soft_wrap=True)
            for para in f.body.strip().splitlines():
                console.print(Text(f"    {para}"), soft_wrap=True)
            _code(console, f, source)
            _suggestion(console, f, source)
            console.print()
    if result.summary.strip():
        console.print(Text(result.summary.strip()))
        console.print()
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    console.print(Text(summary_line(result), style="bold"), soft_wrap=True)
