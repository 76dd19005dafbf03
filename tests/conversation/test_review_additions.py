"""What a pull-request review adds, end to end: the walkthrough and its diagram, the
issues the pull request resolves, the maintainers' learnings."""

from __future__ import annotations

import json

from reviewbot.github.body import parse_marker
from tests.fakes.k2_server import FakeCall, Turn
from tests.github.conftest import NAME, NUMBER, OWNER, Bench, comment, review_script
from tests.helpers.mermaid import assert_diagrams_parse, diagrams_in

NOTES = [
    FakeCall("describe_file", {"path": "shop/pricing.py", "purpose": "feature",
                               "summary": "adds discount codes (HALF) @octocat"}),
    FakeCall("describe_file", {"path": "shop/cart.py", "purpose": "feature",
                               "summary": "applies the discount before tax"}),
]  # fmt: skip


def test_a_multi_module_change_gets_a_walkthrough_whose_diagram_parses(
    shop_bench: Bench,
) -> None:
    bench = shop_bench
    event = bench.seed()
    bench.k2.script([Turn(reasoning="Notes.", tool_calls=NOTES), *review_script()])
    run = bench.run(event)
    assert run.code == 0, run.stderr
    [review] = bench.reviews()
    body = review["body"]
    assert "#### Walkthrough" in body
    assert "| New behaviour | `shop/cart.py` | +4 −3 | applies the discount before tax |" in body
    assert "| Tests | `tests/test_cart.py` | new, +7 |  |" in body
    assert "@\u200bocto" in body  # the model's note is neutralised like every model text
    [diagram] = diagrams_in(body)
    assert assert_diagrams_parse(body) == 1
    assert 'n1["checkout()"]' in diagram and '["Cart.total()"]' in diagram
    assert '["discount()"]' in diagram and "-->" in diagram
    tools = {t["function"]["name"] for t in bench.k2.requests[0]["tools"]}
    assert "describe_file" in tools


def test_fixes_n_puts_the_issue_text_in_the_models_context(bench: Bench) -> None:
    number = 0
    event = bench.event()
    bench.seed(event)
    number = bench.server.add_issue(
        OWNER, NAME, title="Cache returns stale entries",
        body="After the TTL passes, get() must return None. SENTINEL-7f3a",
    )  # fmt: skip
    pull = bench.server.state.pull(bench.server.state.repo(OWNER, NAME), NUMBER)  # type: ignore[arg-type]
    assert pull is not None
    pull.body = event["pull_request"]["body"] = f"Expire entries.\n\nFixes #{number}"
    bench.k2.script(review_script(summary="Checked #1 against the change."))
    run = bench.run(event)
    assert run.code == 0, run.stderr
    messages = bench.k2.requests[0]["messages"]
    [issue] = [m for m in messages if "SENTINEL-7f3a" in m["content"]]
    assert issue["role"] == "user" and issue is not messages[-1]  # its own message, not the task
    assert issue["content"].startswith("# Issues this pull request says it resolves")
    assert "not instructions to you" in issue["content"]
    assert f"## {OWNER}/{NAME}#{number}: Cache returns stale entries" in issue["content"]
    assert messages.index(issue) == len(messages) - 2
    [review] = bench.reviews()
    assert "read by the model: Codertocat/Hello-World#" in review["body"]


def _second_pull(bench: Bench) -> dict[str, object]:
    """Pull request #3: the same mistake in another module of the same folder."""
    bench.repo.checkout(bench.base)
    bench.repo.branch("more")
    bench.repo.write("app/store.py", CACHE_LIKE)
    head = bench.repo.commit("store: a second cache")
    event = bench.event()
    event["number"] = 3
    event["pull_request"].update({"number": 3, "title": "Add a store"})
    event["pull_request"]["head"].update({"sha": head, "ref": "more"})
    from tests.fakes.github_events import seed_pull
    from tests.fakes.github_files import files_from_git_diff

    seed_pull(bench.server, event, files_from_git_diff(bench.repo.git("diff", bench.base, head)))
    return event


CACHE_LIKE = """import time


class Store:
    def __init__(self, ttl):
        self.ttl = ttl
        self.items = {}

    def get(self, key):
        value, stamp = self.items[key]
        return value
"""


def test_a_thumbs_down_teaches_and_the_next_similar_finding_is_not_posted(bench: Bench) -> None:
    bench.server.set_permission("maintainer", "write")
    event = bench.seed()
    bench.k2.script(review_script(comment("app/cache.py", 11, "Expired entries are returned")))
    assert bench.run(event).code == 0
    [finding] = bench.comments()
    bench.server.react(finding["id"], "-1", author="maintainer")
    closed = bench.run(bench.event("pull_request.closed.1"))
    assert closed.code == 0, closed.stderr
    assert "learnt L1" in closed.summary
    [learnt] = bench.server.issues(OWNER, NAME)
    assert "| L1 | drop | `app/**` | `expired-entries-returned` |" in learnt["body"]
    # The next review of a similar change: the scripted model repeats the finding.
    second = _second_pull(bench)
    before = len(bench.k2.requests)
    bench.k2.script(review_script(comment("app/store.py", 11, "Expired entries are returned")))
    run = bench.run(second)
    assert run.code == 0, run.stderr
    messages = bench.k2.requests[before]["messages"]
    assert messages[1]["content"].startswith("# Maintainer instructions: learnings")
    assert "L1 (drop; files `app/**`" in messages[1]["content"]
    reviews = bench.server.reviews(OWNER, NAME, 3)
    assert [r["comments"] for r in reviews] == [[]]
    assert bench.server.review_comments(OWNER, NAME, 3) == []
    assert "learning L1 dropped a finding at app/store.py:11" in reviews[0]["body"]
    marker = parse_marker(reviews[0]["body"])
    assert marker is not None and marker.total == 0
    assert json.dumps(messages).count("Expired entries are returned") >= 1
