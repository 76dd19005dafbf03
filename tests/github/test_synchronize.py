"""A push to a reviewed pull request: only what changed is reviewed, findings already posted
are not repeated, and threads of findings that are gone are resolved."""

from __future__ import annotations

from typing import Any

import pytest

from reviewbot.github.body import parse_marker
from tests.fakes.github_files import files_from_git_diff
from tests.fakes.k2_server import FakeCall, Turn
from tests.github.conftest import CACHE_AFTER, NAME, NUMBER, OWNER, Bench, comment, review_script

FIXED = CACHE_AFTER.replace(
    "            return None\n", "            del self.items[key]\n            return None\n"
) + "\n    def size(self):\n        return len(self.items) + 1\n"  # fmt: skip

EVICT = "Expired entries are never evicted"
TTL = "put() ignores the ttl argument"
SIZE = "size() is off by one"


def push_fix(bench: Bench) -> tuple[str, dict[str, Any]]:
    """Commit the fix of EVICT plus a new bug, push it to the fake; the synchronize event."""
    old_head = bench.head
    bench.repo.write("app/cache.py", FIXED)
    bench.head = bench.repo.commit("cache: evict expired entries; size()")
    bench.server.push(
        OWNER, NAME, NUMBER, bench.head, files=files_from_git_diff(bench.diff),
        changed_lines={"app/cache.py": [12, 13]},
    )  # fmt: skip
    event = bench.event("pull_request.synchronize.1")
    event["before"] = old_head
    return old_head, event


def incremental_turn(old_head: str) -> Any:
    def turn(request: dict[str, Any]) -> Turn:
        task = request["messages"][-1]["content"]
        notes = request["messages"][-2]["content"]  # reviewbot's notes: a message of their own
        assert f"reviewed at {old_head[:12]}" in notes  # told it is incremental
        assert "del self.items[key]" in task and "def size(self):" in task
        assert f"app/cache.py:12 {EVICT}" in notes  # and what was already reported
        return Turn(
            reasoning="Only the new commit.",
            tool_calls=[
                comment("app/cache.py", 20, SIZE),
                comment("app/cache.py", 17, TTL, severity="minor"),  # again, lines moved
            ],
        )

    return turn


@pytest.mark.parametrize("resolve", [True, False])
def test_synchronize_reviews_the_new_commit_only(bench: Bench, resolve: bool) -> None:
    event = bench.seed()
    first = [comment("app/cache.py", 12, EVICT), comment("app/cache.py", 16, TTL, severity="minor")]
    bench.k2.script(review_script(first))
    assert bench.run(event).code == 0
    first_review = bench.reviews()[0]
    old_head, sync = push_fix(bench)
    bench.k2.script(
        [
            incremental_turn(old_head),
            Turn(tool_calls=[FakeCall("finish_review", {"summary": "ok"})]),
        ]
    )
    env = {"REVIEWBOT_GITHUB_RESOLVE_OUTDATED": "true" if resolve else "false"}
    run = bench.run(sync, env=env)
    assert run.code == 0, run.stderr
    earlier, second = bench.reviews()
    assert earlier == first_review | {"comments": earlier["comments"]}
    assert [c["line"] for c in second["comments"]] == [20]  # TTL is not posted again
    assert SIZE in second["comments"][0]["body"]
    marker = parse_marker(second["body"])
    assert marker is not None and marker.head == bench.head and marker.final
    assert f"changes since `{old_head[:12]}`" in second["body"]
    assert "1 already reported earlier" in second["body"]
    threads = {t["comment_ids"][0]: t for t in bench.threads()}
    evict, ttl = earlier["comments"]
    assert threads[evict["id"]]["isOutdated"] and not threads[ttl["id"]]["isOutdated"]
    assert threads[evict["id"]]["isResolved"] is resolve  # the fixed finding's thread
    assert not threads[ttl["id"]]["isResolved"]  # still there: left open
    assert run.outputs["findings"] == "2" and run.outputs["new-findings"] == "1"
    # A re-run on the new head posts nothing and calls no model.
    calls = len(bench.k2.requests)
    assert bench.run(sync).code == 0
    assert len(bench.reviews()) == 2 and len(bench.k2.requests) == calls


def test_force_push_reviews_the_whole_pull_request_again(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(review_script(comment("app/cache.py", 12, EVICT)))
    assert bench.run(event).code == 0
    bench.repo.git("reset", "--hard", bench.base)  # rewrite history: the old head is gone
    bench.repo.write("app/cache.py", FIXED)
    bench.head = bench.repo.commit("rewritten")
    bench.server.push(OWNER, NAME, NUMBER, bench.head, files=files_from_git_diff(bench.diff),
                      changed_lines={"app/cache.py": [12, 13]})  # fmt: skip
    bench.repo.git("reflog", "expire", "--expire=now", "--all")
    bench.repo.git("gc", "--prune=now", "--quiet")

    def whole(request: dict[str, Any]) -> Turn:
        task = request["messages"][-1]["content"]
        assert "incremental" not in task and "def put(self, key, value):" in task
        return Turn(tool_calls=[FakeCall("finish_review", {"summary": "Clean now."})])

    bench.k2.script([whole])
    run = bench.run(bench.event("pull_request.synchronize.1"))
    assert run.code == 0, run.stderr
    assert "is not in this clone" in run.stderr and "whole pull request" in run.stderr
    assert len(bench.reviews()) == 2 and bench.reviews()[1]["comments"] == []
    assert bench.threads()[0]["isResolved"]  # EVICT is gone, its thread outdated
