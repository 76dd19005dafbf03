"""Requests are checked against GitHub's OpenAPI operations; refusals are recorded."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.conftest import NAME, NUMBER, OWNER, Seeded
from tests.fakes.github_server import GitHubServer

REVIEWS = f"/repos/{OWNER}/{NAME}/pulls/{NUMBER}/reviews"


@pytest.fixture
def http(seeded: Seeded) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=seeded.server.url, headers={"Authorization": "token t"}) as client:
        yield client


def test_comment_without_path_is_a_schema_violation(seeded: Seeded, http: httpx.Client) -> None:
    answer = http.post(REVIEWS, json={"event": "COMMENT", "comments": [{"line": 5, "body": "x"}]})
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("Invalid request.")
    assert "'path' is a required property" in answer.json()["message"]
    [violation] = seeded.server.violations
    assert (violation.kind, violation.operation) == ("body", "pulls/create-review")
    assert seeded.server.reviews(OWNER, NAME, NUMBER) == []


def test_event_outside_the_enum(seeded: Seeded, http: httpx.Client) -> None:
    answer = http.post(REVIEWS, json={"event": "LGTM", "body": "x"})
    assert answer.status_code == 422
    assert "'LGTM' is not one of" in seeded.server.violations[0].message


def test_wrong_types_in_body(seeded: Seeded, http: httpx.Client) -> None:
    comment = {"path": "app.py", "line": "5", "body": "x"}
    answer = http.post(REVIEWS, json={"event": "COMMENT", "comments": [comment]})
    assert answer.status_code == 422
    assert "is not of type 'integer'" in seeded.server.violations[0].message


def test_path_and_query_parameters(seeded: Seeded, http: httpx.Client) -> None:
    assert http.get(f"/repos/{OWNER}/{NAME}/pulls/seven").status_code == 422
    assert http.get(f"/repos/{OWNER}/{NAME}/issues", params={"state": "opened"}).status_code == 422
    assert http.get(f"/repos/{OWNER}/{NAME}/issues", params={"per-page": "5"}).status_code == 422
    kinds = [(v.kind, v.message) for v in seeded.server.violations]
    assert [k for k, _ in kinds] == ["params", "params", "params"]
    assert "unknown query parameter 'per-page'" in kinds[2][1]


def test_unknown_endpoint_and_wrong_method(seeded: Seeded, http: httpx.Client) -> None:
    assert http.get(f"/repos/{OWNER}/{NAME}/pulls/{NUMBER}/nonsense").status_code == 404
    assert http.delete(f"/repos/{OWNER}/{NAME}/pulls/{NUMBER}").status_code == 404
    assert [v.kind for v in seeded.server.violations] == ["unknown-endpoint"] * 2


def test_unknown_resource_is_404_without_violation(seeded: Seeded, http: httpx.Client) -> None:
    assert http.get(f"/repos/{OWNER}/{NAME}/pulls/999").status_code == 404
    assert http.get(f"/repos/{OWNER}/nope").status_code == 404
    assert seeded.server.violations == []


def test_body_that_is_not_json(seeded: Seeded, http: httpx.Client) -> None:
    answer = http.post(REVIEWS, content=b"{not json")
    assert answer.status_code == 400
    assert answer.json()["message"] == "Problems parsing JSON"
    assert seeded.server.violations[0].kind == "json"


def test_auth_header_forms(seeded: Seeded) -> None:
    url = f"{seeded.server.url}/repos/{OWNER}/{NAME}"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer t"}).status_code == 200
    assert httpx.get(url, headers={"Authorization": "token t"}).status_code == 200
    assert httpx.get(url, headers={"Authorization": "Basic dDp0"}).status_code == 401
    assert [v.kind for v in seeded.server.violations] == ["auth"]
    recorded = seeded.server.requests
    assert all("authorization" not in r.headers for r in recorded)


def test_a_configured_token_must_match() -> None:
    with GitHubServer(token="right") as server:
        server.add_repo(OWNER, NAME)
        url = f"{server.url}/repos/{OWNER}/{NAME}"
        wrong = httpx.get(url, headers={"Authorization": "token wrong"})
        assert (wrong.status_code, wrong.json()["message"]) == (401, "Bad credentials")
        assert httpx.get(url, headers={"Authorization": "token right"}).status_code == 200
        assert server.violations == []


def test_requests_are_recorded(seeded: Seeded, http: httpx.Client) -> None:
    http.post(REVIEWS, json={"event": "COMMENT", "body": "hello"})
    [request] = seeded.server.requests
    assert (request.method, request.path, request.status) == ("POST", REVIEWS, 200)
    assert request.body == {"event": "COMMENT", "body": "hello"}
    assert request.operation == "pulls/create-review"
