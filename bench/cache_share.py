"""Prefix caching over a scripted 20-turn review.

Runs the real pipeline (pack -> prompt -> agent loop with the real tools and client) on a
real repository against the loopback K2-compatible server, which reports cached tokens as
a prefix cache would (the longest common prefix with earlier requests). Prints the cached
share of input tokens per turn and from the second turn on.

    python bench/cache_share.py [REPO] [--base REF] [--turns 20]

REPO defaults to this project's checkout; the base defaults to HEAD~3.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewbot.config import load_settings  # noqa: E402
from reviewbot.llm.client import ChatClient, ClientConfig  # noqa: E402
from reviewbot.llm.providers import PROVIDERS  # noqa: E402
from reviewbot.pipeline.plan import plan_review  # noqa: E402
from reviewbot.pipeline.run import Execution, execute  # noqa: E402
from reviewbot.repo import RepoView, changeset_from_git, resolve_range  # noqa: E402
from tests.fakes.k2_server import FakeCall, K2Server, Turn  # noqa: E402


def script(paths: list[str], turns: int) -> list[Any]:
    out: list[Any] = []
    for i in range(turns - 1):
        path = paths[i % len(paths)]
        if i % 3 == 0:
            call = FakeCall("read_file", {"path": path, "start_line": 1 + 40 * (i // 3)})
        elif i % 3 == 1:
            call = FakeCall("search_code", {"pattern": f"def \\w+{i}?", "path_glob": "*.py"})
        else:
            call = FakeCall("git_log", {"path": path, "max_count": 5})
        out.append(Turn(reasoning=f"Checking step {i + 1}: " + "x" * 400, tool_calls=[call]))
    out.append(Turn(reasoning="Done.", tool_calls=[FakeCall("finish_review", {"summary": "ok"})]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?", default=str(ROOT))
    parser.add_argument("--base", default="HEAD~3")
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    root = Path(args.repo)
    settings = load_settings(root=None, env={}, flags={"verify": False, "max_cost": 0.0})
    changes = changeset_from_git(root, resolve_range(root, args.base))
    view = RepoView(root, changes.head)
    plan = plan_review(settings, root=root, changes=changes, view=view, repository=root.name)
    server = K2Server().start()
    try:
        server.script(script([f.path for f in changes.files] or ["README.md"], args.turns))
        client = ChatClient(
            ClientConfig(
                base_url=server.base_url,
                api_key="bench-key-000000",
                model="kimi-k2-thinking",
                provider=PROVIDERS["openai-compatible"],
            )
        )
        with tempfile.TemporaryDirectory() as tmp, client:
            result = execute(plan, settings, Execution(client=client, run_dir=Path(tmp)))
    finally:
        server.stop()
    usages = server.usages
    print(f"repository {root} {args.base}..HEAD: {len(changes.files)} changed files, "
          f"pack {plan.pack.used:,} tokens, first request ~{plan.prompt_tokens:,}")  # fmt: skip
    print(f"{'turn':>4} {'input':>9} {'cached':>9} {'share':>6}")
    for i, u in enumerate(usages, start=1):
        share = u["cached_tokens"] / u["prompt_tokens"]
        print(f"{i:>4} {u['prompt_tokens']:>9,} {u['cached_tokens']:>9,} {share:>6.1%}")
    later = usages[1:]
    total_in = sum(u["prompt_tokens"] for u in later)
    total_cached = sum(u["cached_tokens"] for u in later)
    every = sum(u["cached_tokens"] for u in usages) / sum(u["prompt_tokens"] for u in usages)
    print(f"turns: {len(usages)}; cached share from turn 2 on: {total_cached / total_in:.1%}; "
          f"over all turns: {every:.1%}; min per turn from turn 2: "
          f"{min(u['cached_tokens'] / u['prompt_tokens'] for u in later):.1%}")  # fmt: skip
    print(f"steps {result.stats.steps}, cost ${result.stats.cost_usd:.4f} at K2 list prices")


if __name__ == "__main__":
    main()
