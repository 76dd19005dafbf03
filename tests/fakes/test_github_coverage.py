"""Every operation the fake serves answers in the shape GitHub's description promises."""

from __future__ import annotations

import base64
import gzip
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.fakes.conftest import NAME, NUMBER, OWNER, Seeded
from tests.fakes.github_dispatch import HANDLERS
from tests.fakes.github_openapi import operations, route

REPO = f"/repos/{OWNER}/{NAME}"
PULL = f"{REPO}/pulls/{NUMBER}"


def test_every_official_operation_has_a_handler() -> None:
    assert {op.operation_id for op in operations()} == set(HANDLERS)
    assert len(HANDLERS) == 41


def test_response_checking_catches_an_off_schema_answer() -> None:
    found = route("GET", "/repos/o/r/pulls/1")
    assert found is not None
    op, _ = found
    problems = op.validate_response(200, {"id": "not a number", "number": 1})
    assert any("'id'" in p or ".id" in p for p in problems)
    assert any("'url' is a required property" in p for p in problems)
    assert op.validate_response(201, {}) == ["pulls/get: status 201 is not a documented response"]


@pytest.fixture
def http(seeded: Seeded) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=seeded.server.url, headers={"Authorization": "token t"}) as c:
        yield c


def test_each_operation_answers_on_schema(seeded: Seeded, http: httpx.Client) -> None:
    """One successful call per operation; the fixture fails the test on off-schema answers."""
    server = seeded.server
    issue_comment = server.add_issue_comment(OWNER, NAME, NUMBER, "hello", author="bob")

    def ok(method: str, path: str, **kwargs: object) -> httpx.Response:
        answer = http.request(method, path, **kwargs)  # type: ignore[arg-type]
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
        return answer

    ok("GET", REPO)
    ok("GET", f"{REPO}/pulls")
    ok("GET", PULL)
    ok("GET", f"{PULL}/files")
    ok("GET", f"{PULL}/commits")
    comments = [{"path": "app.py", "line": 5, "body": "c"}]
    review = ok("POST", f"{PULL}/reviews", json={"comments": comments}).json()
    ok("GET", f"{PULL}/reviews/{review['id']}/comments")
    ok("PUT", f"{PULL}/reviews/{review['id']}", json={"body": "edited"})
    ok("DELETE", f"{PULL}/reviews/{review['id']}")
    review = ok("POST", f"{PULL}/reviews", json={"comments": comments}).json()
    ok("POST", f"{PULL}/reviews/{review['id']}/events", json={"event": "COMMENT", "body": "s"})
    ok("GET", f"{PULL}/reviews")
    ok("GET", f"{PULL}/reviews/{review['id']}")
    ok("PUT", f"{PULL}/reviews/{review['id']}/dismissals", json={"message": "stale"})
    [comment] = ok("GET", f"{PULL}/comments").json()
    ok("POST", f"{PULL}/comments/{comment['id']}/replies", json={"body": "r"})
    ok("GET", f"{REPO}/pulls/comments/{comment['id']}")
    ok("POST", f"{REPO}/pulls/comments/{comment['id']}/reactions", json={"content": "-1"})
    ok("GET", f"{REPO}/pulls/comments/{comment['id']}/reactions", params={"content": "-1"})
    single = {"body": "b", "commit_id": seeded.head, "path": "new.py", "line": 1, "side": "RIGHT"}
    made = ok("POST", f"{PULL}/comments", json=single).json()
    ok("PATCH", f"{REPO}/pulls/comments/{made['id']}", json={"body": "b2"})
    ok("DELETE", f"{REPO}/pulls/comments/{made['id']}")
    issue = ok("POST", f"{REPO}/issues", json={"title": "t", "labels": ["x"]}).json()
    ok("GET", f"{REPO}/issues/{issue['number']}")
    ok("PATCH", f"{REPO}/issues/{issue['number']}", json={"state": "closed"})
    ok("GET", f"{REPO}/issues", params={"state": "all", "labels": "x"})
    made_comment = ok("POST", f"{REPO}/issues/{NUMBER}/comments", json={"body": "c"}).json()
    ok("GET", f"{REPO}/issues/{NUMBER}/comments")
    ok("GET", f"{REPO}/issues/comments/{issue_comment}")
    ok("PATCH", f"{REPO}/issues/comments/{made_comment['id']}", json={"body": "c2"})
    ok("POST", f"{REPO}/issues/comments/{issue_comment}/reactions", json={"content": "eyes"})
    ok("GET", f"{REPO}/issues/comments/{issue_comment}/reactions")
    ok("DELETE", f"{REPO}/issues/comments/{made_comment['id']}")
    server.set_file(OWNER, NAME, "README.md", "hi\n")
    ok("GET", f"{REPO}/contents/README.md")
    ok("GET", f"{REPO}/compare/{seeded.base}...{seeded.head}")
    ok("GET", f"{REPO}/collaborators/alice/permission")
    run = ok("POST", f"{REPO}/check-runs", json={"name": "n", "head_sha": seeded.head}).json()
    ok("PATCH", f"{REPO}/check-runs/{run['id']}", json={"conclusion": "success"})
    sarif = base64.b64encode(gzip.compress(b'{"version": "2.1.0", "runs": []}')).decode()
    upload = ok(
        "POST",
        f"{REPO}/code-scanning/sarifs",
        json={"commit_sha": seeded.head, "ref": "refs/heads/main", "sarif": sarif},
    ).json()
    ok("GET", f"{REPO}/code-scanning/sarifs/{upload['id']}")
    ok("GET", "/rate_limit")
    served = {r.operation for r in server.requests if r.status < 300}
    assert served >= set(HANDLERS) - {"users/get-authenticated"}
    assert server.violations == []


def test_reachable_from_another_process(seeded: Seeded) -> None:
    """What `reviewbot github` will do: PyGitHub in a subprocess, pointed by GITHUB_API_URL."""
    script = (
        "import os, github\n"
        "g = github.Github(base_url=os.environ['GITHUB_API_URL'],"
        " auth=github.Auth.Token(os.environ['GITHUB_TOKEN']), seconds_between_writes=0)\n"
        f"pr = g.get_repo('{OWNER}/{NAME}').get_pull({NUMBER})\n"
        "pr.create_review(body='from a subprocess', event='COMMENT',"
        " comments=[{'path': 'new.py', 'line': 2, 'body': 'x'}])\n"
        "print(pr.head.sha)\n"
    )
    env = {**os.environ, **seeded.server.env(ghes=True), "GITHUB_TOKEN": "t"}
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == seeded.head
    [review] = seeded.server.reviews(OWNER, NAME, NUMBER)
    assert review["body"] == "from a subprocess"
    assert all(r.path.startswith("/api/v3/") for r in seeded.server.requests)
    assert seeded.server.violations == []


def test_concurrent_requests(seeded: Seeded) -> None:
    """The server is threaded: parallel writers all land, with distinct ids."""
    url = f"{seeded.server.url}{REPO}/issues/{NUMBER}/comments"

    def post(n: int) -> int:
        answer = session.post(url, json={"body": f"c{n}"})
        assert answer.status_code == 201
        return int(answer.json()["id"])

    with (
        httpx.Client(headers={"Authorization": "token t"}) as session,
        ThreadPoolExecutor(8) as pool,
    ):
        ids = list(pool.map(post, range(40)))
    assert len(set(ids)) == 40
    assert len(seeded.server.issue_comments(OWNER, NAME, NUMBER)) == 40
