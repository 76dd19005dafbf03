"""How much a review's conversation grows per turn: the reserve beside the packed context.

Runs reviewbot's own reading tools (with their output caps) on a repository: ``read_file``
of up to 400 source files, ``git_log`` of 60 and ``search_code`` for common words, and
counts each output's tokens (o200k). A turn keeps its reasoning (sent back every turn) and
adds its tool outputs, so the reserve for a review of ``--turns`` turns is about
``turns × (median tool output + reasoning kept per turn)``. Reasoning is not measured here
(no model runs offline); ``--reasoning`` is the assumption, 1,500 tokens by default.

    python bench/headroom.py REPO [REPO ...] [--turns 20] [--reasoning 1500]

Measured on reviewbot, httpx, ripgrep and zod (20,000-character output cap): median
read_file 1.0K-2.6K tokens, p90 3.7K-4.9K, max 7.2K; git_log median 0.2K-1.8K; search_code
median 1.6K-3.0K. The defaults (``REVIEW_TURNS`` = 20, ``GROWTH_PER_TURN`` = 4,096 in
reviewbot/config.py) cover the largest median read plus the reasoning. See
docs/model-contract.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewbot.agent.exceptions import ToolArgumentError  # noqa: E402
from reviewbot.agent.reading import ReadingTools  # noqa: E402
from reviewbot.config import GROWTH_PER_TURN, REVIEW_TURNS  # noqa: E402
from reviewbot.pack.tokens import TokenCounter  # noqa: E402
from reviewbot.repo import RepoView  # noqa: E402

SOURCE = (".py", ".go", ".rs", ".js", ".ts", ".tsx", ".c", ".h", ".java", ".rb", ".kt")
WORDS = ("TODO", "def ", "return", "error", "import", "class ", "test")


def newest_commit(root: Path) -> str:
    out = subprocess.run(
        ["git", "-C", str(root), "for-each-ref", "--count=1", "--sort=-committerdate",
         "--format=%(objectname)", "refs/heads"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return out or "HEAD"


def quantile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0


def measure(root: Path) -> dict[str, list[int]]:
    count = TokenCounter().start().count
    out: dict[str, list[int]] = {"read_file": [], "git_log": [], "search_code": []}
    with RepoView(root, newest_commit(root)) as view:
        tools = ReadingTools(view)
        files = [e.path for e in view.tracked_files() if e.path.endswith(SOURCE)][:400]
        for path in files:
            try:
                out["read_file"].append(count(tools.read_file(path)))
            except ToolArgumentError:
                continue
        out["git_log"] = [count(tools.git_log(path)) for path in files[:60]]
        out["search_code"] = [count(tools.search_code(word)) for word in WORDS]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--turns", type=int, default=REVIEW_TURNS)
    parser.add_argument("--reasoning", type=int, default=1_500, help="tokens kept per turn")
    args = parser.parse_args()
    medians = []
    print(f"{'repository':<24} {'tool':<12} {'n':>4} {'p50':>6} {'p90':>6} {'max':>6}")
    for root in args.repos:
        name = root.resolve().name
        for tool, sizes in measure(root).items():
            print(f"{name:<24} {tool:<12} {len(sizes):>4} {quantile(sizes, 0.5):>6,} "
                  f"{quantile(sizes, 0.9):>6,} {max(sizes, default=0):>6,}")  # fmt: skip
            if tool == "read_file":
                medians.append(quantile(sizes, 0.5))
    per_turn = max(medians) + args.reasoning
    print(
        f"growth per turn: largest median read {max(medians):,} + reasoning {args.reasoning:,}"
        f" = {per_turn:,} tokens; {args.turns} turns need {args.turns * per_turn:,}; "
        f"configured: {REVIEW_TURNS} x {GROWTH_PER_TURN:,} = {REVIEW_TURNS * GROWTH_PER_TURN:,}"
    )


if __name__ == "__main__":
    main()
