"""Prefix caching over a scripted 20-request review with its verification pass.

Runs the real pipeline (pack -> prompt -> agent loop with the real tools and client ->
verification) on a real repository against the loopback K2-compatible server, which bills
cached tokens as providers' prefix caching does: the request laid out tools first, then
messages, and the longest prefix it shares with an earlier request counted as cached (in
whole blocks of ``--block`` tokens). The scripted model reads (alone and in parallel),
files two findings on lines of the diff, finishes, then verifies both (one confirmed, one
refuted) and finishes again. Prints the cached share of each request; the target is at
least 90 % on every request from the second on (exit 1 when missed, or when
the tool declarations differ between requests).

    python bench/cache_share.py [REPO] [--base REF] [--requests 20] [--block 16]

REPO defaults to this project's checkout; the base defaults to HEAD~3.
"""

from __future__ import annotations

import argparse
import json
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
from reviewbot.repo import ChangeSet, RepoView, changeset_from_git, resolve_range  # noqa: E402
from tests.fakes.k2_server import FakeCall, K2Server, Turn  # noqa: E402

TARGET = 0.90


def added_lines(changes: ChangeSet) -> list[tuple[str, int]]:
    """(path, new line) of added lines, one per hunk first: where findings can go."""
    firsts, rest = [], []
    for f in changes.files:
        for hunk in f.hunks:
            lines = [(f.path, line.new) for line in hunk.lines if line.kind == "+" and line.new]
            firsts += lines[:1]
            rest += lines[1:]
    return firsts + rest


def turn(*calls: FakeCall, thinking: int = 400) -> Turn:
    return Turn(reasoning="Checking: " + "x" * thinking, tool_calls=list(calls))


def script(paths: dict[str, int], spots: list[tuple[str, int]], requests: int) -> list[Any]:
    """``requests`` turns: reading, two findings, finish; the pass: verdicts, finish.
    ``paths`` maps each file to read to its number of lines (reads start inside it)."""
    (p1, l1), (p2, l2) = spots[0], spots[min(1, len(spots) - 1)]
    finding = {"severity": "major", "body": "Explained.", "title": "Problem one"}
    review_tail = [
        turn(FakeCall("add_comment", {**finding, "path": p1, "line": l1,
                                      "evidence": f"{p1}:{l1}"})),
        turn(FakeCall("add_comment", {**finding, "path": p2, "line": l2, "title": "Problem two",
                                      "evidence": f"{p2}:{l2}"})),
        turn(FakeCall("finish_review", {"summary": "Two findings."})),
    ]  # fmt: skip
    verify = [
        turn(FakeCall("read_file", {"path": p1, "start_line": max(l1 - 5, 1)})),
        turn(FakeCall("verify_finding", {"id": "F1", "verdict": "confirm",
                                         "evidence": f"{p1}:{l1}", "reason": "It holds."})),
        turn(FakeCall("verify_finding", {"id": "F2", "verdict": "refute",
                                         "evidence": f"{p2}:{l2}", "reason": "Handled."})),
        turn(FakeCall("finish_review", {"summary": "One finding."})),
    ]  # fmt: skip
    reading: list[Any] = []
    for i in range(max(requests - len(review_tail) - len(verify), 0)):
        path = list(paths)[i % len(paths)]
        if i % 4 == 0:
            start = 1 + (40 * (i // 4)) % max(paths[path], 1)
            calls = [FakeCall("read_file", {"path": path, "start_line": start})]
        elif i % 4 == 1:
            calls = [FakeCall("search_code", {"pattern": f"def \\w+{i}?", "path_glob": "*.py"}),
                     FakeCall("git_log", {"path": path, "max_count": 5})]  # fmt: skip
        elif i % 4 == 2:
            calls = [FakeCall("read_base_file", {"path": path})]
        else:
            calls = [FakeCall("list_files", {"pattern": f"*{i}*"})]
        reading.append(turn(*calls))
    return [*reading, *review_tail, *verify]


def _verifying(request: dict[str, Any]) -> bool:
    """Whether the request carries the verification pass's instructions."""
    return any(
        m["role"] == "user" and str(m.get("content", "")).startswith("Verification pass")
        for m in request["messages"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?", default=str(ROOT))
    parser.add_argument("--base", default="HEAD~3")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--block", type=int, default=16, help="cache block, in tokens")
    args = parser.parse_args()
    root = Path(args.repo)
    settings = load_settings(root=None, env={}, flags={"max_cost": 0.0, "verify": True})
    changes = changeset_from_git(root, resolve_range(root, args.base))
    spots = added_lines(changes)
    if not spots:
        raise SystemExit(f"{args.base}..HEAD adds no line to comment on; pick another --base")
    view = RepoView(root, changes.head)
    plan = plan_review(settings, root=root, changes=changes, view=view, repository=root.name)
    server = K2Server(cache_block=args.block).start()
    try:
        # Files in both versions: the script reads each at the head and at the base.
        readable = [f.path for f in changes.files if f.status == "modified" and not f.binary]
        paths = {p: view.read(p, 1, 1).total_lines for p in readable or ["README.md"]}
        server.script(script(paths, spots, args.requests))
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
    usages, shares = server.usages, server.cached_shares
    # The whole declarations (names, descriptions, schemas), as the provider renders them.
    tools = {json.dumps(r["tools"], sort_keys=True) for r in server.requests}
    same = "the same tools in every request" if len(tools) == 1 else "TOOLS CHANGED"
    first_check = next((i for i, r in enumerate(server.requests, start=1) if _verifying(r)), None)
    print(f"repository {root} {args.base}..HEAD: {len(changes.files)} changed files, "
          f"pack {plan.pack.used:,} tokens; {args.block}-token cache blocks; {same}")  # fmt: skip
    print(f"{'request':>7} {'input':>9} {'cached':>9} {'share':>6}")
    for i, (u, share) in enumerate(zip(usages, shares, strict=True), start=1):
        mark = "  <- first request of the verification pass" if i == first_check else ""
        print(f"{i:>7} {u['prompt_tokens']:>9,} {share * u['prompt_tokens']:>9,.0f} "
              f"{share:>6.1%}{mark}")  # fmt: skip
    later = shares[1:]
    sent = sum(u["prompt_tokens"] for u in usages)
    overall = sum(s * u["prompt_tokens"] for s, u in zip(shares, usages, strict=True)) / sent
    verdicts = [f.verdict.verdict if f.verdict else "-" for f in result.findings]
    print(f"requests: {len(usages)}; lowest share from request 2 on: {min(later):.1%} "
          f"(target {TARGET:.0%}: {'met' if min(later) >= TARGET else 'MISSED'}); "
          f"over all requests: {overall:.1%}")  # fmt: skip
    print(
        f"steps {result.stats.steps}, findings kept {len(result.findings)} {verdicts}, "
        f"cost ${result.stats.cost_usd:.4f} at K2 list prices; notes: {list(result.notes)}"
    )
    if min(later) < TARGET or len(tools) != 1:
        raise SystemExit(1)  # a failed measurement is an exit code, for scripts and CI


if __name__ == "__main__":
    main()
