"""Real webhook payloads matched to seeded pull requests."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.fakes.conftest import client
from tests.fakes.github_events import event_names, fork_event, load_event, retarget, seed_pull
from tests.fakes.github_files import files_from_git_diff
from tests.fakes.github_server import GitHubServer
from tests.helpers.gitrepo import GitRepo

PULL_EVENTS = [n for n in event_names() if n.startswith("pull_request.")]


def test_all_fixture_payloads_are_present() -> None:
    assert len(PULL_EVENTS) == 7
    assert {"push.1", "pull_request_review_comment.created.1"} <= set(event_names())


@pytest.mark.parametrize("name", PULL_EVENTS)
def test_event_matches_the_seeded_pull(github_server: GitHubServer, name: str) -> None:
    event = load_event(name)
    number = seed_pull(github_server, event)
    repo = client(github_server.url).get_repo(event["repository"]["full_name"])
    pr = repo.get_pull(number)
    expected = event["pull_request"]
    assert pr.number == event["number"] == expected["number"]
    assert (pr.head.sha, pr.base.sha) == (expected["head"]["sha"], expected["base"]["sha"])
    assert (pr.head.ref, pr.base.ref) == (expected["head"]["ref"], expected["base"]["ref"])
    assert (pr.state, pr.draft, pr.user.login) == (
        expected["state"],
        expected["draft"],
        expected["user"]["login"],
    )
    assert repo.default_branch == event["repository"]["default_branch"]
    assert github_server.violations == []


def test_our_pull_json_has_every_webhook_field(github_server: GitHubServer) -> None:
    event = load_event("pull_request.opened.1")
    seed_pull(github_server, event)
    full_name = event["repository"]["full_name"]
    answer = httpx.get(
        f"{github_server.url}/repos/{full_name}/pulls/2", headers={"Authorization": "token t"}
    )
    ours = answer.json()
    assert set(event["pull_request"]) <= set(ours)
    assert set(event["pull_request"]["head"]) <= set(ours["head"])
    assert set(event["pull_request"]["user"]) <= set(ours["user"])


def test_fork_event_with_a_real_diff(
    github_server: GitHubServer, make_repo: Callable[..., GitRepo]
) -> None:
    work = make_repo()
    work.write("README.md", "Hello\n")
    base = work.commit("base")
    work.write("README.md", "Hello\nWorld\n")
    head = work.commit("head")
    event = retarget(
        fork_event(load_event("pull_request.synchronize.1"), "mallory"),
        head_sha=head,
        base_sha=base,
    )
    number = seed_pull(
        github_server, event, files=files_from_git_diff(work.git("diff", base, head))
    )
    pr = client(github_server.url).get_repo(event["repository"]["full_name"]).get_pull(number)
    assert pr.head.repo.full_name == f"mallory/{event['repository']['name']}" and pr.head.repo.fork
    assert pr.head.sha == head and pr.user.login == "mallory"
    owner, name = event["repository"]["full_name"].split("/")
    assert github_server.commentable_lines(owner, name, number, "README.md") == {1, 2}
