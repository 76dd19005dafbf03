"""`reviewbot github` on a newly opened pull request, then run again on the same head."""

from __future__ import annotations

import re

from reviewbot.github.body import parse_marker
from reviewbot.review.sanitize import ZWSP
from tests.github.conftest import API_KEY, TOKEN, Bench, comment, review_script

SUGGESTION = "        if time.time() - stamp > self.ttl:\n            del self.items[key]\n"


def first_script() -> list[object]:
    return review_script(
        [
            comment(
                "app/cache.py", 11, "Expired entries are never evicted", end_line=12,
                body=f"Ask @alice; see https://evil.example/x and {API_KEY}.",
                suggestion=SUGGESTION,
            ),
            comment("app/cache.py", 16, "put() ignores the ttl argument", severity="minor"),
        ],
        summary="Adds expiry. ::set-output name=x::1 @bob",
    )  # fmt: skip


def test_first_review_posts_one_review_with_inline_comments(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(first_script())
    run = bench.run(event)
    assert run.code == 0, run.stderr  # major < fail_on critical
    (review,) = bench.reviews()
    assert review["state"] == "COMMENTED" and review["commit_id"] == bench.head
    marker = parse_marker(review["body"])
    assert marker is not None and marker.final and marker.head == bench.head
    assert marker.total == 2 and marker.highest == "major" and marker.carried == ()
    assert "Adds expiry." in review["body"]
    assert (
        "| major | `app/cache.py:11-12` (inline) | Expired entries are never evicted |"
        in review["body"]
    )
    assert re.search(r"tokens: [\d,]+ input \(\d+% cached\)", review["body"])
    assert "cost: $" in review["body"]
    ranged, single = review["comments"]
    assert (ranged["path"], ranged["start_line"], ranged["line"], ranged["side"]) == (
        "app/cache.py", 11, 12, "RIGHT",
    )  # fmt: skip
    assert single["line"] == 16 and single["start_line"] is None
    assert f"```suggestion\n{SUGGESTION.rstrip()}\n```" in ranged["body"]
    fingerprints = {parse_marker(c["body"]).fingerprint for c in (ranged, single)}  # type: ignore[union-attr]
    assert len(fingerprints) == 2 and "" not in fingerprints
    # Model text is neutralised before it is posted.
    assert f"@{ZWSP}alice" in ranged["body"] and "hxxps://evil[.]example/x" in ranged["body"]
    assert API_KEY not in review["body"] + ranged["body"] and "[REDACTED]" in ranged["body"]
    assert f"@{ZWSP}bob" in review["body"]
    # Outputs and step summary.
    assert run.outputs["findings"] == "2" and run.outputs["new-findings"] == "2"
    assert run.outputs["highest-severity"] == "major"
    assert run.outputs["review-url"] == review["html_url"]
    assert float(run.outputs["cost-usd"]) > 0 and run.outputs["skipped"] == ""
    assert "Reviewed #2" in run.summary and "Expired entries are never evicted" in run.summary
    # Nothing secret in the log, and the log cannot carry workflow commands.
    for text in (run.stdout, run.stderr):
        assert API_KEY not in text and TOKEN not in text
        assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    # The model saw the PR's diff as GitHub shows it, and the PR's title.
    task = bench.k2.requests[0]["messages"][-1]["content"]
    assert "if time.time() - stamp > self.ttl:" in task and '"Update the README' in task


def test_rerun_on_the_same_head_posts_nothing(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(first_script())
    assert bench.run(event).code == 0
    before = (len(bench.reviews()), len(bench.comments()), len(bench.k2.requests))
    again = bench.run(event, "--fail-on", "major")
    assert again.code == 1, again.stderr  # the open major finding still fails the job
    assert (len(bench.reviews()), len(bench.comments()), len(bench.k2.requests)) == before
    assert "reviewed already" in again.summary and again.outputs["highest-severity"] == "major"
    assert again.outputs["review-url"] == bench.reviews()[0]["html_url"]


def test_fail_on_major_exits_1(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(first_script())
    run = bench.run(event, "--fail-on", "major")
    assert run.code == 1 and len(bench.reviews()) == 1
