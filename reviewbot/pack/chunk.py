"""Cutting a large file down to the parts that matter, at syntax boundaries.

Units are the file's top-level definitions (a class larger than half the cap is split into
its methods), the code between them, and the file's head (imports); files without a
grammar are cut into fixed line windows. Units touching changed lines or naming a
referenced symbol come first, then the head, then units by query-term density; the kept
units are returned as merged line ranges in file order.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reviewbot.pack.langs import LANGUAGES, Definition
from reviewbot.pack.model import Chunk
from reviewbot.pack.scan import WORD_TABLE
from reviewbot.pack.tokens import BYTES_PER_TOKEN

WINDOW = 80  # lines per unit for files without a grammar
HEAD = 40  # lines of a file's head (imports, module docstring) kept when it fits


@dataclass(frozen=True)
class Unit:
    start: int  # 1-based inclusive
    end: int
    label: str


def units(path: str, data: bytes, line_count: int, cap_lines: int) -> list[Unit]:
    syntax = LANGUAGES.parse(path, data)
    if syntax is None or not syntax.definitions:
        return [
            Unit(s, min(s + WINDOW - 1, line_count), f"lines {s}-{min(s + WINDOW - 1, line_count)}")
            for s in range(1, line_count + 1, WINDOW)
        ]
    out: list[Unit] = []
    cursor = 1
    top = [d for d in syntax.definitions if d.depth == 0]
    for d in top:
        if d.start_line > cursor:
            out.extend(_gap(cursor, d.start_line - 1))
        inner = [
            c
            for c in syntax.definitions
            if c.depth == 1 and d.start_line <= c.start_line <= d.end_line
        ]
        if d.end_line - d.start_line + 1 > cap_lines and inner:
            out.extend(_split(d, inner))
        else:
            out.append(Unit(d.start_line, d.end_line, f"{d.kind} {d.name}"))
        cursor = max(cursor, d.end_line + 1)
    if cursor <= line_count:
        out.extend(_gap(cursor, line_count))
    return out


def _gap(start: int, end: int) -> list[Unit]:
    return [Unit(s, min(s + WINDOW - 1, end), "module code") for s in range(start, end + 1, WINDOW)]


def _split(parent: Definition, children: list[Definition]) -> list[Unit]:
    out: list[Unit] = []
    cursor = parent.start_line
    for child in children:
        if child.start_line > cursor:
            label = f"{parent.kind} {parent.name} (header)" if not out else f"{parent.name} body"
            out.extend(Unit(u.start, u.end, label) for u in _gap(cursor, child.start_line - 1))
        out.append(Unit(child.start_line, child.end_line, f"{parent.name}.{child.name}"))
        cursor = max(cursor, child.end_line + 1)
    if cursor <= parent.end_line:
        out.extend(
            Unit(u.start, u.end, f"{parent.name} body") for u in _gap(cursor, parent.end_line)
        )
    return out


def select(
    path: str,
    data: bytes,
    *,
    cap_tokens: int,
    count: Callable[[str], int],
    focus_lines: frozenset[int] = frozenset(),
    focus_names: frozenset[str] = frozenset(),
    terms: Mapping[bytes, float] | None = None,
) -> tuple[Chunk, ...]:
    """Line ranges of ``path`` worth keeping within ``cap_tokens`` (exactly counted)."""
    text = data.decode("utf-8", "replace")
    lines = text.splitlines(keepends=True)
    if not lines:
        return ()
    avg_tokens_per_line = max(len(data) / BYTES_PER_TOKEN / len(lines), 1.0)
    cap_lines = max(int(cap_tokens / avg_tokens_per_line / 2), 20)
    all_units = units(path, data, len(lines), cap_lines)
    names = {n for n in focus_names}
    focus = sorted(focus_lines)

    def priority(u: Unit) -> tuple[int, float, int]:
        at = bisect.bisect_left(focus, u.start)
        if at < len(focus) and focus[at] <= u.end:
            return (0, 0.0, u.start)
        if any(u.label.endswith(n) for n in names):
            return (1, 0.0, u.start)
        if u.start == 1:
            return (2, 0.0, u.start)
        if terms:
            body = "".join(lines[u.start - 1 : u.end]).encode("utf-8", "replace")
            words = body.translate(WORD_TABLE).split()
            weight = sum(terms.get(w, 0.0) for w in words)
            if weight > 0:
                return (3, -weight / max(u.end - u.start + 1, 1), u.start)
        return (4, 0.0, u.start)

    kept: list[Unit] = []
    used = 0
    for u in sorted(all_units, key=priority):
        piece = "".join(lines[u.start - 1 : u.end])
        if len(piece) / BYTES_PER_TOKEN > 2 * (cap_tokens - used) and kept:
            continue  # clearly too big: spare the exact count
        cost = count(piece) + 12  # the "lines a-b" marker between chunks
        if used + cost > cap_tokens:
            if priority(u)[0] == 0 and not kept:  # a changed unit larger than the cap: cut it
                return (Chunk(u.start, u.start + max(cap_lines - 1, 0), f"{u.label} (cut)"),)
            continue
        kept.append(u)
        used += cost
    return merge(kept)


def merge(kept: list[Unit]) -> tuple[Chunk, ...]:
    out: list[Chunk] = []
    for u in sorted(kept, key=lambda u: u.start):
        if out and u.start <= out[-1].end_line + 1:
            last = out[-1]
            out[-1] = Chunk(last.start_line, max(last.end_line, u.end), last.why)
        else:
            out.append(Chunk(u.start, u.end, u.label))
    return tuple(out)
