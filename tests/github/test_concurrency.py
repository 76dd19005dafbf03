"""Two runs on one pull request: the pending-review lock, stale holds, and what a run reads
again right before it posts."""

from __future__ import annotations

import re
import time
from typing import Any

from reviewbot.github.api import GitHubApi
from reviewbot.github.body import Marker, parse_marker
from reviewbot.github.connection import ApiConfig
from tests.fakes.k2_server import FakeCall, Fault, Turn
from tests.github.conftest import NAME, NUMBER, OWNER, TOKEN, Bench, comment, review_script

BOT = "github-actions[bot]"
TWO = [
    comment("app/cache.py", 10, "Unpacking hides a KeyError"),
    comment("app/cache.py", 11, "Clock read on every get call", severity="minor"),
]


def hold(run: str, at: float, attempt: int = 1) -> str:
    return f"<!-- reviewbot:hold run={run} attempt={attempt} at={int(at)} id=0123abcd -->"


def seed_pending(bench: Bench, body: str) -> int:
    """A pending review of the bot's (the token's user) holding one comment."""
    spec = {"path": "app/cache.py", "line": 13, "side": "RIGHT", "body": "left behind"}
    return bench.server.add_review(OWNER, NAME, NUMBER, author=BOT, event=None, body=body,
                                   comments=[spec], commit_id=bench.head)  # fmt: skip


def posted_prints(bench: Bench) -> list[str]:
    return [
        m.fingerprint
        for c in bench.comments()
        if (m := parse_marker(c["body"])) is not None and m.kind == "finding"
    ]


def contention_refusals(bench: Bench) -> int:
    return sum(
        1
        for r in bench.server.requests
        if r.method == "POST" and r.path.endswith("/reviews") and r.status == 422
    )


def reactive(body: dict[str, Any]) -> Turn:
    """One model for any number of interleaved conversations: comment, then finish."""
    if body["messages"][-1]["role"] == "tool":
        return Turn(reasoning="Done.", tool_calls=[FakeCall("finish_review", {"summary": "ok"})])
    return Turn(reasoning="Reporting.", tool_calls=TWO)


def test_a_run_that_finds_the_lock_held_waits_then_posts_nothing(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script([reactive] * 4)
    bench.k2.inject(Fault.stall(3, after_chunks=1, count=2, resume=True))
    slow = {"REVIEWBOT_GITHUB_BACKOFF": "1", "REVIEWBOT_GITHUB_LOCK_STALE": "60"}
    procs = [
        bench.start(event, "first", {**slow, "GITHUB_RUN_ID": "101"}),
        bench.start(event, "second", {**slow, "GITHUB_RUN_ID": "102"}),
    ]
    deadline = time.monotonic() + 60
    while len(bench.k2.requests) < 2:  # both runs sit in their first model call
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.02)
    # Whichever run takes the lock first is slow to read what is posted (a 502, 1 s backoff):
    # the other one meets its pending review.
    bench.server.inject("GET", r"/pulls/\d+/comments$", 502)
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    (review,) = bench.reviews()
    marker = parse_marker(review["body"])
    assert marker is not None and marker.final and len(review["comments"]) == 2
    assert len(posted_prints(bench)) == len(set(posted_prints(bench))) == 2
    assert contention_refusals(bench) >= 1
    errs = {run: err for run, (_, err) in zip(("101", "102"), results, strict=True)}
    (waiting,) = [run for run, err in errs.items() if "is posting on #2; waiting for it" in err]
    holding = "102" if waiting == "101" else "101"
    waiter, holder = errs[waiting], errs[holding]
    assert f"another reviewbot run (workflow run {holding}) is posting" in waiter
    assert f"another run posted its review of {bench.head[:12]} meanwhile" in waiter
    assert "posted 0 inline comment(s) and 0 in the body (2 already there)" in waiter
    assert "listing the review comments of #2 failed (502)" in holder
    assert "posted 2 inline comment(s)" in holder
    for text in errs.values():
        assert "Traceback" not in text and "taking over" not in text


def test_a_stale_pending_review_is_taken_over(bench: Bench) -> None:
    event = bench.seed()
    seed_pending(bench, hold("77", time.time() - 3600))
    bench.k2.script(review_script(TWO))
    run = bench.run(event)
    assert run.code == 0, run.stderr
    assert re.search(r"taking over a pending review left 36\d\d s ago by workflow run 77\n",
                     run.stderr)  # fmt: skip
    assert "waiting" not in run.stderr
    (review,) = bench.reviews()  # the stale one is gone, with its comment
    assert review["state"] == "COMMENTED" and len(bench.comments()) == 2


def test_a_pending_review_of_an_earlier_attempt_is_taken_over_at_once(bench: Bench) -> None:
    event = bench.seed()
    seed_pending(bench, hold("555", time.time(), attempt=1))
    bench.k2.script(review_script(TWO))
    run = bench.run(event, env={"GITHUB_RUN_ID": "555", "GITHUB_RUN_ATTEMPT": "2",
                                "REVIEWBOT_GITHUB_LOCK_STALE": "600"})  # fmt: skip
    assert run.code == 0, run.stderr
    assert "taking over a pending review left by attempt 1 of this workflow run" in run.stderr
    assert "waiting" not in run.stderr
    assert len(bench.reviews()) == 1 and len(bench.comments()) == 2


def test_a_fresh_hold_of_a_dead_run_is_waited_for_then_taken_over(bench: Bench) -> None:
    event = bench.seed()

    def dies_holding_the_lock(body: dict[str, Any]) -> Turn:
        seed_pending(bench, hold("888", time.time()))  # just before this run posts
        return Turn(reasoning="Reporting.", tool_calls=TWO)

    bench.k2.script([dies_holding_the_lock, *review_script(summary="ok")])
    # 3 s, not 1: the hold's second is truncated, and on a loaded machine a hold of age
    # under 1 s by the test's clock could already be stale when the run first looks.
    run = bench.run(event, env={"REVIEWBOT_GITHUB_LOCK_STALE": "3"})
    assert run.code == 0, run.stderr
    assert "another reviewbot run (workflow run 888) is posting on #2; waiting" in run.stderr
    assert "by workflow run 888" in run.stderr and "taking over a pending review left" in run.stderr
    assert len(bench.reviews()) == 1 and len(bench.comments()) == 2


def test_someone_elses_pending_review_is_left_alone_and_the_run_says_why(bench: Bench) -> None:
    event = bench.seed()
    draft = seed_pending(bench, "A draft I am still writing.")
    bench.k2.script(review_script(TWO))
    run = bench.run(event)
    assert run.code == 3
    last = run.stderr.strip().splitlines()[-1]
    assert "pending review on #2 that reviewbot did not make" in last
    assert "submit or delete that pending review" in last
    (pending,) = bench.reviews()
    assert pending["id"] == draft and pending["body"] == "A draft I am still writing."
    config = ApiConfig(base_url=bench.server.url, token=TOKEN)
    with GitHubApi(config) as api:  # (the bench checks that nothing is left pending)
        api.delete_pending_review(f"{OWNER}/{NAME}", NUMBER, draft)


def another_run_posts(bench: Bench, *, final: bool) -> Any:
    """A model turn that, while this run reviews, has another run post the first finding
    (as a complete review of the head, or as part 1 of 2)."""

    def turn(body: dict[str, Any]) -> Turn:
        marker = Marker("review", bench.head, batch="other", part=1, parts=1 if final else 2)
        finding = f"<!-- reviewbot:finding fp=0f0f head={bench.head} sev=major -->\n"
        spec = {"path": "app/cache.py", "line": 10, "side": "RIGHT",
                "body": finding + "**major: Unpacking hides a KeyError**\n"}  # fmt: skip
        bench.server.add_review(OWNER, NAME, NUMBER, author=BOT, body=marker.render() + "\nx",
                                comments=[spec], commit_id=bench.head)  # fmt: skip
        return Turn(reasoning="Reporting.", tool_calls=TWO)

    return turn


def test_a_review_of_the_head_posted_meanwhile_ends_the_run(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script([another_run_posts(bench, final=True), *review_script(summary="ok")])
    run = bench.run(event)
    assert run.code == 0, run.stderr
    (theirs,) = bench.reviews()
    assert len(bench.comments()) == 1
    assert f"another run posted its review of {bench.head[:12]} meanwhile" in run.stderr
    assert run.outputs["review-url"] == theirs["html_url"]
    assert run.outputs["new-findings"] == "0" and run.outputs["findings"] == "2"


def test_findings_posted_meanwhile_are_not_posted_again(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script([another_run_posts(bench, final=False), *review_script(summary="ok")])
    run = bench.run(event)
    assert run.code == 0, run.stderr
    _, ours = bench.reviews()
    assert [c["line"] for c in ours["comments"]] == [11]  # line 10 was posted meanwhile
    assert "1 already reported earlier" in ours["body"]
    assert run.outputs["new-findings"] == "1"
    # Planned from what was there before the model ran, held, read again: line 10 is there
    # now, so that pending review is deleted and one without it is held and submitted.
    posts = [r for r in bench.server.requests if r.method == "POST" and "/reviews" in r.path]
    assert [(r.path.endswith("/events"), r.status) for r in posts] == [
        (False, 200), (False, 200), (True, 200),
    ]  # fmt: skip
    assert [len(r.body["comments"]) for r in posts[:2]] == [2, 1]
    assert sum(1 for r in bench.server.requests if r.method == "DELETE") == 1


def test_a_normal_run_holds_the_lock_once_and_reads_again_before_submitting(
    bench: Bench,
) -> None:
    event = bench.seed()
    bench.k2.script(review_script(TWO))
    run = bench.run(event)
    assert run.code == 0, run.stderr
    (review,) = bench.reviews()
    assert len(review["comments"]) == 2
    calls = [(r.method, r.path.split("/pulls/2")[-1] or r.path, r.status)
             for r in bench.server.requests]  # fmt: skip
    pending = calls.index(("POST", "/reviews", 200))
    assert calls[pending + 1 :] == [
        ("GET", "/comments", 200),
        ("GET", "/reviews", 200),
        ("POST", "/graphql", 200),
        ("POST", f"/reviews/{review['id']}/events", 200),
    ]
    assert not any(r.method == "DELETE" for r in bench.server.requests)
    assert bench.server.violations == []
