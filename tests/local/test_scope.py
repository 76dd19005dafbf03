"""What is reviewed, on real repositories: --staged, --uncommitted, --base with --head, and
PATHS. The dry run lists the files; runs against the fake model show what it was sent."""

from __future__ import annotations

import re

import pytest

from tests.fakes.k2_server import K2Server
from tests.helpers.launch import reviewbot
from tests.local.conftest import CLEAN, Pushable, model_env, prompt_text

UTIL_STAGED = "def clamp(x, lo, hi):\n    return min(max(x, lo), hi)\n"


def listed(stdout: str) -> list[str]:
    """The files a dry run lists: (status, path) lines under the header."""
    return [m.group(2) for m in re.finditer(r"^  (\w+)\s+(\S+)$", stdout, re.MULTILINE)]


def dry(p: Pushable, *args: str) -> list[str]:
    done = reviewbot(p.work.path, "review", "--dry-run", *args)
    assert done.code == 0, done.stderr
    return listed(done.stdout)


def worktree_changes(p: Pushable) -> None:
    """util.py staged, notes.txt modified but not staged, new.py untracked."""
    work = p.work
    work.write("notes.txt", "v1\n")
    work.commit("notes")
    work.write("app/util.py", UTIL_STAGED)
    work.git("add", "app/util.py")
    work.write("notes.txt", "v2 unstaged\n")
    work.write("new.py", "print('untracked')\n")


def test_commits_against_the_base(pushable: Pushable) -> None:
    worktree_changes(pushable)
    assert dry(pushable, "--base", "main") == ["app/cache.py", "notes.txt"]


def test_staged_is_the_index_only(pushable: Pushable) -> None:
    worktree_changes(pushable)
    assert dry(pushable, "--staged") == ["app/util.py"]  # against HEAD: about to be committed
    assert dry(pushable, "--staged", "--base", "HEAD") == ["app/util.py"]
    assert dry(pushable, "--staged", "--base", "main") == [
        "app/cache.py", "app/util.py", "notes.txt",
    ]  # fmt: skip


def test_uncommitted_is_the_work_tree_with_untracked_files(pushable: Pushable) -> None:
    worktree_changes(pushable)
    before = pushable.work.git("diff", "--cached", "--name-only")
    assert dry(pushable, "--uncommitted") == ["app/util.py", "new.py", "notes.txt"]
    assert dry(pushable, "--uncommitted", "--base", "main") == [
        "app/cache.py", "app/util.py", "new.py", "notes.txt",
    ]  # fmt: skip
    assert pushable.work.git("diff", "--cached", "--name-only") == before  # index untouched


def test_staged_content_is_what_the_model_sees(pushable: Pushable, k2_server: K2Server) -> None:
    worktree_changes(pushable)
    k2_server.script(CLEAN)
    done = reviewbot(pushable.work.path, "review", "--staged", env=model_env(k2_server))
    assert done.code == 0, done.stderr
    sent = prompt_text(k2_server.requests[0])
    assert "return min(max(x, lo), hi)" in sent
    assert "v2 unstaged" not in sent and "untracked" not in sent


@pytest.mark.slow
def test_base_and_head_review_a_range_that_is_not_head(pushable: Pushable) -> None:
    work = pushable.work
    work.write("app/util.py", UTIL_STAGED)
    middle = work.commit("util")
    work.write("app/extra.py", "X = 1\n")
    work.commit("extra")
    assert dry(pushable, "--base", "main", "--head", middle) == ["app/cache.py", "app/util.py"]
    assert dry(pushable, "--base", "feature~1", "--head", "HEAD") == ["app/extra.py"]
    work.checkout("main")  # HEAD moves; an explicit head does not
    assert dry(pushable, "--base", "main", "--head", "feature") == [
        "app/cache.py", "app/extra.py", "app/util.py",
    ]  # fmt: skip


def test_head_must_exist(pushable: Pushable) -> None:
    done = reviewbot(pushable.work.path, "review", "--dry-run", "--head", "nope")
    assert done.code == 3
    assert "unknown ref 'nope' for --head" in done.stderr


@pytest.mark.slow
def test_paths_limit_the_review(pushable: Pushable) -> None:
    work = pushable.work
    work.write("app/util.py", UTIL_STAGED)
    work.write("docs/guide.md", "# Guide\n")
    work.commit("more")
    assert dry(pushable, "--base", "main", "--", "app/util.py") == ["app/util.py"]
    assert dry(pushable, "--base", "main", "--", "app") == ["app/cache.py", "app/util.py"]
    assert dry(pushable, "--base", "main", "--", "*.md") == ["docs/guide.md"]
    inside = reviewbot(work.path / "app", "review", "--dry-run", "--base", "main", "--", "util.py")
    assert listed(inside.stdout) == ["app/util.py"]  # relative to where it runs
    nothing = reviewbot(work.path, "review", "--dry-run", "--base", "main", "--", "nowhere/")
    assert nothing.code == 0
    assert "nothing to review" in nothing.stderr


def test_paths_reach_the_model(pushable: Pushable, k2_server: K2Server) -> None:
    work = pushable.work
    work.write("app/util.py", UTIL_STAGED)
    work.commit("util")
    k2_server.script(CLEAN)
    done = reviewbot(
        work.path, "review", "--base", "main", "--", "app/util.py", env=model_env(k2_server)
    )
    assert done.code == 0, done.stderr
    task = k2_server.requests[0]["messages"][-1]["content"]
    assert "app/util.py" in task and "app/cache.py" not in task


def test_the_commit_messages_rank_the_context(pushable: Pushable) -> None:
    work = pushable.work
    work.checkout("main")
    work.write("app/ledger.py", "def post(entry):\n    return entry\n")
    work.commit("ledger")
    work.checkout("feature")
    work.git("rebase", "--quiet", "main")

    def context_line() -> str:
        done = reviewbot(work.path, "review", "--dry-run", "--base", "main")
        assert done.code == 0, done.stderr
        found = re.search(r"^context, most relevant first: (.*)$", done.stdout, re.MULTILINE)
        return found.group(1) if found else ""

    assert "app/ledger.py" not in context_line()
    work.git("commit", "--quiet", "--amend", "-m", "cache: expire entries before ledger.py posts")
    assert context_line().endswith(", app/ledger.py")  # after the co-changed files
