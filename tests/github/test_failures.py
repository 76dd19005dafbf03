"""When GitHub or the model fails: refused comments, rate limits, a dead model, a crash
between saving the findings and posting them."""

from __future__ import annotations

import json

from reviewbot.github.body import parse_marker
from tests.fakes.github_server import SECONDARY_LIMIT
from tests.fakes.k2_server import Fault
from tests.github.conftest import Bench, comment, review_script

REVIEWS = r"/pulls/\d+/reviews$"
UNRESOLVED = {
    "message": "Unprocessable Entity",
    "errors": ["Line could not be resolved"],
    "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
    "status": "422",
}
FOUR = [
    comment("app/cache.py", 10, "Unpacking hides a KeyError"),
    comment("app/cache.py", 11, "Clock read on every get call", severity="minor"),
    comment("app/cache.py", 13, "Return type differs by branch", severity="minor"),
    comment("app/cache.py", 16, "Stored tuple order is implicit", severity="nit"),
]


def test_a_refused_comment_is_bisected_and_moved_to_the_body(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(review_script(FOUR))
    # GitHub refuses the first comment (as if its line had moved): the review, then the
    # probes holding that comment, answer 422; everything else is accepted.
    bench.server.inject("POST", REVIEWS, 422, times=3, body=UNRESOLVED)
    inline_nits = {"REVIEWBOT_INLINE_MIN_SEVERITY": "nit"}  # all four inline: bisect four
    run = bench.run(event, env=inline_nits)
    assert run.code == 0, run.stderr
    (review,) = bench.reviews()  # probes were pending reviews, deleted again
    assert review["state"] == "COMMENTED"
    assert [c["line"] for c in review["comments"]] == [11, 13, 16]
    assert "#### Not on a line of the diff (1)" in review["body"]
    assert "**major: Unpacking hides a KeyError**" in review["body"]
    marker = parse_marker(review["body"])
    assert marker is not None and len(marker.carried) == 1
    posts = [r for r in bench.server.requests if r.method == "POST" and r.path.endswith("/reviews")]
    # Every review starts pending (the lock): the review, 3 probes, the review again.
    assert [r.status for r in posts] == [422, 422, 422, 200, 200, 200]
    assert not any("event" in (r.body or {}) for r in posts)
    submits = [r for r in bench.server.requests if r.path.endswith("/events")]
    assert [(r.status, r.body["event"]) for r in submits] == [(200, "COMMENT")]
    deletes = [r for r in bench.server.requests if r.method == "DELETE"]
    assert len(deletes) == 2 and all(r.status == 200 for r in deletes)
    assert "finding the bad comments" in run.stderr
    # A re-run posts nothing: the finding in the body is known by its fingerprint.
    assert bench.run(event, env=inline_nits).code == 0 and len(bench.reviews()) == 1


def test_secondary_rate_limits_are_waited_out(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(review_script(FOUR[:1]))
    bench.server.inject_secondary_rate_limit("GET", r"/pulls/\d+/files$", retry_after=None,
                                             status=429)  # fmt: skip
    bench.server.inject_secondary_rate_limit("POST", REVIEWS, retry_after=1)
    run = bench.run(event)
    assert run.code == 0, run.stderr
    assert len(bench.reviews()) == 1 and len(bench.comments()) == 1
    assert "rate limit on listing the files of #2: waiting 0 s" in run.stderr
    assert "rate limit on posting a review on #2: waiting 1 s" in run.stderr
    statuses = [
        (r.method, r.status)
        for r in bench.server.requests
        if r.path.endswith(("/files", "/reviews"))
    ]
    assert ("GET", 429) in statuses and ("POST", 403) in statuses


def test_a_rate_limit_past_the_bound_fails_with_exit_3(bench: Bench) -> None:
    event = bench.seed()
    limit = {"message": SECONDARY_LIMIT}
    bench.server.inject(
        "GET", r"/pulls/\d+$", 403, times=5, headers={"retry-after": "3600"}, body=limit
    )
    run = bench.run(event, env={"REVIEWBOT_GITHUB_MAX_WAIT": "60"})
    assert run.code == 3
    assert "another 3600 s wait would pass the 60 s bound" in run.stderr
    assert "Failed:" in run.summary and bench.reviews() == []


def test_a_model_failure_posts_nothing_and_says_why(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.inject(Fault.unauthorized())
    run = bench.run(event)
    assert run.code == 3
    assert bench.reviews() == [] and bench.comments() == []
    assert len(run.stderr.strip().splitlines()[-1]) < 300  # one line of error
    assert "reviewbot never posts half a review" in run.summary
    assert "**Failed:**" in run.summary and "401" in run.summary
    assert run.outputs["findings"] == "0"


def test_a_crash_after_saving_posts_exactly_once_on_the_next_run(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(review_script(FOUR[:2]))
    bench.server.inject("POST", REVIEWS, 502, times=4)  # every try fails: the run gives up
    crashed = bench.run(event)
    assert crashed.code == 3 and "502" in crashed.stderr
    assert bench.reviews() == []
    (saved,) = (bench.repo.path / ".git" / "reviewbot" / "github").glob("pr2-*/findings.json")
    assert len(json.loads(saved.read_text())["findings"]) == 2
    calls = len(bench.k2.requests)
    again = bench.run(event)  # the model is not asked again: the saved findings are posted
    assert again.code == 0, again.stderr
    assert "posting the findings an earlier try saved" in again.stderr
    assert len(bench.k2.requests) == calls
    (review,) = bench.reviews()
    assert len(review["comments"]) == 2
    assert bench.run(event).code == 0 and len(bench.reviews()) == 1


def test_a_502_after_github_took_the_review_does_not_post_it_twice(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(review_script(FOUR[:2]))
    bench.server.inject("POST", REVIEWS, 502, process=True)  # landed, but the answer is lost
    run = bench.run(event)
    assert run.code == 0, run.stderr
    (review,) = bench.reviews()
    assert len(review["comments"]) == 2
