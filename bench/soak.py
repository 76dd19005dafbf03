"""Soak figures: a long scripted `reviewbot review` session (and its memory), end to end.

Runs the real CLI as a process against the loopback K2-compatible server on a generated
repository of 60 modules: one different tool call a step, a finding half-way, finish on
the last step, a 128K context window so the context guard hides old tool outputs. Prints
the steps, wall time, the process's resident set size at the first request, every 50th
and the last, its peak, the transcript's size and the run's notes.

    python bench/soak.py [--steps 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.soak.scenario import run_soak  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewbot-soak-") as tmp:
        figures = run_soak(Path(tmp), args.steps)
    print(f"reviewbot review soak ({args.steps} steps)")
    for line in figures.lines():
        print("  " + line)
    if figures.exit_code != 0:
        print(figures.stderr, file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
