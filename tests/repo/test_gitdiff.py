"""``changeset_from_git`` on real repositories: every awkward kind of change."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewbot.errors import RepositoryError, UsageError
from reviewbot.repo import changeset_from_git, changeset_from_patches
from reviewbot.repo.diff import ChangeSet, FileChange
from reviewbot.repo.refs import resolve_range
from tests.helpers.gitrepo import GitRepo
from tests.repo.ghpatch import github_files

MakeRepo = Callable[..., GitRepo]


def diff_of(repo: GitRepo, base: str, head: str = "HEAD") -> ChangeSet:
    changes = changeset_from_git(repo.path, base=base, head=head)
    # Every local change must give the same line maps as GitHub's patches of it.
    from_github = changeset_from_patches(github_files(repo.path, changes))
    for patch_change in from_github.files:
        git_change = changes.file(patch_change.path)
        assert git_change is not None
        assert git_change.hunks == patch_change.hunks, patch_change.path
    return changes


def only(changes: ChangeSet) -> FileChange:
    assert len(changes.files) == 1, [f.path for f in changes.files]
    return changes.files[0]


def test_modified_file_numbers_both_sides(repo: GitRepo) -> None:
    repo.write("a.py", "".join(f"line {i}\n" for i in range(1, 21)))
    base = repo.commit("base")
    lines = [f"line {i}\n" for i in range(1, 21)]
    lines[4] = "changed 5\n"
    lines.insert(15, "inserted\n")
    repo.write("a.py", "".join(lines))
    repo.commit("edit")
    change = only(diff_of(repo, base))
    assert change.status == "modified" and change.old_path is None
    assert change.added_lines() == {5, 16}
    assert change.deleted_lines() == {5}
    assert change.commentable("RIGHT") == set(range(2, 9)) | set(range(13, 20))
    assert change.commentable("LEFT") == set(range(2, 9)) | set(range(13, 19))


def test_added_and_deleted_files(repo: GitRepo) -> None:
    repo.write("old.txt", "a\nb\n")
    base = repo.commit("base")
    repo.delete("old.txt")
    repo.write("new.txt", "x\ny\nz\n")
    repo.commit("swap")
    changes = diff_of(repo, base)
    new, old = changes.file("new.txt"), changes.file("old.txt")
    assert new is not None and old is not None
    assert (new.status, new.commentable("RIGHT"), new.commentable("LEFT")) == (
        "added",
        {1, 2, 3},
        frozenset(),
    )
    assert (old.status, old.commentable("LEFT"), old.new_mode) == ("deleted", {1, 2}, None)


def test_binary_files(repo: GitRepo) -> None:
    repo.write("img.bin", b"\x89PNG\0\0\x01")
    base = repo.commit("base")
    repo.write("img.bin", b"\x89PNG\0\0\x02")
    repo.write("added.bin", bytes(range(256)))
    repo.commit("binary")
    changes = diff_of(repo, base)
    for path in ("img.bin", "added.bin"):
        change = changes.file(path)
        assert change is not None and change.binary and change.hunks == ()
        assert change.commentable("RIGHT") == frozenset()


def test_submodule_pointer_change(repo: GitRepo) -> None:
    sha1, sha2 = "1" * 40, "2" * 40
    base = repo.head()
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sha1},vendor/lib")
    mid = repo.commit("add submodule", all_files=False)
    repo.git("update-index", "--cacheinfo", f"160000,{sha2},vendor/lib")
    repo.commit("bump submodule", all_files=False)
    added = only(diff_of(repo, base))
    assert added.submodule and added.status == "added" and added.new_mode == "160000"
    bumped = only(diff_of(repo, mid))
    assert bumped.submodule and bumped.status == "modified"
    assert [d.text for d in bumped.hunks[0].lines] == [
        f"Subproject commit {sha1}",
        f"Subproject commit {sha2}",
    ]


def test_symlink_added_and_type_change(repo: GitRepo) -> None:
    repo.write("target.txt", "t\n")
    repo.write("kind", "was a file\n")
    base = repo.commit("base")
    repo.symlink("link", "target.txt")
    (repo.path / "kind").unlink()
    repo.symlink("kind", "target.txt")
    repo.commit("links")
    changes = diff_of(repo, base)
    link, kind = changes.file("link"), changes.file("kind")
    assert link is not None and kind is not None
    assert link.symlink and link.new_mode == "120000"
    assert [(d.text, d.no_newline) for d in link.hunks[0].lines] == [("target.txt", True)]
    assert kind.status == "type_changed" and kind.symlink
    assert (kind.old_mode, kind.new_mode) == ("100644", "120000")
    assert kind.commentable("LEFT") == {1} and kind.commentable("RIGHT") == {1}
    assert [h.index for h in kind.hunks] == [0, 1]


def test_mode_change_with_and_without_edit(repo: GitRepo) -> None:
    repo.write("run.sh", "echo 1\n")
    repo.write("tool.sh", "echo 2\n")
    base = repo.commit("base")
    repo.chmod("run.sh", 0o755)
    repo.chmod("tool.sh", 0o755)
    repo.write("tool.sh", "echo 3\n")
    repo.commit("modes")
    changes = diff_of(repo, base)
    run, tool = changes.file("run.sh"), changes.file("tool.sh")
    assert run is not None and tool is not None
    assert (run.status, run.old_mode, run.new_mode, run.hunks) == (
        "mode_changed",
        "100644",
        "100755",
        (),
    )
    assert tool.status == "modified" and tool.new_mode == "100755"
    assert tool.commentable("RIGHT") == {1}


def test_renames_with_and_without_edits(repo: GitRepo) -> None:
    body = "".join(f"row {i}\n" for i in range(30))
    repo.write("pure/old.txt", body.upper())
    repo.write("edited/old.txt", body)
    base = repo.commit("base")
    repo.rename("pure/old.txt", "pure/new.txt")
    repo.rename("edited/old.txt", "edited/new name.txt")
    repo.write("edited/new name.txt", body.replace("row 7\n", "row seven\n"))
    repo.commit("renames")
    changes = diff_of(repo, base)
    pure, edited = changes.file("pure/new.txt"), changes.file("edited/new name.txt")
    assert pure is not None and edited is not None
    assert (pure.status, pure.old_path, pure.similarity, pure.hunks) == (
        "renamed",
        "pure/old.txt",
        100,
        (),
    )
    assert (edited.status, edited.old_path) == ("renamed", "edited/old.txt")
    assert edited.similarity is not None and 50 <= edited.similarity < 100
    assert edited.added_lines() == {8} and edited.deleted_lines() == {8}


def test_empty_files_and_missing_final_newline(repo: GitRepo) -> None:
    repo.write("gone-empty", "")
    repo.write("tail.txt", "a\nb")
    base = repo.commit("base")
    repo.delete("gone-empty")
    repo.write("tail.txt", "a\nb\nc")
    middle = repo.commit("edit")
    repo.write("empty", "")
    repo.commit("add empty")
    changes = diff_of(repo, base, middle)
    gone, tail = changes.file("gone-empty"), changes.file("tail.txt")
    assert gone is not None and tail is not None
    assert (gone.status, gone.hunks) == ("deleted", ())
    assert [(d.kind, d.text, d.no_newline) for d in tail.hunks[0].lines] == [
        (" ", "a", False),
        ("-", "b", True),
        ("+", "b", False),
        ("+", "c", True),
    ]
    empty = only(diff_of(repo, middle))
    assert (empty.path, empty.status, empty.hunks) == ("empty", "added", ())


def test_non_utf8_content_is_replaced_not_fatal(repo: GitRepo) -> None:
    repo.write("latin1.txt", "caf\xe9\n".encode("latin-1") + b"ok\n")
    base = repo.commit("base")
    repo.write("latin1.txt", "caf\xe9\n".encode("latin-1") + b"changed\n")
    repo.commit("edit")
    change = only(diff_of(repo, base))
    texts = [d.text for d in change.hunks[0].lines]
    assert texts == ["caf\ufffd", "ok", "changed"]


@pytest.mark.parametrize(
    "name",
    [
        "with space.txt",
        "ünïcødé/日本語.txt",
        "new\nline.txt",
        "tab\there.txt",
        'quote"d.txt',
        "back\\slash.txt",
        "a b/c b/d.txt",
        "-dash.txt",
    ],
)
def test_awkward_paths(repo: GitRepo, name: str) -> None:
    repo.write(name, "1\n2\n")
    base = repo.commit("add")
    repo.write(name, "1\n3\n")
    repo.commit("edit")
    change = only(diff_of(repo, base))
    assert change.path == name
    assert change.added_lines() == {2}


def test_rename_between_awkward_paths(repo: GitRepo) -> None:
    repo.write("dir a/ä b.txt", "same\ncontent\nhere\n")
    base = repo.commit("add")
    repo.rename("dir a/ä b.txt", "dir b/new\nname.txt")
    repo.commit("move")
    change = only(diff_of(repo, base))
    assert (change.path, change.old_path, change.status) == (
        "dir b/new\nname.txt",
        "dir a/ä b.txt",
        "renamed",
    )


def test_ten_megabyte_single_line_file(repo: GitRepo) -> None:
    base = repo.head()
    repo.write("big.min.js", "x" * 10_000_000 + "\n")
    repo.commit("big")
    change = only(changeset_from_git(repo.path, base=base, head="HEAD"))
    assert change.commentable("RIGHT") == {1}
    assert len(change.hunks[0].lines[0].text) == 10_000_000


def test_range_from_resolve_range(repo: GitRepo) -> None:
    repo.branch("feature")
    repo.write("f.py", "print(1)\n")
    repo.commit("feature work")
    changes = changeset_from_git(repo.path, resolve_range(repo.path, "main"))
    assert [f.path for f in changes.files] == ["f.py"]
    default = changeset_from_git(repo.path)  # main (fallback) resolved internally
    assert default == changes


def test_base_and_head_diff_from_their_merge_base(repo: GitRepo) -> None:
    """Like a pull request: work that landed on main after branching is not in the diff."""
    repo.branch("feature")
    repo.write("f.py", "print(1)\n")
    feature = repo.commit("feature work")
    repo.checkout("main")
    repo.write("README.md", "# moved on\n")
    repo.commit("main moves on")
    changes = changeset_from_git(repo.path, base="main", head=feature)
    assert [f.path for f in changes.files] == ["f.py"]
    assert changes.head == feature
    repo.git("checkout", "-q", "--orphan", "lonely")
    repo.commit("unrelated root")
    with pytest.raises(RepositoryError, match="no common history"):
        changeset_from_git(repo.path, base="main", head="lonely")


def git_index_bytes(repo: GitRepo) -> bytes:
    return (repo.path / ".git" / "index").read_bytes()


def test_staged_and_worktree_scopes(repo: GitRepo) -> None:
    repo.write(".gitignore", "ignored.log\n")
    repo.write("a.txt", "a\n")
    base = repo.commit("base")
    repo.branch("feature")
    repo.write("committed.txt", "c\n")
    repo.commit("feature commit")
    repo.write("staged.txt", "s\n")
    repo.git("add", "staged.txt")
    repo.write("a.txt", "a\nunstaged\n")
    repo.write("untracked.txt", "u\n")
    repo.write("ignored.log", "noise\n")
    index_before = git_index_bytes(repo)

    def paths(scope: str) -> list[str]:
        found = changeset_from_git(repo.path, base="main", scope=scope)  # type: ignore[arg-type]
        assert found.base == base
        return [f.path for f in found.files]

    assert paths("commits") == ["committed.txt"]
    assert paths("staged") == ["committed.txt", "staged.txt"]
    assert paths("worktree") == ["a.txt", "committed.txt", "staged.txt", "untracked.txt"]
    assert git_index_bytes(repo) == index_before  # the user's index is never touched
    worktree = changeset_from_git(repo.path, base="HEAD", scope="worktree")
    assert (worktree.head, [f.path for f in worktree.files]) == (
        "WORKTREE",
        ["a.txt", "staged.txt", "untracked.txt"],
    )
    staged = changeset_from_git(repo.path, base="HEAD", scope="staged")
    assert (staged.head, [f.path for f in staged.files]) == ("INDEX", ["staged.txt"])


def test_scope_errors(repo: GitRepo) -> None:
    with pytest.raises(UsageError, match="unknown scope"):
        changeset_from_git(repo.path, base="HEAD", scope="everything")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="do not pass a head"):
        changeset_from_git(repo.path, base="HEAD", head="HEAD", scope="staged")
    with pytest.raises(RepositoryError, match="unknown ref 'nope'"):
        changeset_from_git(repo.path, base="nope")


def test_unresolved_conflict_in_staged_scope(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.write("c.txt", "base\n")
    repo.commit("base")
    repo.branch("other")
    repo.write("c.txt", "other\n")
    repo.commit("other")
    repo.checkout("main")
    repo.write("c.txt", "main\n")
    repo.commit("main")
    merge = subprocess.run(["git", "merge", "other"], cwd=repo.path, capture_output=True)
    assert merge.returncode != 0
    with pytest.raises(RepositoryError, match="unresolved merge conflicts") as info:
        changeset_from_git(repo.path, base="HEAD", scope="staged")
    assert "\n" not in str(info.value)
    worktree = changeset_from_git(repo.path, base="HEAD", scope="worktree")
    assert [f.path for f in worktree.files] == ["c.txt"]


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match="not inside a git repository"):
        changeset_from_git(tmp_path, base="HEAD")
