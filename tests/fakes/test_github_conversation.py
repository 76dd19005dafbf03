"""The fake GitHub after a review: reactions, replies, linked issues (closingIssuesReferences)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.conftest import NAME, NUMBER, OWNER, Seeded

REPO = f"/repos/{OWNER}/{NAME}"
CLOSING = """
query($owner: String!, $name: String!, $number: Int!, $mine: Boolean) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      closingIssuesReferences(first: 10, userLinkedOnly: $mine) {
        nodes { number title body url repository { nameWithOwner } }
      }
    }
  }
}
"""


@pytest.fixture
def http(seeded: Seeded) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=seeded.server.url, headers={"Authorization": "token t"}) as c:
        yield c


def _posted_comment(http: httpx.Client) -> int:
    comments = [{"path": "app.py", "line": 5, "body": "finding"}]
    http.post(f"{REPO}/pulls/{NUMBER}/reviews", json={"event": "COMMENT", "comments": comments})
    [comment] = http.get(f"{REPO}/pulls/{NUMBER}/comments").json()
    return int(comment["id"])


def test_a_reaction_made_twice_answers_200_with_the_first(
    seeded: Seeded, http: httpx.Client
) -> None:
    comment = _posted_comment(http)
    url = f"{REPO}/pulls/comments/{comment}/reactions"
    first = http.post(url, json={"content": "eyes"})
    again = http.post(url, json={"content": "eyes"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    seeded.server.react(comment, "-1", author="maintainer")
    downs = http.get(url, params={"content": "-1"}).json()
    assert [(r["user"]["login"], r["content"]) for r in downs] == [("maintainer", "-1")]
    assert seeded.server.violations == []


def test_a_reply_in_a_thread_joins_it(seeded: Seeded, http: httpx.Client) -> None:
    comment = _posted_comment(http)
    reply = seeded.server.reply_in_thread(comment, "@reviewbot why?", author="maintainer")
    got = http.get(f"{REPO}/pulls/comments/{reply}").json()
    assert got["in_reply_to_id"] == comment and got["body"] == "@reviewbot why?"
    assert got["author_association"] in ("NONE", "CONTRIBUTOR", "COLLABORATOR")


def test_closing_references_from_keywords_and_links(seeded: Seeded, http: httpx.Client) -> None:
    server = seeded.server
    server.add_repo("octo", "other")
    own = server.add_issue(OWNER, NAME, title="Crash on empty input", body="Steps: ...")
    other = server.add_issue("octo", "other", title="Tracking", body="x")
    by_hand = server.add_issue(OWNER, NAME, title="Linked by hand")
    server.add_issue(OWNER, NAME, title="Only mentioned")
    pull = server.state.pull(server.state.repo(OWNER, NAME), NUMBER)  # type: ignore[arg-type]
    assert pull is not None
    pull.body = f"Fixes #{own}, closes octo/other#{other}; see #4 and resolves #999."
    server.link_issue(OWNER, NAME, NUMBER, f"{OWNER}/{NAME}", by_hand)
    variables = {"owner": OWNER, "name": NAME, "number": NUMBER}
    answer = http.post("/graphql", json={"query": CLOSING, "variables": variables}).json()
    nodes = answer["data"]["repository"]["pullRequest"]["closingIssuesReferences"]["nodes"]
    assert [(n["repository"]["nameWithOwner"], n["number"]) for n in nodes] == [
        (f"{OWNER}/{NAME}", by_hand),
        (f"{OWNER}/{NAME}", own),
        ("octo/other", other),
    ]
    assert nodes[1]["title"] == "Crash on empty input"
    mine = http.post(
        "/graphql", json={"query": CLOSING, "variables": {**variables, "mine": True}}
    ).json()
    linked = mine["data"]["repository"]["pullRequest"]["closingIssuesReferences"]["nodes"]
    assert [n["number"] for n in linked] == [by_hand]
    assert server.violations == []
