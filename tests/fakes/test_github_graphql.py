"""GraphQL: review threads, resolving and minimizing, validated against GitHub's schema."""

from __future__ import annotations

from typing import Any

import github
import httpx
import pytest

from tests.fakes.conftest import NAME, NUMBER, OWNER, Seeded, client

THREADS = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 2, after: $after) {
        nodes {
          id isResolved isOutdated path line
          comments(first: 10) { nodes { databaseId body path line author { login } } }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""
RESOLVE = """
mutation($id: ID!) {
  resolveReviewThread(input: {threadId: $id}) { thread { id isResolved resolvedBy { login } } }
}
"""
MINIMIZE = """
mutation($id: ID!) {
  minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) {
    minimizedComment { isMinimized minimizedReason }
  }
}
"""
PR_QUERY = (
    'query {{ repository(owner: "octo", name: "hello") '
    "{{ pullRequest(number: 7) {{ {selection} }} }} }}"
)
VARS = {"owner": OWNER, "name": NAME, "number": NUMBER}


def _review(seeded: Seeded, gh: github.Github, lines: list[int]) -> None:
    comments: Any = [{"path": "app.py", "line": n, "body": f"on {n}"} for n in lines]
    gh.get_repo(f"{OWNER}/{NAME}").get_pull(NUMBER).create_review(
        body="s", event="COMMENT", comments=comments
    )


def _threads(gh: github.Github, after: str | None = None) -> dict[str, Any]:
    _, data = gh.requester.graphql_query(THREADS, {**VARS, "after": after})
    threads: dict[str, Any] = data["data"]["repository"]["pullRequest"]["reviewThreads"]
    return threads


def test_threads_page_and_resolve(seeded: Seeded, gh: github.Github) -> None:
    _review(seeded, gh, [5, 6, 25])
    first = _threads(gh)
    assert [n["line"] for n in first["nodes"]] == [5, 6]
    assert first["pageInfo"]["hasNextPage"] is True
    second = _threads(gh, first["pageInfo"]["endCursor"])
    assert [n["line"] for n in second["nodes"]] == [25]
    assert second["pageInfo"]["hasNextPage"] is False
    node = first["nodes"][0]
    assert node["comments"]["nodes"][0]["author"]["login"] == "github-actions[bot]"
    _, done = gh.requester.graphql_query(RESOLVE, {"id": node["id"]})
    assert done["data"]["resolveReviewThread"]["thread"]["isResolved"] is True
    assert [t["isResolved"] for t in seeded.server.threads(OWNER, NAME, NUMBER)] == [
        True,
        False,
        False,
    ]
    assert seeded.server.violations == []


def test_outdated_threads_after_a_push(seeded: Seeded, gh: github.Github) -> None:
    _review(seeded, gh, [5, 25])
    seeded.server.push(OWNER, NAME, NUMBER, "c" * 40, changed_lines={"app.py": [5]})
    nodes = _threads(gh)["nodes"]
    assert [(n["isOutdated"], n["line"]) for n in nodes] == [(True, None), (False, 25)]


def test_minimize_review_and_issue_comments(seeded: Seeded, gh: github.Github) -> None:
    _review(seeded, gh, [5])
    issue_comment = seeded.server.add_issue_comment(OWNER, NAME, NUMBER, "old summary")
    rest = seeded.server.review_comments(OWNER, NAME, NUMBER)[0]
    issue_node = [
        c for c in seeded.server.issue_comments(OWNER, NAME, NUMBER) if c["id"] == issue_comment
    ]
    for subject in (rest["node_id"], issue_node[0]["node_id"]):
        _, data = gh.requester.graphql_query(MINIMIZE, {"id": subject})
        assert data["data"]["minimizeComment"]["minimizedComment"] == {
            "isMinimized": True,
            "minimizedReason": "outdated",
        }
    assert seeded.server.issue_comments(OWNER, NAME, NUMBER)[0]["minimized_reason"] == "outdated"


def test_query_outside_the_schema_is_refused(seeded: Seeded, gh: github.Github) -> None:
    bad = PR_QUERY.format(selection="reviewThreadz { id }")
    with pytest.raises(github.GithubException) as caught:
        gh.requester.graphql_query(bad, {})
    assert "reviewThreadz" in str(caught.value.data["errors"][0]["message"])
    [violation] = seeded.server.violations
    assert violation.kind == "graphql"


def test_connections_need_first_or_last(seeded: Seeded, gh: github.Github) -> None:
    query = PR_QUERY.format(selection="reviewThreads { nodes { id } }")
    with pytest.raises(github.GithubException) as caught:
        gh.requester.graphql_query(query, {})
    assert "You must provide a `first` or `last` value" in caught.value.data["errors"][0]["message"]
    big = query.replace("reviewThreads", "reviewThreads(first: 101)")
    with pytest.raises(github.GithubException):
        gh.requester.graphql_query(big, {})
    assert [v.kind for v in seeded.server.violations] == ["graphql", "graphql"]


def test_unknown_thread_is_not_found(seeded: Seeded, gh: github.Github) -> None:
    with pytest.raises(github.UnknownObjectException):
        gh.requester.graphql_query(RESOLVE, {"id": "PRRT_kwDOfake999999"})


def test_ghes_paths(seeded: Seeded) -> None:
    _review(seeded, client(seeded.server.url), [5])
    ghes = client(seeded.server.ghes_url)
    assert ghes.requester.graphql_url == seeded.server.ghes_graphql_url
    assert ghes.get_repo(f"{OWNER}/{NAME}").get_pull(NUMBER).head.sha == seeded.head
    nodes = _threads(ghes)["nodes"]
    assert [n["line"] for n in nodes] == [5]
    paths = {r.path for r in seeded.server.requests}
    assert "/api/graphql" in paths and f"/api/v3/repos/{OWNER}/{NAME}/pulls/{NUMBER}" in paths


def test_graphql_needs_auth_and_post(seeded: Seeded) -> None:
    assert (
        httpx.post(seeded.server.graphql_url, json={"query": "{ viewer { login } }"}).status_code
        == 401
    )
    answer = httpx.post(
        seeded.server.graphql_url,
        json={"query": "{ viewer { login } }"},
        headers={"Authorization": "bearer t"},
    )
    assert answer.json() == {"data": {"viewer": {"login": "github-actions[bot]"}}}
    malformed = httpx.post(
        seeded.server.graphql_url, json={"q": 1}, headers={"Authorization": "bearer t"}
    )
    assert malformed.status_code == 400
    assert seeded.server.violations[-1].kind == "graphql"
