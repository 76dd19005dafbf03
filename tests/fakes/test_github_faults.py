"""Fault injection and rate-limit headers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import github
import httpx
import pytest

from tests.fakes.conftest import NAME, NUMBER, OWNER, Seeded, client

REVIEWS = f"/repos/{OWNER}/{NAME}/pulls/{NUMBER}/reviews"
REVIEW = {"event": "COMMENT", "body": "s", "comments": [{"path": "app.py", "line": 5, "body": "x"}]}


@pytest.fixture
def http(seeded: Seeded) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=seeded.server.url, headers={"Authorization": "token t"}) as c:
        yield c


def test_fault_answers_then_goes_away_without_touching_state(
    seeded: Seeded, http: httpx.Client
) -> None:
    seeded.server.inject("POST", r"/pulls/\d+/reviews$", 502, times=2)
    assert http.post(REVIEWS, json=REVIEW).status_code == 502
    assert http.post(REVIEWS, json=REVIEW).status_code == 502
    assert seeded.server.reviews(OWNER, NAME, NUMBER) == []
    assert http.post(REVIEWS, json=REVIEW).status_code == 200
    assert len(seeded.server.reviews(OWNER, NAME, NUMBER)) == 1
    assert [r.status for r in seeded.server.requests] == [502, 502, 200]


def test_process_true_lands_the_review_but_answers_the_fault(
    seeded: Seeded, http: httpx.Client
) -> None:
    seeded.server.inject("POST", "/reviews", 502, process=True, body="<html>Bad gateway</html>")
    answer = http.post(REVIEWS, json=REVIEW)
    assert (answer.status_code, answer.text) == (502, "<html>Bad gateway</html>")
    assert len(seeded.server.reviews(OWNER, NAME, NUMBER)) == 1  # a retry would duplicate it


def test_secondary_rate_limit_looks_like_githubs(seeded: Seeded, http: httpx.Client) -> None:
    seeded.server.inject_secondary_rate_limit("POST", "/reviews", retry_after=7)
    answer = http.post(REVIEWS, json=REVIEW)
    assert answer.status_code == 403
    assert answer.headers["retry-after"] == "7"
    assert answer.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert int(answer.headers["x-ratelimit-remaining"]) > 0


def test_429_with_and_without_retry_after(seeded: Seeded, http: httpx.Client) -> None:
    seeded.server.inject("*", "/pulls/7$", 429)
    seeded.server.inject("GET", "/pulls/7$", 429, headers={"Retry-After": "3"})
    bare = http.get(f"/repos/{OWNER}/{NAME}/pulls/{NUMBER}")
    timed = http.get(f"/repos/{OWNER}/{NAME}/pulls/{NUMBER}")
    assert (bare.status_code, "retry-after" in bare.headers) == (429, False)
    assert (timed.status_code, timed.headers["retry-after"]) == (429, "3")
    assert http.get(f"/repos/{OWNER}/{NAME}/pulls/{NUMBER}").status_code == 200


def test_pygithub_retries_a_secondary_rate_limit(seeded: Seeded) -> None:
    seeded.server.inject_secondary_rate_limit("POST", "/reviews", retry_after=0)
    gh = client(seeded.server.url, retry=github.GithubRetry(total=3, backoff_factor=0))
    comments: Any = REVIEW["comments"]
    gh.get_repo(f"{OWNER}/{NAME}").get_pull(NUMBER).create_review(
        body="s", event="COMMENT", comments=comments
    )
    posts = [r.status for r in seeded.server.requests if r.method == "POST"]
    assert posts == [403, 200]
    assert len(seeded.server.reviews(OWNER, NAME, NUMBER)) == 1


def test_faults_match_ghes_paths_without_the_prefix(seeded: Seeded) -> None:
    seeded.server.inject("GET", rf"^/repos/{OWNER}/{NAME}$", 503)
    answer = httpx.get(
        f"{seeded.server.ghes_url}/repos/{OWNER}/{NAME}", headers={"Authorization": "token t"}
    )
    assert answer.status_code == 503


def test_rate_limit_headers_on_every_answer(seeded: Seeded, http: httpx.Client) -> None:
    answers = [
        http.get(f"/repos/{OWNER}/{NAME}"),
        http.get(f"/repos/{OWNER}/{NAME}/pulls/999"),
        httpx.get(f"{seeded.server.url}/repos/{OWNER}/{NAME}"),
        http.post("/graphql", json={"query": "{ viewer { login } }"}),
    ]
    for answer in answers:
        for name in (
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-ratelimit-used",
        ):
            assert answer.headers[name].isdigit(), (answer.url, name)
    assert answers[3].headers["x-ratelimit-resource"] == "graphql"
    gh = client(seeded.server.url)
    gh.get_repo(f"{OWNER}/{NAME}")
    remaining, limit = gh.rate_limiting
    assert limit == 5000 and 0 < remaining < 5000
