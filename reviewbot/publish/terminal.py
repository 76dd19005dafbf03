"""The terminal report: findings grouped by file, severity coloured, the code around each
finding with its lines marked, suggestions as a diff, and a closing line of figures.

    app/cache.py
       major  L11-12  Expired entries are never evicted
        `get` returns None for an expired entry but leaves it in `items`.
           9 │     def get(self, key):
        > 11 │         if time.time() - stamp > self.ttl:
        ...
        suggested change:
        -         if time.time() - stamp > self.ttl:
        +         if time.time() - stamp > self.ttl:
        +             del self.items[key]

    1 finding (1 major) · 7 steps · 48,213 tokens in (86% cached) · 1,925 out · $0.0102 · 9.3s
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

from reviewbot.review.findings import Finding
from reviewbot.review.result import ReviewResult, count_by_severity
from reviewbot.review.sanitize import printable

# (path, first, last) -> [(number, text)] of the new file; empty when unavailable.
SourceLines = Callable[[str, int, int], Sequence[tuple[int, str]]]

STYLE = {"critical": "bold white on red", "major": "bold red", "minor": "yellow", "nit": "cyan"}
CONTEXT_LINES = 2
INDENT = 4


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(result: ReviewResult) -> str:
    counts = count_by_severity(result.findings)
    parts = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    s = result.stats
    found = plural(len(result.findings), "finding") if result.findings else "no findings"
    return (
        f"{found}{f' ({parts})' if parts else ''} · {plural(s.steps, 'step')} · "
        f"{s.input_tokens:,} tokens in ({s.cached_share:.0%} cached) · {s.output_tokens:,} out · "
        f"${s.cost_usd:.4f} · {s.seconds:.1f}s"
    )


def _coloured(console: Console) -> bool:
    return console.color_system is not None and not console.no_color


def _highlighted(path: str, texts: list[str], console: Console) -> list[Text]:
    """The lines as Text, syntax-coloured when the console shows colour."""
    if not _coloured(console) or not texts:
        return [Text(t) for t in texts]
    code = "\n".join(texts)
    lexer = Syntax.guess_lexer(path, code)
    syntax = Syntax(code, lexer, theme="ansi_dark", background_color="default")
    lines = list(syntax.highlight(code).split("\n"))
    return lines if len(lines) == len(texts) else [Text(t) for t in texts]


def _code(console: Console, f: Finding, source: SourceLines | None) -> None:
    if source is None or f.side == "LEFT":
        return
    rows = source(f.path, max(1, f.line - CONTEXT_LINES), f.last_line + CONTEXT_LINES)
    if not rows:
        return
    width = len(str(rows[-1][0]))
    texts = _highlighted(f.path, [text.rstrip("\r\n") for _, text in rows], console)
    for (number, _), text in zip(rows, texts, strict=True):
        marked = f.line <= number <= f.last_line
        line = Text(" " * INDENT)
        line.append(">" if marked else " ", style=STYLE[f.severity] if marked else "")
        line.append(f" {number:>{width}} │", style="bold" if marked else "dim")
        if text.plain:
            line.append(" ")
            line.append_text(text)
        console.print(line, soft_wrap=True)


def _suggestion(console: Console, f: Finding, source: SourceLines | None) -> None:
    if f.suggestion is None:
        return
    pad = " " * INDENT
    console.print(Text(f"{pad}suggested change:", style="dim"))
    old = source(f.path, f.line, f.last_line) if source and f.side == "RIGHT" else []
    for _, text in old:
        console.print(Text(f"{pad}- {text.rstrip()}", style="red"), soft_wrap=True)
    for text in f.suggestion.rstrip("\n").split("\n"):
        console.print(Text(f"{pad}+ {text.rstrip()}", style="green"), soft_wrap=True)


def _wrapped(console: Console, text: Text, indent: int = 0, hang: int | None = None) -> None:
    """``text`` indented and wrapped at word boundaries to the console's width (lines after
    the first indented by ``hang``), without trailing blanks; a console that soft-wraps (a
    pipe, a file) gets whole lines."""
    hang = indent if hang is None else hang
    if console.soft_wrap:
        console.print(Text(" " * indent) + text, soft_wrap=True)
        return
    lines = text.wrap(console, max(console.width - max(indent, hang), 20))
    for number, line in enumerate(lines):
        line.rstrip()
        console.print(Text(" " * (hang if number else indent)) + line, soft_wrap=True)


def _body(console: Console, body: str) -> None:
    for paragraph in body.strip().splitlines():
        _wrapped(console, Text(paragraph.rstrip()), INDENT)


def _heading(f: Finding) -> Text:
    span = f"L{f.line}-{f.end_line}" if f.end_line else f"L{f.line}"
    if f.side == "LEFT":
        span += " (old)"
    head = Text("  ")
    head.append(f" {f.severity} ", style=STYLE[f.severity])
    head.append(f" {span}  ", style="dim")
    head.append(f.title, style="bold")
    if not f.anchored:
        head.append("  (not on a changed line)", style="dim")
    return head


def render_text(
    result: ReviewResult, console: Console, *, source: SourceLines | None = None
) -> None:
    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_file.setdefault(f.path, []).append(f)
    for path, findings in by_file.items():
        _wrapped(console, Text(printable(path), style="bold underline"))
        for f in findings:
            _wrapped(console, _heading(f), hang=INDENT)
            _body(console, f.body)
            _code(console, f, source)
            _suggestion(console, f, source)
            console.print()
    if result.summary.strip():
        for paragraph in result.summary.strip().splitlines():
            _wrapped(console, Text(paragraph.rstrip()))
        console.print()
    for note in result.notes:
        _wrapped(console, Text(f"note: {note}", style="dim"))
    _wrapped(console, Text(summary_line(result), style="bold"))
