"""Noise defaults on a pull request (issue 13, defect 4): nits go to the summary, not on
lines; a finding about code outside the diff goes to the review body under its own
heading; the default comment cap is low."""

from __future__ import annotations

from reviewbot.config import Settings
from tests.fakes.k2_server import FakeCall
from tests.github.conftest import Bench, comment, review_script


def outside(call: FakeCall) -> FakeCall:
    assert not isinstance(call.arguments, str)
    return FakeCall(call.name, {**call.arguments, "outside_diff": True})


OUTSIDE = outside(comment("app/util.py", 2, "clamp now receives a None ttl", severity="major"))


def test_nits_go_to_the_summary_and_outside_findings_to_their_own_heading(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(
        review_script([
            comment("app/cache.py", 11, "Expired entries stay in the dict"),
            comment("app/cache.py", 16, "Name the tuple fields", severity="nit"),
            OUTSIDE,
        ])
    )  # fmt: skip
    run = bench.run(event)
    assert run.code == 0, run.stderr
    (review,) = bench.reviews()
    assert [c["line"] for c in review["comments"]] == [11]
    body = review["body"]
    assert "#### Nits (1)" in body and "**nit: Name the tuple fields**" in body
    assert "#### Outside the diff (1)" in body
    assert "`app/util.py:2`" in body and "**major: clamp now receives a None ttl**" in body
    assert "Not on a line of the diff" not in body
    assert run.outputs["new-findings"] == "3"
    assert bench.run(event).code == 0 and len(bench.reviews()) == 1  # nothing twice


def test_nits_can_be_posted_inline_when_asked(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(review_script([comment("app/cache.py", 16, "Name it", severity="nit")]))
    run = bench.run(event, env={"REVIEWBOT_INLINE_MIN_SEVERITY": "nit"})
    assert run.code == 0, run.stderr
    assert [c["line"] for c in bench.comments()] == [16]


def test_the_default_comment_cap_is_low() -> None:
    assert Settings().max_comments <= 10
    assert Settings().inline_min_severity == "minor"
