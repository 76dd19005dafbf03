"""Base/head resolution on real repositories: every fallback and every failure message."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewbot.errors import RepositoryError
from reviewbot.repo.refs import RevRange, resolve_range
from tests.helpers.gitrepo import GitRepo

MakeRepo = Callable[..., GitRepo]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def history(repo: GitRepo) -> dict[str, str]:
    """main: c1 - c2; feature (from c1): f1 - f2. Returns the shas by name."""
    shas = {}
    repo.write("a.txt", "one\n")
    shas["c1"] = repo.commit("c1")
    repo.branch("feature")
    repo.write("f.txt", "feature\n")
    shas["f1"] = repo.commit("f1")
    repo.write("f.txt", "feature 2\n")
    shas["f2"] = repo.commit("f2")
    repo.checkout("main")
    repo.write("a.txt", "two\n")
    shas["c2"] = repo.commit("c2")
    repo.checkout("feature")
    return shas


def clone(source: GitRepo, dest: Path, *extra: str) -> Path:
    git(source.path.parent, "clone", "-q", *extra, f"file://{source.path}", str(dest))
    git(dest, "config", "user.email", "t@example.invalid")
    git(dest, "config", "user.name", "T")
    return dest


def error_of(root: Path, base: str | None = None) -> str:
    with pytest.raises(RepositoryError) as info:
        resolve_range(root, base)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_explicit_base_uses_the_merge_base(make_repo: MakeRepo) -> None:
    repo = make_repo()
    shas = history(repo)
    found = resolve_range(repo.path, "main")
    assert found == RevRange(shas["c2"], shas["f2"], "main", shas["c1"])


@pytest.mark.parametrize("base", ["HEAD~1", "c1-tag", "FULL_SHA", "SHORT_SHA"])
def test_explicit_base_takes_any_commit_ish(make_repo: MakeRepo, base: str) -> None:
    repo = make_repo()
    shas = history(repo)
    repo.git("tag", "c1-tag", shas["c1"])
    base = {"FULL_SHA": shas["f1"], "SHORT_SHA": shas["f1"][:9]}.get(base, base)
    found = resolve_range(repo.path, base)
    assert found.head_sha == shas["f2"]
    assert found.merge_base_sha == (shas["c1"] if base == "c1-tag" else shas["f1"])
    assert found.base_ref_label == base


def test_upstream_merge_base_is_the_default(make_repo: MakeRepo, tmp_path: Path) -> None:
    source = make_repo("source")
    shas = history(source)
    work = clone(source, tmp_path / "work")
    git(work, "checkout", "-q", "-b", "topic", "--track", "origin/main")
    git(work, "reset", "-q", "--hard", shas["c1"])  # topic now lags origin/main
    (work / "t.txt").write_text("topic\n")
    git(work, "add", "t.txt")
    git(work, "commit", "-qm", "topic work")
    found = resolve_range(work, None)
    assert found.base_ref_label == "origin/main (upstream)"
    assert found.base_sha == shas["c2"]
    assert found.merge_base_sha == shas["c1"]


def test_origin_head_when_there_is_no_upstream(make_repo: MakeRepo, tmp_path: Path) -> None:
    source = make_repo("source")
    shas = history(source)
    source.checkout("main")  # the remote's default branch, which origin/HEAD follows
    work = clone(source, tmp_path / "work")
    git(work, "checkout", "-q", "--no-track", "-b", "topic", "origin/feature")
    git(work, "branch", "-q", "-D", "main")  # no local trunk either: origin/HEAD must decide
    found = resolve_range(work, None)
    assert found.base_ref_label == "origin/main (origin/HEAD)"
    assert (found.base_sha, found.merge_base_sha) == (shas["c2"], shas["c1"])


@pytest.mark.parametrize("trunk", ["main", "master"])
def test_main_or_master_fallback(make_repo: MakeRepo, trunk: str) -> None:
    repo = make_repo(branch=trunk)
    repo.write("a.txt", "1\n")
    first = repo.commit("first")
    repo.branch("topic")
    repo.write("a.txt", "2\n")
    head = repo.commit("second")
    found = resolve_range(repo.path, None)
    assert found == RevRange(first, head, f"{trunk} (fallback)", first)


def test_detached_head_needs_an_explicit_base(make_repo: MakeRepo) -> None:
    repo = make_repo()
    shas = history(repo)
    repo.checkout(shas["f2"])
    message = error_of(repo.path)
    assert "detached" in message and "--base" in message
    assert resolve_range(repo.path, "main").merge_base_sha == shas["c1"]


def test_unborn_branch(make_repo: MakeRepo) -> None:
    repo = make_repo()
    message = error_of(repo.path)
    assert "'main' has no commits yet" in message and "commit" in message


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert "not inside a git repository" in error_of(plain)
    assert "does not exist" in error_of(tmp_path / "missing")


def test_unknown_ref(make_repo: MakeRepo) -> None:
    repo = make_repo()
    history(repo)
    message = error_of(repo.path, "no-such-branch")
    assert "unknown ref 'no-such-branch'" in message and "git fetch" in message
    assert "unknown ref" in error_of(repo.path, "--output=/tmp/x")  # never read as an option


def test_no_base_candidates(make_repo: MakeRepo) -> None:
    repo = make_repo(branch="trunk")
    repo.write("a.txt", "1\n")
    repo.commit("first")
    message = error_of(repo.path)
    assert "no upstream" in message and "--base" in message


def test_unrelated_histories(make_repo: MakeRepo) -> None:
    repo = make_repo()
    history(repo)
    repo.git("checkout", "-q", "--orphan", "lonely")
    repo.write("z.txt", "z\n")
    repo.commit("orphan")
    assert "no common history" in error_of(repo.path, "main")


def test_shallow_clone_says_how_to_fetch_history(make_repo: MakeRepo, tmp_path: Path) -> None:
    source = make_repo("source")
    history(source)
    work = clone(source, tmp_path / "shallow", "--depth", "1", "--no-single-branch")
    git(work, "checkout", "-q", "feature")
    for base in ("origin/main", "HEAD~1"):
        message = error_of(work, base)
        assert "shallow" in message
        assert "fetch-depth: 0" in message and "git fetch --unshallow" in message


def test_shallow_single_commit_without_other_refs(make_repo: MakeRepo, tmp_path: Path) -> None:
    source = make_repo("source")
    history(source)
    work = clone(source, tmp_path / "one", "--depth", "1", "--branch", "feature")
    git(work, "checkout", "-q", "--detach")
    git(work, "branch", "-q", "-D", "feature")
    git(work, "update-ref", "-d", "refs/remotes/origin/HEAD")
    git(work, "update-ref", "-d", "refs/remotes/origin/feature")
    git(work, "checkout", "-q", "-b", "topic")
    assert "fetch-depth: 0" in error_of(work)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(base=st.text(min_size=1, max_size=30))
def test_any_base_string_is_a_range_or_a_clear_error(repo: GitRepo, base: str) -> None:
    outcome: RevRange | RepositoryError
    try:
        outcome = resolve_range(repo.path, base)
    except RepositoryError as exc:
        outcome = exc
    if isinstance(outcome, RepositoryError):
        assert "\n" not in str(outcome)
    else:
        assert len(outcome.head_sha) == 40
