"""Repository endpoints: contents, compare, permission, pulls, checks, SARIF, users."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import github
import httpx
import pytest

from tests.fakes.conftest import NAME, NUMBER, OWNER, Seeded, client
from tests.fakes.github_server import GitHubServer


def _sarif(runs: list[dict[str, Any]]) -> str:
    document = {"version": "2.1.0", "runs": runs}
    return base64.b64encode(gzip.compress(json.dumps(document).encode())).decode()


def _run(tool: str = "reviewbot", category: str | None = None) -> dict[str, Any]:
    run: dict[str, Any] = {"tool": {"driver": {"name": tool}}, "results": []}
    if category is not None:
        run["automationDetails"] = {"id": category}
    return run


def test_pull_request_as_pygithub_sees_it(seeded: Seeded, gh: github.Github) -> None:
    pr = gh.get_repo(f"{OWNER}/{NAME}").get_pull(NUMBER)
    assert (pr.head.sha, pr.base.sha, pr.user.login, pr.draft) == (
        seeded.head,
        seeded.base,
        "alice",
        False,
    )
    assert pr.head.repo.full_name == f"{OWNER}/{NAME}"
    files = list(pr.get_files())
    assert [f.filename for f in files] == [f.filename for f in seeded.files]
    by_name = {f.filename: f for f in files}
    assert by_name["docs/b.md"].previous_filename == "docs/a.md"
    assert by_name["logo.bin"].patch is None
    assert (by_name["app.py"].additions, by_name["app.py"].deletions) == (3, 2)
    assert [c.sha for c in pr.get_commits()] == [seeded.head]
    assert pr.changed_files == 5


def test_diff_media_type(seeded: Seeded) -> None:
    answer = httpx.get(
        f"{seeded.server.url}/repos/{OWNER}/{NAME}/pulls/{NUMBER}",
        headers={"Authorization": "token t", "Accept": "application/vnd.github.v3.diff"},
    )
    assert answer.headers["content-type"].startswith("text/plain")
    assert "diff --git a/app.py b/app.py" in answer.text
    assert "+line 5 changed" in answer.text


def test_fork_pull_request(github_server: GitHubServer) -> None:
    github_server.add_repo(OWNER, NAME)
    number = github_server.add_pull(
        OWNER, NAME, head_repo="mallory/hello", head_ref="evil", author="mallory", draft=True
    )
    pr = client(github_server.url).get_repo(f"{OWNER}/{NAME}").get_pull(number)
    assert pr.head.repo.full_name == "mallory/hello" and pr.head.repo.fork
    assert pr.base.repo.full_name == f"{OWNER}/{NAME}"
    assert pr.head.label == "mallory:evil" and pr.draft


def test_list_pulls_filters(github_server: GitHubServer) -> None:
    github_server.add_repo(OWNER, NAME)
    github_server.add_pull(OWNER, NAME, head_ref="a")
    github_server.add_pull(OWNER, NAME, head_ref="b", state="closed")
    repo = client(github_server.url).get_repo(f"{OWNER}/{NAME}")
    assert [p.head.ref for p in repo.get_pulls()] == ["a"]
    assert sorted(p.head.ref for p in repo.get_pulls(state="all")) == ["a", "b"]
    assert [p.head.ref for p in repo.get_pulls(state="all", head=f"{OWNER}:b")] == ["b"]


def test_contents_by_branch_and_sha(seeded: Seeded, gh: github.Github) -> None:
    seeded.server.set_file(
        OWNER, NAME, ".reviewbot.toml", "[review]\nfail_on = 'major'\n", ref=seeded.base
    )
    seeded.server.set_file(OWNER, NAME, "src/a.py", b"\x00\x01binary")
    repo = gh.get_repo(f"{OWNER}/{NAME}")
    config = repo.get_contents(".reviewbot.toml", ref="main")  # main points at the base sha
    assert not isinstance(config, list)
    assert config.decoded_content == b"[review]\nfail_on = 'major'\n"
    assert config.encoding == "base64"
    listing = repo.get_contents("src")
    assert isinstance(listing, list) and [c.path for c in listing] == ["src/a.py"]
    assert repo.get_contents("src/a.py").decoded_content == b"\x00\x01binary"  # type: ignore[union-attr]
    with pytest.raises(github.UnknownObjectException):
        repo.get_contents("missing.txt")


def test_compare_from_the_pull_and_from_a_seeded_comparison(
    seeded: Seeded, gh: github.Github
) -> None:
    repo = gh.get_repo(f"{OWNER}/{NAME}")
    whole = repo.compare(seeded.base, seeded.head)
    assert [f.filename for f in whole.files] == [f.filename for f in seeded.files]
    assert whole.ahead_by == 1 and whole.status == "ahead"
    seeded.server.add_comparison(
        OWNER,
        NAME,
        "old",
        "feature/x",
        files=[("new.py", "added", "@@ -0,0 +1 @@\n+x")],
        commits=[("d" * 40, "m")],
    )
    since = repo.compare("old", "feature/x")
    assert [f.filename for f in since.files] == ["new.py"] and since.total_commits == 1
    with pytest.raises(github.UnknownObjectException):
        repo.compare("nope", "never")


def test_collaborator_permission(github_server: GitHubServer) -> None:
    github_server.add_repo(OWNER, NAME)
    github_server.set_permission("writer", "write")
    github_server.set_permission("triager", "triage", repo=f"{OWNER}/{NAME}")
    repo = client(github_server.url).get_repo(f"{OWNER}/{NAME}")
    levels = {
        login: repo.get_collaborator_permission(login)
        for login in ("writer", "triager", "stranger", OWNER)
    }
    assert levels == {"writer": "write", "triager": "read", "stranger": "read", OWNER: "admin"}
    role = repo.get_collaborator_role_name("triager")
    assert role == "triage"


def test_check_runs(seeded: Seeded, gh: github.Github) -> None:
    repo = gh.get_repo(f"{OWNER}/{NAME}")
    run = repo.create_check_run("reviewbot", seeded.head, status="in_progress")
    run.edit(
        conclusion="neutral",
        output={
            "title": "2 findings",
            "summary": "s",
            "annotations": [
                {
                    "path": "app.py",
                    "start_line": 5,
                    "end_line": 5,
                    "annotation_level": "warning",
                    "message": "m",
                }
            ],
        },
    )
    [stored] = seeded.server.check_runs(OWNER, NAME)
    assert (stored["status"], stored["conclusion"], stored["annotations_count"]) == (
        "completed",
        "neutral",
        1,
    )
    with pytest.raises(github.GithubException) as caught:
        repo.create_check_run("bad", seeded.head, status="completed")
    assert caught.value.status == 422


def test_sarif_upload_is_decoded_and_checked(seeded: Seeded) -> None:
    headers = {"Authorization": "token t"}
    url = f"{seeded.server.url}/repos/{OWNER}/{NAME}/code-scanning/sarifs"
    body = {"commit_sha": seeded.head, "ref": "refs/heads/main", "sarif": _sarif([_run()])}
    answer = httpx.post(url, json=body, headers=headers)
    assert answer.status_code == 202
    status = httpx.get(answer.json()["url"], headers=headers).json()
    assert status["processing_status"] == "complete"
    [upload] = seeded.server.sarif_uploads(OWNER, NAME)
    assert upload["sarif"]["runs"][0]["tool"]["driver"]["name"] == "reviewbot"
    assert (upload["commit_sha"], upload["ref"]) == (seeded.head, "refs/heads/main")
    assert seeded.server.violations == []


def test_sarif_refusals(seeded: Seeded) -> None:
    headers = {"Authorization": "token t"}
    url = f"{seeded.server.url}/repos/{OWNER}/{NAME}/code-scanning/sarifs"
    base = {"commit_sha": seeded.head, "ref": "refs/heads/main"}
    plain = base64.b64encode(b'{"version": "2.1.0", "runs": []}').decode()
    assert httpx.post(url, json={**base, "sarif": plain}, headers=headers).status_code == 400
    assert (
        httpx.post(
            url, json={**base, "sarif": _sarif([]), "ref": "main"}, headers=headers
        ).status_code
        == 422
    )
    twice = httpx.post(url, json={**base, "sarif": _sarif([_run(), _run()])}, headers=headers)
    status = httpx.get(twice.json()["url"], headers=headers).json()
    assert status["processing_status"] == "failed"
    assert "share tool 'reviewbot'" in status["errors"][0]
    split = httpx.post(
        url,
        json={**base, "sarif": _sarif([_run(category="a"), _run(category="b")])},
        headers=headers,
    )
    assert httpx.get(split.json()["url"], headers=headers).json()["processing_status"] == "complete"
    assert [v.kind for v in seeded.server.violations] == ["semantic", "body", "semantic"]


def test_authenticated_user_and_rate_limit(github_server: GitHubServer) -> None:
    gh = client(github_server.url)
    with pytest.raises(github.GithubException) as caught:
        _ = gh.get_user().login
    assert caught.value.status == 403
    with GitHubServer(viewer="octocat", viewer_type="User") as human:
        assert client(human.url).get_user().login == "octocat"
    assert gh.get_rate_limit().resources.core.limit == 5000
