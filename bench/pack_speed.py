"""Wall time and peak memory of `reviewbot pack` beside the peers, on the same trees.

Trees come from `bash /work/shared/bench/corpora.sh bench/corpora django linux` (each a git
repository with one change on `feature`). Peers are installed outside the project:

    npm install --prefix bench/corpora/.tools/repomix repomix
    python3 -m venv bench/corpora/.tools/peers-venv
    bench/corpora/.tools/peers-venv/bin/pip install gitingest files-to-prompt

Memory is sampled every 10 ms over the whole process tree, so helper processes (git, our
forked scan worker, node workers) count too: the peak of the summed PSS (pages shared after
a fork or by libraries split between the processes sharing them), and the peak RSS of the
largest single process (what `/usr/bin/time -v` reports).

    .venv/bin/python bench/pack_speed.py [--trees django linux] [--runs 3] [--timeout 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "bench" / "corpora"
TOOLS = CORPORA / ".tools"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float  # summed PSS of the process tree
    largest_mib: float  # RSS of the largest process
    status: str  # "ok", "exit N", "timeout"


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def _tree_memory(pid: int) -> tuple[int, int]:
    """(summed PSS, largest RSS) of ``pid`` and its descendants, in bytes.

    PSS splits pages shared between processes (after a fork, or shared libraries) among
    them, so the sum is the tree's real footprint; the largest RSS is what `time -v` shows.
    """
    kids = _children()
    pss, largest, stack = 0, 0, [pid]
    while stack:
        p = stack.pop()
        stack.extend(kids.get(p, ()))
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                    elif line.startswith("Rss:"):
                        largest = max(largest, int(line.split()[1]) * 1024)
        except OSError:
            pass
    return pss, largest


def measure(argv: list[str], cwd: Path, timeout: float, stdout: Path) -> Run:
    with stdout.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        peak = largest = 0
        status = "ok"
        while proc.poll() is None:
            tree, one = _tree_memory(proc.pid)
            peak, largest = max(peak, tree), max(largest, one)
            if time.perf_counter() - started > timeout:
                proc.kill()
                status = "timeout"
                break
            time.sleep(0.01)
        proc.wait()
        seconds = time.perf_counter() - started
    if status == "ok" and proc.returncode != 0:
        status = f"exit {proc.returncode}"
    return Run(seconds, peak / 2**20, largest / 2**20, status)


def commands(out: Path, budget: int) -> dict[str, list[str] | None]:
    venv = TOOLS / "peers-venv" / "bin"
    repomix = TOOLS / "repomix" / "node_modules" / ".bin" / "repomix"
    return {
        "reviewbot pack (ranked, 256K filled)": [
            str(ROOT / ".venv" / "bin" / "reviewbot"),
            "pack",
            "--base",
            "main",
            "--budget",
            str(budget),
            "--format",
            "markdown",
            "-o",
            str(out / "reviewbot.md"),
        ],
        "files-to-prompt (no ranking)": [str(venv / "files-to-prompt"), "."]
        if (venv / "files-to-prompt").exists()
        else None,
        "repomix": [str(repomix), "--output", str(out / "repomix.xml"), "--quiet"]
        if repomix.exists()
        else None,
        "gitingest": [str(venv / "gitingest"), ".", "--output", str(out / "gitingest.txt")]
        if (venv / "gitingest").exists()
        else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trees", nargs="+", default=["django", "linux"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--budget", type=int, default=262_144)
    parser.add_argument("--only", nargs="*", help="tool names to run (prefix match)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="pack-speed-") as tmp:
        out = Path(tmp)
        for tree in args.trees:
            cwd = CORPORA / tree
            if not (cwd / ".git").exists():
                print(f"{tree}: missing; run bash /work/shared/bench/corpora.sh {CORPORA} {tree}")
                continue
            for name, argv_ in commands(out, args.budget).items():
                if argv_ is None or (args.only and not any(name.startswith(o) for o in args.only)):
                    continue
                runs = 1 if tree == "linux" and not name.startswith("reviewbot") else args.runs
                got = [measure(argv_, cwd, args.timeout, out / "stdout") for _ in range(runs)]
                ok = [r for r in got if r.status == "ok"] or got
                row = (
                    tree,
                    name,
                    statistics.median(r.seconds for r in ok),
                    max(r.peak_mib for r in ok),
                    max(r.largest_mib for r in ok),
                    ok[0].status,
                    len(got),
                )
                rows.append(row)
                print(
                    f"{tree:8} {name:40} {row[2]:8.2f} s {row[3]:6.0f} MiB {row[4]:6.0f} MiB "
                    f"{row[5]} (n={len(got)})",
                    flush=True,
                )
    print(
        "\n| tree | tool | wall (median) | peak memory, tree PSS | largest process RSS | status |"
    )
    print("|---|---|---|---|---|---|")
    for tree, name, seconds, peak, largest, status, n in rows:
        print(
            f"| {tree} | {name} | {seconds:.2f} s | {peak:.0f} MiB | {largest:.0f} MiB "
            f"| {status} (n={n}) |"
        )
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (2 cores)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
