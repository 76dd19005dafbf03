"""Timings of the repository layer on a real tree.

    python bench/repo_listing.py PATH [--repeat N] [--pattern REGEX]

PATH is a git repository with branches ``main`` and ``feature`` (as
``/work/shared/bench/corpora.sh`` builds them). Each figure is the median of N runs in a
fresh ``RepoView`` (so listing is never served from the view's cache; the operating
system's page cache is warm after the first run, as it is on a developer's machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from reviewbot.repo import changeset_from_git
from reviewbot.repo.render import render_changeset
from reviewbot.repo.textfile import decode, is_binary
from reviewbot.repo.view import RepoView

T = TypeVar("T")


def timed(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    seconds = []
    result: T | None = None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(seconds), result


def read_all(root: Path, ref: str | None) -> tuple[int, int, int]:
    """Read and decode every file under the size cap: (files read, text files, bytes)."""
    view = RepoView(root, ref)
    paths = [
        e.path for e in view.tracked_files() if e.kind == "file" and e.size <= view.max_file_bytes
    ]
    text_files = total = 0
    for _, data in view.read_many(paths):
        total += len(data)
        if not is_binary(data):
            decode(data)
            text_files += 1
    return len(paths), text_files, total


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pattern", default=r"bench_unused_helper")
    parser.add_argument("--busy-pattern", default=r"kmalloc\(|def |return ")
    args = parser.parse_args(argv)
    root: Path = args.path
    runs: int = args.repeat
    print(f"tree: {root}  (median of {runs} runs)")

    def row(label: str, seconds: float, detail: str) -> None:
        print(f"{label:<40} {seconds:7.3f} s   {detail}", flush=True)

    for label, ref in (("commit HEAD", "HEAD"), ("work tree", None)):
        seconds, files = timed(runs, lambda ref=ref: RepoView(root, ref).tracked_files())
        size = sum(e.size for e in files) / 1e6
        row(f"list files + sizes ({label})", seconds, f"{len(files):,} files, {size:,.0f} MB")

    for label, ref in (("commit HEAD", "HEAD"), ("work tree", None)):
        seconds, (count, text, total) = timed(runs, lambda ref=ref: read_all(root, ref))
        detail = f"{count:,} files ({text:,} text), {total / 1e6:,.0f} MB"
        row(f"read_many + decode ({label})", seconds, detail)

    # HEAD is checked out clean, so grep reads the disk; `main` is another commit, so git
    # inflates its blobs. A fresh view each run includes the one-off cleanliness check.
    for ref in ("HEAD", "main"):
        for pattern in (args.pattern, args.busy_pattern):
            seconds, found = timed(
                runs, lambda p=pattern, r=ref: RepoView(root, r).search(p, max_results=200)
            )
            cut = " (stopped at 200)" if found.truncated else ""
            row(f"git grep {pattern!r} at {ref}", seconds, f"{len(found.matches)} matches{cut}")

    seconds, changes = timed(runs, lambda: changeset_from_git(root, base="main", head="feature"))
    lines = sum(len(h.lines) for f in changes.files for h in f.hunks)
    row("changeset feature vs main", seconds, f"{len(changes.files)} files, {lines} diff lines")
    seconds, text = timed(runs, lambda: render_changeset(changes))
    row("render changeset", seconds, f"{len(text):,} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
