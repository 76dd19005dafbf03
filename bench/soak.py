"""Soak figures: a long scripted `reviewbot review` session and an audit of thousands of
files, end to end, with their memory.

Both run the real CLI as a process against the loopback K2-compatible server. The review:
a generated repository of 60 modules; one different tool call a step, a finding half-way,
finish on the last step, a 128K context window so the context guard hides old tool
outputs. The audit: a generated repository of 5,000 modules, 16,000 budget tokens a unit,
a stateless auditor that flags the planted `eval(` lines. Printed: steps or units, wall
time, the process's resident set size at the first request and along the way, its peak
(``wait4``), the transcript's size and the run's notes.

    python bench/soak.py [--steps 300] [--files 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.soak.scenario import run_audit_soak, run_soak  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewbot-soak-") as tmp:
        review = run_soak(Path(tmp) / "review", args.steps)
    print(f"reviewbot review soak ({args.steps} steps)")
    for line in review.lines():
        print("  " + line)
    with tempfile.TemporaryDirectory(prefix="reviewbot-soak-") as tmp:
        audit = run_audit_soak(Path(tmp), args.files)
    print(f"reviewbot audit soak ({args.files} files)")
    for line in audit.lines():
        print("  " + line)
    if review.exit_code != 0 or audit.exit_code not in (0, 1):
        print(review.stderr + audit.stderr, file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
