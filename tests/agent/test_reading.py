"""What the model can read (issue 13, defect 7): changed files numbered in the packed
context, the base version of a file, one commit with its diff, and commit messages beyond
their subjects."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.tools import FindingsBook, ReviewTools
from reviewbot.config import load_settings
from reviewbot.pipeline.plan import plan_review
from reviewbot.pipeline.run import code_from_diff
from reviewbot.repo import RepoView, changeset_from_git, resolve_range
from tests.helpers.gitrepo import GitRepo
from tests.helpers.samples import CACHE_AFTER, CACHE_BEFORE


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo("project")
    repo.write("app/__init__.py", "")
    repo.write("app/cache.py", CACHE_BEFORE)
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app/cache.py", CACHE_AFTER)
    repo.write(".env", "TOKEN=canary-show-commit-1234\n")
    repo.commit("cache: expire entries\n\nEntries older than ttl are treated as missing.")
    return repo


@pytest.fixture
def tools(repo: GitRepo) -> Iterator[ReviewTools]:
    changes = changeset_from_git(repo.path, resolve_range(repo.path, "main"))
    with RepoView(repo.path, changes.head) as view, view.at(changes.base) as base:
        yield ReviewTools(view, changes, FindingsBook(), code_at=code_from_diff(changes), base=base)


def test_changed_files_in_the_context_are_numbered(repo: GitRepo) -> None:
    settings = load_settings(root=repo.path, env={})
    changes = changeset_from_git(repo.path, resolve_range(repo.path, "main"))
    with RepoView(repo.path, changes.head) as view:
        plan = plan_review(settings, changes=changes, view=view, repository="o/r")
    context = plan.messages[1]["content"]
    assert "11\t        if time.time() - stamp > self.ttl:\n" in context
    assert "Changed files (new version, each line: new-file line number, a tab, the text)" in (
        context
    )


def test_the_base_version_of_a_file(tools: ReviewTools) -> None:
    out = tools.read_base_file("app/cache.py")
    assert out.startswith("app/cache.py at the base commit (lines 1-11 of 11)")
    assert "    11          return value" in out
    assert "ttl" in out and "time.time() - stamp" not in out
    with pytest.raises(ToolArgumentError, match=r"refused '\.env'"):
        tools.read_base_file(".env")  # behind the same guard as the new version
    with pytest.raises(ToolArgumentError, match="no file"):
        tools.read_base_file("app/new_module.py")


def test_one_commit_with_its_message_and_diff(repo: GitRepo, tools: ReviewTools) -> None:
    head = repo.head()
    out = tools.show_commit(head[:10])
    assert out.startswith(f"commit {head[:12]}")
    assert "cache: expire entries" in out and "Entries older than ttl" in out
    assert "+        if time.time() - stamp > self.ttl:" in out
    assert "canary-show-commit" not in out and ".env (withheld)" in out
    for bad, why in (("HEAD~1", "not a commit sha"), ("deadbeef00", "no commit")):
        with pytest.raises(ToolArgumentError, match=why):
            tools.show_commit(bad)


def test_git_log_shows_the_message_body(tools: ReviewTools) -> None:
    out = tools.git_log("app/cache.py")
    assert "cache: expire entries" in out
    assert "    Entries older than ttl are treated as missing." in out


def test_the_new_tools_are_declared_and_read_only(tools: ReviewTools) -> None:
    declared = {t.name: t for t in tools.tools()}
    for name in ("read_base_file", "show_commit"):
        assert declared[name].reads
