"""Time `reviewbot audit --plan` on a big tree: wall-clock seconds and peak memory.

    python bench/audit_plan.py PATH [--repeat N] [--budget TOKENS]

PATH is a git repository (``/work/shared/bench/corpora.sh DIR linux`` builds the Linux
tree). Each run is the real command in a fresh process (``python -m reviewbot audit
--plan --format json``), so the figures include start-up, listing, the content scan, git
history, grouping and writing the plan. Peak memory is the child's maximum resident set
size. No model is called and no API key is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(root: Path, budget: int | None, out: Path) -> tuple[float, int]:
    """(seconds, peak RSS in MiB) of one `audit --plan` process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWBOT_")}
    if budget:
        env["REVIEWBOT_BUDGET"] = str(budget)
    command = [sys.executable, "-m", "reviewbot", "audit", "--plan", "--format", "json"]
    start = time.perf_counter()
    child = subprocess.Popen([*command, "-o", str(out)], cwd=root, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"audit --plan failed in {root}")
    return seconds, usage.ru_maxrss // 1024  # KiB on Linux


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=int, default=0, help="tokens a unit session")
    args = parser.parse_args(argv)
    root: Path = args.path.resolve()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "plan.json"
        runs = [one_run(root, args.budget or None, out) for _ in range(args.repeat)]
        plan = json.loads(out.read_text())
    seconds = [s for s, _ in runs]
    memory = max(m for _, m in runs)
    files = sum(len(u["files"]) for u in plan["units"])
    tokens = sum(u["tokens"] for u in plan["units"])
    print(f"tree: {root}")
    each = ", ".join(f"{s:.1f}" for s in seconds)
    print(f"runs: {each} s; median {statistics.median(seconds):.1f} s")
    print(f"peak memory (max RSS of the process): {memory:,} MiB")
    print(
        f"plan: {len(plan['units']):,} units, {files:,} files audited, {len(plan['skipped']):,} "
        f"skipped, ~{tokens:,} tokens, estimated ${plan['estimated_cost_usd']:,.2f}, "
        f"{plan['history_commits']:,} commits of history"
    )
    top = plan["units"][0]
    print(f"riskiest unit: {top['label']} (risk {top['risk']}, {len(top['files'])} files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
