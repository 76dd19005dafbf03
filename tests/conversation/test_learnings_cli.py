"""`reviewbot learnings list|forget` against the fake GitHub, as a process."""

from __future__ import annotations

import json
import os
from pathlib import Path

from reviewbot.learnings import Learning, store
from tests.fakes.github_server import GitHubServer
from tests.helpers.launch import Run, reviewbot

OWNER, NAME = "octo", "hello"


def learnings(server: GitHubServer, cwd: Path, *args: str) -> Run:
    env = {**os.environ, **server.env(), "GITHUB_TOKEN": "ghs_cliTestToken0123456789"}
    return reviewbot(cwd, "learnings", *args, env=env, timeout=60)


def seeded(server: GitHubServer, author: str = "github-actions[bot]") -> int:
    server.add_repo(OWNER, NAME)
    rows = [
        Learning("L1", "drop", "app/**", "expired-entries-returned", "Do not report it", "https://x/1"),
        Learning("L2", "downgrade", "/setup.py", "*", "Legacy file"),
    ]  # fmt: skip
    body = store.render(rows, seen=["11", "12"]) + "| L3 | perhaps | `x` | `y` | z | |\n"
    return server.add_issue(OWNER, NAME, title=store.TITLE, body=body, author=author)


def test_list_shows_rules_and_unreadable_rows(github_server: GitHubServer, tmp_path: Path) -> None:
    seeded(github_server)
    run = learnings(github_server, tmp_path, "--repo", f"{OWNER}/{NAME}", "list")
    assert run.code == 0, run.stderr
    assert "2 learning(s) in" in run.stdout
    assert "L1   drop      app/**  [expired-entries-returned]  Do not report it" in run.stdout
    assert "unreadable row, ignored: line" in run.stdout and "perhaps" in run.stdout
    as_json = learnings(github_server, tmp_path, "--repo", f"{OWNER}/{NAME}", "list", "--json")
    data = json.loads(as_json.stdout)
    assert [x["id"] for x in data["learnings"]] == ["L1", "L2"] and len(data["problems"]) == 1


def test_forget_removes_one_row(github_server: GitHubServer, tmp_path: Path) -> None:
    number = seeded(github_server)
    env_repo = ("--repo", f"{OWNER}/{NAME}")
    run = learnings(github_server, tmp_path, *env_repo, "forget", "L1")
    assert run.code == 0, run.stderr
    assert "forgot L1" in run.stdout
    [issue] = github_server.issues(OWNER, NAME)
    assert issue["number"] == number and "| L1 |" not in issue["body"] and "| L2 |" in issue["body"]
    assert store.parse(issue["body"]).seen == {"11", "12"}
    again = learnings(github_server, tmp_path, *env_repo, "forget", "L1")
    assert again.code == 2 and "no learning L1" in again.stderr
    assert "Traceback" not in again.stderr


def test_someone_elses_issue_is_not_read(github_server: GitHubServer, tmp_path: Path) -> None:
    seeded(github_server, author="mallory")
    run = learnings(github_server, tmp_path, "--repo", f"{OWNER}/{NAME}", "list")
    assert run.code == 0 and "No learnings yet" in run.stdout


def test_without_a_repository_or_token_one_line_says_what_to_do(
    github_server: GitHubServer, tmp_path: Path
) -> None:
    run = learnings(github_server, tmp_path, "list")
    assert run.code == 2
    assert run.stderr.strip().startswith("reviewbot: cannot tell which GitHub repository")
    assert "--repo owner/name" in run.stderr and "Traceback" not in run.stderr
