"""log, history and blame through RepoView."""

from __future__ import annotations

import pytest

from reviewbot.errors import PathRefusedError, RepositoryError
from reviewbot.repo import range_messages
from reviewbot.repo.view import RepoView
from tests.helpers.gitrepo import GitRepo


@pytest.fixture
def project(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """README (initial) -> a.py -> a.py + b.py + .env -> merge of a side branch.

    Each commit gets its own day, so "newest first" has one right answer.
    """

    def day(n: int) -> None:
        for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
            monkeypatch.setenv(name, f"2024-01-{n:02d}T12:00:00+00:00")

    day(2)
    repo.write("a.py", "one\ntwo\nthree\n")
    repo.commit("add a")
    day(3)
    repo.write("a.py", "one\nTWO\nthree\n")
    repo.write("b b.py", "b\n")
    repo.write(".env", "KEY=x\n")
    repo.commit("edit a, add b and a secret")
    day(4)
    repo.branch("side")
    repo.write("side.py", "s\n")
    repo.commit("side work")
    day(5)
    repo.checkout("main")
    repo.git("merge", "--no-ff", "-m", "merge side", "side")
    return repo


def test_log_newest_first_with_files(project: GitRepo) -> None:
    view = RepoView(project.path, "HEAD")
    log = view.log(max_count=10)
    assert [c.subject for c in log] == [
        "merge side",
        "side work",
        "edit a, add b and a secret",
        "add a",
        "initial",
    ]
    edit = log[2]
    assert edit.files == ("a.py", "b b.py")  # .env is denied, so it is not named
    assert edit.author == "Test Author" and edit.date_iso[:2] == "20" and len(edit.sha) == 40
    assert log[0].files == ()  # a merge lists no files
    assert [c.subject for c in view.log(max_count=2)] == ["merge side", "side work"]


def test_log_of_one_path_lists_the_whole_commits(project: GitRepo) -> None:
    view = RepoView(project.path, "HEAD")
    log = view.log("a.py")
    assert [c.subject for c in log] == ["edit a, add b and a secret", "add a"]
    assert log[0].files == ("a.py", "b b.py")
    with pytest.raises(PathRefusedError):
        view.log(".env")


def test_history_skips_merges(project: GitRepo) -> None:
    history = RepoView(project.path, "HEAD").history(max_commits=3)
    assert [c.subject for c in history] == ["side work", "edit a, add b and a secret", "add a"]
    assert history[0].files == ("side.py",)


def test_log_at_an_older_ref_and_on_an_empty_branch(project: GitRepo, make_repo: object) -> None:
    view = RepoView(project.path, "HEAD~1")  # the merge's first parent
    assert [c.subject for c in view.log()] == ["edit a, add b and a secret", "add a", "initial"]
    empty: GitRepo = make_repo("empty")  # type: ignore[operator]
    empty.write("x.txt", "x\n")
    assert RepoView(empty.path).log() == []


def test_blame_committed_and_uncommitted(project: GitRepo) -> None:
    at_head = RepoView(project.path, "HEAD")
    lines = at_head.blame("a.py", 1, 3)
    assert [(b.line, b.text) for b in lines] == [(1, "one"), (2, "TWO"), (3, "three")]
    assert [b.summary for b in lines] == ["add a", "edit a, add b and a secret", "add a"]
    assert lines[0].sha == lines[2].sha != lines[1].sha
    assert lines[0].author == "Test Author" and lines[0].date_iso == "2024-01-02T12:00:00+00:00"
    project.write("a.py", "one\nTWO\nthree!\n")
    on_disk = RepoView(project.path).blame("a.py", 3, 3)
    assert on_disk[0].sha == "0" * 40 and on_disk[0].text == "three!"
    assert [b.line for b in at_head.blame("a.py", 2, 9)] == [2, 3]  # git clamps the end
    with pytest.raises(RepositoryError, match="has only 3 lines"):
        at_head.blame("a.py", 5, 9)
    with pytest.raises(RepositoryError, match="bad line range"):
        at_head.blame("a.py", 0, 1)
    with pytest.raises(PathRefusedError):
        at_head.blame(".env", 1, 1)


def test_the_messages_of_a_range_are_its_commits_without_the_merges(project: GitRepo) -> None:
    first = project.git("rev-list", "--max-parents=0", "HEAD").strip()
    assert range_messages(project.path, first, "HEAD") == (
        "side work\n\nedit a, add b and a secret\n\nadd a"
    )
    assert range_messages(project.path, "HEAD", "HEAD") == ""


def test_a_message_keeps_its_body_and_a_long_range_its_newest_commits(repo: GitRepo) -> None:
    base = repo.head()
    for i in range(4):
        repo.write("n.txt", f"{i}\n")
        repo.commit(f"step {i}\n\nwhy {i}, in the body")
    messages = range_messages(repo.path, base, "HEAD", limit=2)
    assert messages == "step 3\nwhy 3, in the body\n\nstep 2\nwhy 2, in the body"
