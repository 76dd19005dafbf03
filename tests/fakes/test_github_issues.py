"""Issues, issue comments and pagination through PyGitHub and raw HTTP."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import github
import httpx
import pytest
from github.Issue import Issue
from github.Repository import Repository

from tests.fakes.conftest import NAME, NUMBER, OWNER, Seeded, client
from tests.fakes.github_server import GitHubServer


def _issues(repo: Repository, **filters: Any) -> list[Issue]:
    """`creator` may be a login: PyGitHub accepts a str though its annotation says NamedUser."""
    return list(repo.get_issues(**filters))


def test_tracking_issue_upsert_flow(seeded: Seeded, gh: github.Github) -> None:
    repo = gh.get_repo(f"{OWNER}/{NAME}")
    seeded.server.add_issue(
        OWNER, NAME, title="human issue", labels=["reviewbot-audit"], author="carol"
    )
    created = repo.create_issue(title="Audit", body="v1", labels=["reviewbot-audit"])
    assert created.user.login == "github-actions[bot]"
    mine = _issues(repo, state="open", labels=["reviewbot-audit"], creator="github-actions[bot]")
    assert [i.number for i in mine] == [created.number]
    mine[0].edit(body="v2")
    [stored] = [i for i in seeded.server.issues(OWNER, NAME) if i["number"] == created.number]
    assert stored["body"] == "v2"
    created.edit(state="closed")
    assert _issues(repo, state="open", creator="github-actions[bot]") == []
    closed = list(repo.get_issues(state="closed"))
    assert [(i.number, i.state_reason) for i in closed] == [(created.number, "completed")]
    assert repo.get_issue(created.number).title == "Audit"
    assert seeded.server.violations == []


def test_pull_requests_show_up_in_the_issue_list(seeded: Seeded, gh: github.Github) -> None:
    listed = list(gh.get_repo(f"{OWNER}/{NAME}").get_issues())
    assert [(i.number, i.pull_request is not None) for i in listed] == [(NUMBER, True)]


def test_pagination_follows_link_headers(github_server: GitHubServer) -> None:
    github_server.add_repo(OWNER, NAME)
    for n in range(75):
        github_server.add_issue(OWNER, NAME, title=f"issue {n}", labels=["bulk"])
    gh = client(github_server.url, per_page=30)
    titles = [
        i.title for i in gh.get_repo(f"{OWNER}/{NAME}").get_issues(labels=["bulk"], direction="asc")
    ]
    assert titles == [f"issue {n}" for n in range(75)]
    pages = [r for r in github_server.requests if r.path.endswith("/issues")]
    assert [r.query.get("page", ["1"])[0] for r in pages] == ["1", "2", "3"]
    raw = httpx.get(
        f"{github_server.url}/repos/{OWNER}/{NAME}/issues",
        params={"per_page": "30", "page": "2", "labels": "bulk"},
        headers={"Authorization": "token t"},
    )
    links = {
        rel: parse_qs(urlsplit(url).query)
        for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', raw.headers["link"])
    }
    assert {rel: q["page"] for rel, q in links.items()} == {
        "next": ["3"],
        "last": ["3"],
        "first": ["1"],
        "prev": ["1"],
    }
    assert all(q["labels"] == ["bulk"] and q["per_page"] == ["30"] for q in links.values())
    assert len(raw.json()) == 30
    assert github_server.violations == []


def test_issue_comments_on_a_pull_request(seeded: Seeded, gh: github.Github) -> None:
    pr = gh.get_repo(f"{OWNER}/{NAME}").get_pull(NUMBER)
    seeded.server.add_issue_comment(OWNER, NAME, NUMBER, "human says hi", author="bob")
    comment = pr.create_issue_comment("bot summary")
    assert comment.html_url.endswith(f"/pull/{NUMBER}#issuecomment-{comment.id}")
    comment.edit("bot summary v2")
    comment.create_reaction("rocket")
    bodies = [(c.user.login, c.body) for c in pr.get_issue_comments()]
    assert bodies == [("bob", "human says hi"), ("github-actions[bot]", "bot summary v2")]
    assert (
        gh.get_repo(f"{OWNER}/{NAME}").get_issue(NUMBER).get_comment(comment.id).body
        == "bot summary v2"
    )
    comment.delete()
    assert [c["body"] for c in seeded.server.issue_comments(OWNER, NAME, NUMBER)] == [
        "human says hi"
    ]


def test_issue_comment_too_long(seeded: Seeded, gh: github.Github) -> None:
    pr = gh.get_repo(f"{OWNER}/{NAME}").get_pull(NUMBER)
    with pytest.raises(github.GithubException) as caught:
        pr.create_issue_comment("x" * 65_537)
    assert caught.value.status == 422
    assert caught.value.data["errors"] == [
        {
            "resource": "IssueComment",
            "code": "unprocessable",
            "field": "data",
            "message": "Body is too long (maximum is 65536 characters)",
        }
    ]
    assert seeded.server.issue_comments(OWNER, NAME, NUMBER) == []
