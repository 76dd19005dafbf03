"""Two `reviewbot github` runs on the same pull request at once (a double-triggered
workflow) must end with one set of comments."""

from __future__ import annotations

from typing import Any

import pytest

from reviewbot.github.body import parse_marker
from tests.fakes.k2_server import FakeCall, Fault, Turn
from tests.faults.reliability import Outcome
from tests.github.conftest import Bench, comment

pytestmark = pytest.mark.faults

COMMENTS = [
    comment("app/cache.py", 10, "Unpacking hides a KeyError"),
    comment("app/cache.py", 11, "Clock read on every get call", severity="minor"),
]


def reactive(body: dict[str, Any]) -> Turn:
    """One model for any number of interleaved conversations: comment, then finish."""
    if body["messages"][-1]["role"] == "tool":
        return Turn(reasoning="Done.", tool_calls=[FakeCall("finish_review", {"summary": "ok"})])
    return Turn(reasoning="Reporting.", tool_calls=COMMENTS)


def test_two_runs_at_once_post_one_set_of_comments(bench: Bench, outcome: Outcome) -> None:
    event = bench.seed()
    bench.k2.script([reactive] * 8)
    # Both runs read what was posted before, then sit in their first model call together,
    # so neither can see the other's review before it posts its own.
    bench.k2.inject(Fault.stall(1.5, after_chunks=1, count=2, resume=True))
    # Holds go stale after 60 s, not the suite's 3: on a loaded machine the second run would
    # otherwise give up waiting (exit 3) or take over a live hold, and the row would churn.
    slow = {"REVIEWBOT_GITHUB_LOCK_STALE": "60"}
    procs = [bench.start(event, name, env=slow) for name in ("first", "second")]
    results = [p.communicate(timeout=120) for p in procs]
    codes = [p.returncode for p in procs]
    prints = [
        m.fingerprint
        for c in bench.comments()
        if (m := parse_marker(c["body"])) is not None and m.kind == "finding"
    ]
    reviews = bench.reviews()
    observed = (
        f"exits {sorted(codes)}; {len(reviews)} review(s), {len(prints)} inline comment(s) "
        f"for {len(set(prints))} finding(s)"
    )
    outcome.record(
        suite="concurrency",
        case="github-double-trigger",
        command="reviewbot github (×2 at once)",
        fault="two runs on the same head, both in their model call before either posts",
        expected="one set of comments: each finding posted once, one final review",
        observed=observed,
    )
    for _, err in results:
        assert "Traceback" not in err, err
    assert codes == [0, 0], results
    assert len(prints) == len(set(prints)) == len(COMMENTS), results
    markers = [parse_marker(r["body"] or "") for r in reviews]
    assert sum(1 for m in markers if m is not None and m.final) == 1
