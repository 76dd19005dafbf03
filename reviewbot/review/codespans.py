"""Which parts of a Markdown text GitHub shows as code.

The sanitiser leaves code alone (GitHub neither notifies nor links there, and a suggestion
must stay exact), so this must never call code what GitHub renders as prose: every rule
errs on the side of prose.

- A fenced block opens with three or more backticks or tildes (at most three spaces in)
  and runs to a closing fence of the same kind that is at least as long, or to the end. A
  backtick fence whose info string holds a backtick is no fence (CommonMark).
- An inline code span is a run of backticks and the next run of exactly as many on the
  same line. CommonMark lets a span continue over a line break inside a paragraph, but a
  blank line or a new block ends the paragraph first, so one line is the safe unit. A
  backtick after a backslash opens nothing. A line with a ``<`` on it may hold an HTML
  block, a tag or an autolink, which come before code spans: such a line is all prose.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$", re.S)
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def split_code(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_code, chunk) pieces that join back to it exactly."""
    pieces: list[tuple[bool, str]] = []
    prose: list[str] = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        fence = _opening(lines[i])
        if fence is None:
            prose.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            j += 1
        pieces += _spans("".join(prose))
        prose = []
        pieces.append((True, "".join(lines[i : j + 1])))
        i = j + 1
    pieces += _spans("".join(prose))
    return _merged(pieces)


def _opening(line: str) -> str | None:
    found = _FENCE.match(line)
    if found is None:
        return None
    fence, info = found.group(1), found.group(2)
    return None if fence[0] == "`" and "`" in info else fence


def _closes(line: str, fence: str) -> bool:
    closing = _FENCE.match(line)
    return (
        closing is not None
        and closing.group(1)[0] == fence[0]
        and len(closing.group(1)) >= len(fence)
        and not closing.group(2).strip()
    )


def _spans(text: str) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    for line in text.splitlines(keepends=True):
        out += [(False, line)] if "<" in line else _spans_in_line(line)
    return out


def _spans_in_line(line: str) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    start = i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in _ESCAPABLE:
            i += 2  # an escaped character: a backtick here opens nothing
            continue
        if line[i] != "`":
            i += 1
            continue
        run = _run(line, i)
        close = _closing_run(line, i + run, run)
        if close is None:
            i += run  # no partner: these backticks are plain text
            continue
        out += [(False, line[start:i]), (True, line[i : close + run])]
        start = i = close + run
    out.append((False, line[start:]))
    return out


def _run(line: str, at: int) -> int:
    end = at
    while end < len(line) and line[end] == "`":
        end += 1
    return end - at


def _closing_run(line: str, at: int, length: int) -> int | None:
    """Where the next run of exactly ``length`` backticks starts (backslashes are literal
    inside a span)."""
    while at < len(line):
        if line[at] != "`":
            at += 1
            continue
        run = _run(line, at)
        if run == length:
            return at
        at += run
    return None


def _merged(pieces: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    for code, chunk in pieces:
        if not chunk:
            continue
        if out and out[-1][0] == code and not code:
            out[-1] = (False, out[-1][1] + chunk)
        else:
            out.append((code, chunk))
    return out
