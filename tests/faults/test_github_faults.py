"""`reviewbot github` end to end while the model or GitHub misbehaves, and when the process
is killed between saving its findings and posting them.

Each case drives the real CLI against the fake GitHub (seeded from a real webhook payload
and the real diff) and the fake K2 server. Whatever happens: no comment is posted twice,
no finding is lost (posted, or kept in findings.json for the next run to post), and a
failure is one line with exit code 3.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from reviewbot.github.body import parse_marker
from tests.fakes.k2_server import Fault, Turn
from tests.faults.reliability import Outcome
from tests.github.conftest import Bench, comment, review_script
from tests.github.conftest import Outcome as GitHubOutcome

pytestmark = pytest.mark.faults

REVIEWS = r"/pulls/\d+/reviews$"
UNRESOLVED = {
    "message": "Unprocessable Entity",
    "errors": ["Line could not be resolved"],
    "documentation_url": "https://docs.github.com/rest/pulls/reviews",
    "status": "422",
}
COMMENTS = [
    comment("app/cache.py", 10, "Unpacking hides a KeyError"),
    comment("app/cache.py", 11, "Clock read on every get call", severity="minor"),
]


def posted(bench: Bench) -> list[str]:
    """Fingerprints of every finding posted on the pull request, inline (the comment's
    marker) or in a review body (the review marker's ``carried``), duplicates kept."""
    prints = []
    for c in bench.comments():
        marker = parse_marker(c["body"])
        if marker is not None and marker.kind == "finding":
            prints.append(marker.fingerprint)
    for review in bench.reviews():
        marker = parse_marker(review["body"] or "")
        if marker is not None:
            prints += marker.carried
    return prints


def all_posted_once(bench: Bench) -> bool:
    prints = posted(bench)
    return len(prints) == len(set(prints)) == len(COMMENTS)


def saved_findings(bench: Bench) -> list[dict[str, Any]]:
    found = sorted((bench.repo.path / ".git" / "reviewbot" / "github").glob("pr2-*/findings.json"))
    return json.loads(found[-1].read_text())["findings"] if found else []


def summary_of(bench: Bench, run: GitHubOutcome) -> str:
    line = [x for x in run.stderr.splitlines() if x.strip()][-1:] or [""]
    shown = f": {line[0]}" if run.code == 3 else ""
    return (
        f"exit {run.code}{shown}; {len(bench.reviews())} review(s), "
        f"{len(bench.comments())} inline comment(s), findings posted: "
        f"{len(posted(bench))}/{len(COMMENTS)}, saved: {len(saved_findings(bench))}"
    )


def check_clean(bench: Bench, run: GitHubOutcome) -> None:
    assert "Traceback" not in run.stderr
    if run.code == 3:
        last = run.stderr.strip().splitlines()[-1]
        assert last.startswith("reviewbot: ") and len(last) < 600, run.stderr


@dataclass(frozen=True)
class GitHubCase:
    id: str
    fault: str
    inject: Callable[[Bench], None]
    expected: str = "recovers: exit 0, one review with both findings, none twice"


# A leaked call carries the conversation-wide index K2 would give it (unused so far).
LEAKED = replace(COMMENTS[0], id="functions.add_comment:9")
CASES = [
    GitHubCase("github-422-on-posting", "HTTP 422 on the review and its probe (a refused line)",
               lambda b: b.server.inject("POST", REVIEWS, 422, times=2, body=UNRESOLVED),
               "exit 0, one review: the refused comment moved to the body, none twice"),
    GitHubCase("github-secondary-rate-limit", "secondary rate limit (403, Retry-After: 1) "
               "on posting the review",
               lambda b: b.server.inject_secondary_rate_limit("POST", REVIEWS, retry_after=1)),
    GitHubCase("github-429-on-listing", "secondary rate limit (429, no Retry-After) on listing "
               "the files",
               lambda b: b.server.inject_secondary_rate_limit(
                   "GET", r"/pulls/\d+/files$", retry_after=None, status=429)),
    GitHubCase("github-502-on-posting", "2 × HTTP 502 on posting (not taken)",
               lambda b: b.server.inject("POST", REVIEWS, 502, times=2)),
    GitHubCase("github-502-after-taken", "HTTP 502 on posting after GitHub took the review",
               lambda b: b.server.inject("POST", REVIEWS, 502, process=True)),
    GitHubCase("github-model-429", "model: 2 × HTTP 429 with Retry-After: 0",
               lambda b: b.k2.inject(Fault.rate_limited(retry_after="0", count=2))),
    GitHubCase("github-model-drop", "model: connection dropped mid-stream",
               lambda b: b.k2.inject(Fault.drop(after_chunks=4))),
    GitHubCase("github-model-leaked-markup", "model: tool calls leaked as raw K2 markup",
               lambda b: b.k2.inject(Fault.leaked_markup(
                   [LEAKED], text="Found one."))),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_github_fault(case: GitHubCase, bench: Bench, outcome: Outcome) -> None:
    event = bench.seed()
    bench.k2.script(review_script(COMMENTS))
    case.inject(bench)
    run = bench.run(event)
    outcome.record(
        suite="faults",
        case=case.id,
        command="reviewbot github",
        fault=case.fault,
        expected=case.expected,
        observed=summary_of(bench, run),
    )
    check_clean(bench, run)
    assert run.code == 0, run.stderr
    assert len(bench.reviews()) == 1
    assert all_posted_once(bench)
    again = bench.run(event)  # and a re-run posts nothing more
    assert again.code == 0 and len(bench.reviews()) == 1


def test_github_rate_limit_past_the_bound_then_rerun(bench: Bench, outcome: Outcome) -> None:
    """GitHub asks to wait longer than allowed: exit 3, the findings saved; the next run
    posts them once without asking the model again."""
    event = bench.seed()
    bench.k2.script(review_script(COMMENTS))
    bench.server.inject_secondary_rate_limit("POST", REVIEWS, retry_after=3600)
    first = bench.run(event, env={"REVIEWBOT_GITHUB_MAX_WAIT": "5"})
    observed = summary_of(bench, first)
    calls = len(bench.k2.requests)
    second = bench.run(event)
    observed += f"; rerun: {summary_of(bench, second)}, model asked again: "
    observed += "yes" if len(bench.k2.requests) > calls else "no"
    outcome.record(
        suite="faults",
        case="github-rate-limit-past-bound",
        command="reviewbot github",
        fault="secondary rate limit asking for 3600 s (bound 5 s) on posting; then a rerun",
        expected="exit 3, one line, nothing posted, findings saved; the rerun posts them once "
        "without the model",
        observed=observed,
    )
    check_clean(bench, first)
    assert first.code == 3
    assert len(saved_findings(bench)) == 2
    assert second.code == 0, second.stderr
    assert len(bench.k2.requests) == calls
    assert len(bench.reviews()) == 1 and all_posted_once(bench)


def test_github_model_failure_then_rerun(bench: Bench, outcome: Outcome) -> None:
    """The model dies after the first finding: nothing is posted (never half a review), the
    finding is kept in findings.json; the next run reviews afresh and posts once."""
    event = bench.seed()
    fired: list[bool] = []

    def then_fail(body: dict[str, Any]) -> Turn:
        if not fired:
            fired.append(True)
            # As many as the client tries (8 attempts): the run fails, and no 503 is left over.
            bench.k2.inject(Fault.status_code(503, retry_after="0", count=8))
        return Turn(reasoning="Reporting.", tool_calls=[COMMENTS[0]])

    bench.k2.script([then_fail])
    first = bench.run(event)
    posted_by_first = len(bench.reviews())
    kept = len(saved_findings(bench))
    observed = summary_of(bench, first)
    calls = len(bench.k2.requests)
    bench.k2.script(review_script(COMMENTS))
    second = bench.run(event)
    asked = len(bench.k2.requests) > calls
    observed += f"; rerun: {summary_of(bench, second)}, model asked again: "
    observed += "yes" if asked else "no"
    outcome.record(
        suite="faults",
        case="github-model-fails-then-rerun",
        command="reviewbot github",
        fault="model: HTTP 503 on every try (8) after the first finding; then a rerun",
        expected="exit 3, one line, nothing posted, 1 finding kept in findings.json; the rerun "
        "reviews afresh and posts one review with both findings",
        observed=observed,
    )
    check_clean(bench, first)
    assert first.code == 3 and posted_by_first == 0
    assert kept == 1
    assert second.code == 0, second.stderr
    assert asked, "the rerun posted the partial findings of the failed run"
    assert len(bench.reviews()) == 1 and all_posted_once(bench)


@pytest.mark.parametrize("taken", [False, True], ids=["before-github-took-it", "after"])
def test_github_killed_between_saving_and_posting(
    taken: bool, bench: Bench, outcome: Outcome
) -> None:
    """SIGKILL while the review is being posted (GitHub answers 502 and the run backs off);
    the next run posts the saved findings exactly once, without asking the model."""
    event = bench.seed()
    bench.k2.script(review_script(COMMENTS))
    bench.server.inject("POST", REVIEWS, 502, times=1, process=taken)
    bench.server.inject("POST", REVIEWS, 502, times=1)
    proc = bench.start(event, "killed", {"REVIEWBOT_GITHUB_BACKOFF": "30"})
    findings = bench.repo.path / ".git" / "reviewbot" / "github"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(findings.glob("pr2-*/findings.json")):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    posts = 0
    while time.monotonic() < deadline and posts == 0:  # the first POST has been answered
        posts = sum(1 for r in bench.server.requests if r.method == "POST" and r.status == 502)
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    reviews_after_kill = len(bench.reviews())
    calls = len(bench.k2.requests)
    again = bench.run(event)
    observed = (
        f"killed with {reviews_after_kill} review(s) on GitHub, {len(saved_findings(bench))} "
        f"finding(s) saved; rerun: {summary_of(bench, again)}, model asked again: "
        + ("yes" if len(bench.k2.requests) > calls else "no")
    )
    outcome.record(
        suite="faults",
        case=f"github-killed-after-saving-{'review-taken' if taken else 'nothing-posted'}",
        command="reviewbot github",
        fault="SIGKILL between saving findings and posting (the POST answered 502"
        + (" after GitHub took the review)" if taken else ", not taken)"),
        expected="the next run ends with exactly one review holding both findings, without "
        "asking the model again",
        observed=observed,
    )
    check_clean(bench, again)
    assert again.code == 0, again.stderr
    assert len(bench.k2.requests) == calls
    assert len(bench.reviews()) == 1 and all_posted_once(bench)
    assert bench.run(event).code == 0 and len(bench.reviews()) == 1
