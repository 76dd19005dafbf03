"""Glob patterns compiled to one regular expression each, for fast matching of many paths.

``*`` and ``?`` stay inside one path component, ``**`` spans folders, ``[...]`` is a
character class (``[!...]`` negated). Matching a list of 78,000 paths against a dozen
patterns is one ``re.search`` per path, not one call per path and pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def glob_to_regex(pattern: str) -> str:
    """The regex (no anchors) matching the same paths as ``pattern``."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (close := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : close]
            negate = body.startswith(("!", "^"))
            body = body[1:] if negate else body
            body = body.replace("\\", "\\\\").replace("]", "\\]")
            out.append(f"[^/{body}]" if negate else f"(?!/)[{body}]")
            i = close + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def compile_anywhere(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One regex that finds any pattern as a run of whole components anywhere in a path.

    ``secrets.*`` matches ``secrets.yml`` and ``deploy/secrets.yml``; ``.aws/credentials``
    matches ``home/.aws/credentials``; a match on a folder covers everything below it. A
    leading ``/`` anchors a pattern at the repository root. Case is ignored.
    """
    parts: list[str] = []
    for raw in patterns:
        pattern = raw.strip().rstrip("/")
        if not pattern:
            continue
        if pattern.startswith("/"):
            parts.append(f"^{glob_to_regex(pattern.lstrip('/'))}(?:/|$)")
        else:
            parts.append(f"(?:^|/){glob_to_regex(pattern)}(?:/|$)")
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE | re.DOTALL)


def compile_last_component(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """A regex for file names that could end a match of one of ``patterns``.

    A cheap first test before ``compile_anywhere``'s regex: most paths fail it.
    """
    lasts = []
    for raw in patterns:
        pattern = raw.strip().strip("/")
        if pattern:
            last = pattern.rsplit("/", 1)[-1]
            lasts.append(".*" if "**" in last else glob_to_regex(last))
    return re.compile("|".join(lasts), re.IGNORECASE | re.DOTALL) if lasts else None


def compile_filter(pattern: str) -> re.Pattern[str]:
    """A listing filter: without ``/`` it matches the file name, else the whole path."""
    pattern = pattern.strip().lstrip("/")
    if "/" not in pattern:
        return re.compile(f"(?:^|/){glob_to_regex(pattern)}$", re.DOTALL)
    return re.compile(f"^{glob_to_regex(pattern)}$", re.DOTALL)
