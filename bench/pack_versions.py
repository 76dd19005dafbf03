"""`reviewbot pack` of two versions of reviewbot on the same trees, run alternately.

Each version is a source folder (a checkout or worktree: ``git worktree add /tmp/before
COMMIT``); both run under this venv's Python with the folder first on ``sys.path``, so only
the code differs. Per run: wall time and the CPU time (user + system) of the whole process
tree, from ``getrusage`` of the finished children; CPU time is the steadier figure on a
loaded machine. With ``--message FILE`` each tree's change is packed with that text as its
commit message (the description signals read it), on a scratch branch removed afterwards.

Trees come from ``bash /work/shared/bench/corpora.sh bench/corpora django linux``.

    .venv/bin/python bench/pack_versions.py BEFORE AFTER [--trees django linux] [--runs 3]
        [--message FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CORPORA = Path(__file__).resolve().parent / "corpora"
RUN = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from reviewbot.cli import main; sys.exit(main(sys.argv[1:]))"
)
SCRATCH = "pack-versions-described"


def git(tree: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(tree), *args], check=True, capture_output=True)


@contextmanager
def described(tree: Path, message: Path | None) -> Iterator[None]:
    """``feature`` checked out, or a copy of it whose commit message is ``message``."""
    if message is None:
        yield
        return
    git(tree, "checkout", "-q", "-B", SCRATCH, "feature")
    try:
        git(tree, "commit", "-q", "--amend", "-F", str(message.resolve()))
        yield
    finally:
        git(tree, "checkout", "-q", "feature")
        git(tree, "branch", "-q", "-D", SCRATCH)


def pack_once(source: Path, tree: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of one ``reviewbot pack``."""
    argv = [sys.executable, "-c", RUN, str(source), "pack", "--base", "main"]
    argv += ["--budget", "262144", "--format", "markdown", "-o", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(argv, cwd=tree, capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{source} on {tree.name}: {done.stderr.strip()[-300:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--trees", nargs="+", default=["django", "linux"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--message", type=Path, help="the change's commit message, from a file")
    args = parser.parse_args(argv)
    print("| tree | version | wall (s) | CPU time (s) |\n|---|---|---|---|")
    for name in args.trees:
        tree = CORPORA / name
        if not (tree / ".git").exists():
            raise SystemExit(f"{tree}: not built; run ../shared/bench/corpora.sh bench/corpora")
        times: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        with described(tree, args.message):
            for _ in range(args.runs):
                for label in times:  # alternately, so a change of load hits both
                    source = args.before if label == "before" else args.after
                    times[label].append(pack_once(source, tree, Path(os.devnull)))
        for label, runs in times.items():
            walls = ", ".join(f"{w:.2f}" for w, _ in runs)
            cpus = ", ".join(f"{c:.2f}" for _, c in runs)
            print(f"| {name} | {label} | {walls} | {cpus} |", flush=True)
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
