"""Code search with ``git grep``: one process, streamed, stopped as soon as enough is found.

Patterns are Perl-compatible regular expressions (``git grep -P``) when git has PCRE,
else POSIX extended ones (``-E``). Binary files are skipped (``-I``). A search that runs
past its time limit is stopped and reported as truncated, not as an error.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from reviewbot.errors import RepositoryError
from reviewbot.repo.gitcmd import GitRunner

MAX_MATCH_CHARS = 400


@dataclass(frozen=True)
class Match:
    path: str
    line: int
    text: str


@dataclass(frozen=True)
class SearchResult:
    matches: tuple[Match, ...]
    truncated: bool


_PCRE: dict[str, bool] = {}


def _flavour(runner: GitRunner) -> str:
    """``-P`` when this git was built with PCRE, else ``-E`` (checked once per process)."""
    if "P" not in _PCRE:
        probe = ["grep", "-P", "-e", "x", "--no-index", "--", "reviewbot-no-such-file"]
        _PCRE["P"] = runner.run(probe, ok=range(256))[0] == 1
    return "-P" if _PCRE["P"] else "-E"


def _short(text: str) -> str:
    return text if len(text) <= MAX_MATCH_CHARS else text[:MAX_MATCH_CHARS] + "…"


def git_grep(
    runner: GitRunner,
    pattern: str,
    *,
    ref: str | None,
    untracked: bool = True,
    folder: str = "",
    max_results: int,
    allowed: Callable[[str], bool],
    timeout_s: float = 30.0,
) -> SearchResult:
    """Matches of ``pattern`` at ``ref`` (``None``: the work tree, untracked files too unless
    ``untracked`` is false), in ``folder`` (a plain path, not a glob) when given, in the
    files ``allowed`` accepts."""
    if not pattern:
        raise RepositoryError("empty search pattern", hint="pass a regular expression")
    args = ["grep", "-z", "-n", "-I", "--no-color", "--full-name", _flavour(runner), "-e", pattern]
    args += [ref] if ref else (["--untracked"] if untracked else [])
    args += ["--", *([f":(literal){folder}"] if folder else [])]
    proc = runner.popen(args)
    assert proc.stdout is not None and proc.stderr is not None
    stdout = cast(io.BufferedReader, proc.stdout)
    timer = threading.Timer(timeout_s, proc.kill)
    timer.start()
    prefix = f"{ref}:".encode() if ref else b""
    matches: list[Match] = []
    truncated = False
    buffer = b""
    try:
        while not truncated:
            chunk = stdout.read1(65536)
            if not chunk:
                break
            buffer += chunk
            pos = 0
            while (first := buffer.find(b"\0", pos)) >= 0:
                second = buffer.find(b"\0", first + 1)
                end = buffer.find(b"\n", second + 1) if second >= 0 else -1
                if end < 0:
                    break
                raw_path, number = buffer[pos:first], buffer[first + 1 : second]
                text = buffer[second + 1 : end]
                pos = end + 1
                path = os.fsdecode(raw_path.removeprefix(prefix))
                if not number.isdigit() or not allowed(path):
                    continue
                if len(matches) >= max_results:
                    truncated = True
                    break
                line_text = _short(text.decode("utf-8", errors="replace"))
                matches.append(Match(path, int(number), line_text))
            buffer = buffer[pos:]
    finally:
        timer.cancel()
        if truncated:
            proc.kill()
        err = proc.stderr.read().decode("utf-8", errors="replace")
        proc.stdout.close()
        proc.stderr.close()
        status = proc.wait()
    if status < 0 and not truncated:  # killed by the timer
        return SearchResult(tuple(matches), True)
    if status not in (0, 1) and not truncated:
        detail = " ".join(err.replace("fatal: ", "").split())
        raise RepositoryError(
            f"search failed for {pattern!r}: {detail[:200]}", hint="check the regular expression"
        )
    return SearchResult(tuple(matches), truncated)
