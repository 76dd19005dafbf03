"""RepoView at a commit and on the work tree: listing, reading, searching, and the sandbox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewbot.errors import PathRefusedError, RepositoryError
from reviewbot.repo.view import RepoView
from tests.helpers.gitrepo import GitRepo

APP = "".join(f"line{i}\n" for i in range(1, 11))
LFS = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\nsize 12345\n"
FILES: dict[str, bytes] = {
    "src/app.py": APP.encode(),
    "src/util.py": b"def util():\n    return 42\n",
    "docs/readme.md": b"# Docs\n",
    "data/blob.bin": b"\x00\x01\x02binary",
    "big.txt": b"y" * 5000,
    "lfs.bin": LFS,
    "latin1.txt": "caf\xe9\n".encode("latin-1"),
    "crlf.txt": b"a\r\nb\r\n",
    "nonl.txt": b"x\ny",
    "empty.txt": b"",
    "sep.txt": "a\u2028b\x0cc\nd\n".encode(),
    "utf8 split.txt": ("a" + "é" * 1500).encode(),  # a character straddles byte 1024
    ".env": b"SECRET=swordfish\n",
    "config/secrets.yaml": b"password: swordfish\n",
    ".gitignore": b"ignored.log\n",
}
LINKS = {
    "links/inside": "../src/app.py",
    "links/dir": "../src",
    "links/chain": "inside",
    "links/abs": "/etc/passwd",
    "links/up": "../../outside.txt",
    "links/env": "../.env",
    "links/git": "../.git/config",
    "links/loop1": "loop2",
    "links/loop2": "loop1",
}
REFUSED_LINKS = ["links/abs", "links/up", "links/env", "links/git", "links/loop1", "links/dir/../x"]


@pytest.fixture
def tree(make_repo: object, tmp_path: Path) -> GitRepo:
    (tmp_path / "outside.txt").write_text("OUTSIDE swordfish\n")
    repo: GitRepo = make_repo("repo")  # type: ignore[operator]
    for name, data in FILES.items():
        repo.write(name, data)
    for name, target in LINKS.items():
        repo.symlink(name, target)
    repo.commit("tree")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},sub")
    repo.commit("submodule", all_files=False)
    (repo.path / "sub").mkdir()
    return repo


@pytest.fixture(params=["ref", "worktree"])
def view(request: pytest.FixtureRequest, tree: GitRepo) -> RepoView:
    ref = "HEAD" if request.param == "ref" else None
    return RepoView(tree.path, ref, max_file_bytes=4000)


def test_tracked_files_with_sizes_and_kinds(view: RepoView) -> None:
    entries = {e.path: e for e in view.tracked_files()}
    assert ".env" not in entries and "config/secrets.yaml" not in entries
    for name, data in FILES.items():
        if name not in (".env", "config/secrets.yaml"):
            assert entries[name].size == len(data) and entries[name].kind == "file"
    assert entries["links/inside"].kind == "symlink"
    assert entries["links/inside"].size == len("../src/app.py")
    assert entries["sub"].kind == "submodule" and entries["sub"].size == 0
    assert [e.path for e in view.tracked_files()] == sorted(entries)


def test_list_files(view: RepoView) -> None:
    assert [e.path for e in view.list_files("src")] == ["src/app.py", "src/util.py"]
    assert [e.path for e in view.list_files("./src/")] == ["src/app.py", "src/util.py"]
    assert [e.path for e in view.list_files("src/app.py")] == ["src/app.py"]
    assert [e.path for e in view.list_files("", "*.py")] == ["src/app.py", "src/util.py"]
    assert [e.path for e in view.list_files(pattern="docs/**/*.md")] == ["docs/readme.md"]
    assert view.list_files("", "*.yaml") == []  # the only one is a secret
    with pytest.raises(RepositoryError, match="no readable file or folder 'nope'"):
        view.list_files("nope")
    with pytest.raises(PathRefusedError, match="deny list"):
        view.list_files(".env")
    with pytest.raises(PathRefusedError):
        view.list_files("../")


def test_read_whole_file_and_ranges(view: RepoView) -> None:
    whole = view.read("src/app.py")
    assert (whole.text, whole.start_line, whole.end_line, whole.total_lines) == (
        APP.rstrip("\n"),
        1,
        10,
        10,
    )
    part = view.read("src/app.py", 3, 5)
    assert (part.text, part.start_line, part.end_line) == ("line3\nline4\nline5", 3, 5)
    tail = view.read("src/app.py", 8, 50)
    assert (tail.text, tail.end_line) == ("line8\nline9\nline10", 10)
    with pytest.raises(RepositoryError, match="has 10 lines; start_line 11"):
        view.read("src/app.py", 11)
    with pytest.raises(RepositoryError, match="before start_line"):
        view.read("src/app.py", 5, 4)


def test_read_reports_what_it_cannot_show(view: RepoView) -> None:
    binary = view.read("data/blob.bin")
    assert binary.binary and binary.text == ""
    big = view.read("big.txt")
    assert big.too_large and big.text == "" and big.size == 5000
    lfs = view.read("lfs.bin")
    assert lfs.lfs_pointer and "git-lfs" in lfs.text
    latin = view.read("latin1.txt")
    assert latin.decoded_with_replacement and latin.text == "caf\ufffd"
    split = view.read("utf8 split.txt", 1, 1)
    assert not split.decoded_with_replacement and split.text == "a" + "é" * 1500


def test_line_counting_matches_git(view: RepoView) -> None:
    assert view.read("crlf.txt").total_lines == 2 and view.read("crlf.txt").text == "a\r\nb\r"
    assert view.read("nonl.txt").total_lines == 2
    assert view.read("sep.txt").total_lines == 2  # U+2028 and form feed do not end lines
    empty = view.read("empty.txt")
    assert (empty.text, empty.total_lines) == ("", 0)


def test_folders_and_submodules_are_not_files(view: RepoView) -> None:
    with pytest.raises(RepositoryError, match="is a folder"):
        view.read("src")
    with pytest.raises(RepositoryError, match="submodule"):
        view.read("sub")
    with pytest.raises(RepositoryError, match=r"no file 'missing\.py'"):
        view.read("missing.py")


def test_symlinks_inside_are_followed(view: RepoView) -> None:
    assert view.read("links/inside").text == APP.rstrip("\n")
    assert view.read("links/inside").path == "src/app.py"
    assert view.read("links/chain").path == "src/app.py"
    assert view.read("links/dir/util.py").text == "def util():\n    return 42"


@pytest.mark.parametrize("path", REFUSED_LINKS)
def test_symlinks_out_or_to_secrets_are_refused(view: RepoView, path: str) -> None:
    with pytest.raises(PathRefusedError) as info:
        view.read(path)
    assert "swordfish" not in str(info.value) and "root:" not in str(info.value)


@pytest.mark.parametrize("path", [".env", "config/secrets.yaml", ".git/config", "../outside.txt"])
def test_secrets_and_escapes_are_refused(view: RepoView, path: str) -> None:
    with pytest.raises(PathRefusedError):
        view.read(path)


def test_read_many(view: RepoView) -> None:
    wanted = ["src/util.py", "src/app.py", "links/inside", "data/blob.bin"]
    got = list(view.read_many(wanted))
    assert [p for p, _ in got] == wanted
    assert got[0][1] == FILES["src/util.py"] and got[2][1] == FILES["src/app.py"]
    assert got[3][1] == FILES["data/blob.bin"]
    many = [name for name in FILES if name not in (".env", "config/secrets.yaml")] * 20
    assert [data for _, data in view.read_many(many)] == [FILES[name] for name in many]
    refused = view.read_many(["src/app.py", "links/env"])
    with pytest.raises(PathRefusedError):
        next(refused)  # checked before anything is read


def test_search(view: RepoView) -> None:
    found = view.search(r"line\d+$", path_glob="*.py")
    assert [(m.path, m.line) for m in found.matches] == [("src/app.py", n) for n in range(1, 11)]
    assert not found.truncated
    some = view.search(r"line\d", max_results=3)
    assert len(some.matches) == 3 and some.truncated
    assert view.search("swordfish").matches == ()  # only in denied files (and outside)
    assert view.search(r"return \d+", path_glob="src/*.py").matches[0].line == 2
    with pytest.raises(RepositoryError, match="check the regular expression"):
        view.search("broken(")


def test_unknown_ref_and_not_a_repository(tree: GitRepo, tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match="unknown ref 'nope'"):
        RepoView(tree.path, "nope")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(RepositoryError, match="not inside a git repository"):
        RepoView(plain)


def test_extra_deny_paths(tree: GitRepo) -> None:
    view = RepoView(tree.path, "HEAD", deny_paths=["docs/"])
    assert all(not e.path.startswith("docs/") for e in view.tracked_files())
    with pytest.raises(PathRefusedError, match="deny list"):
        view.read("docs/readme.md")


def test_work_tree_sees_untracked_but_not_ignored(tree: GitRepo) -> None:
    tree.write("untracked.txt", "fresh swordfish-free text\n")
    tree.write("ignored.log", "ignored text\n")
    tree.write("src/app.py", "changed\n")
    view = RepoView(tree.path)
    paths = {e.path for e in view.tracked_files()}
    assert "untracked.txt" in paths and "ignored.log" not in paths
    assert view.read("src/app.py").text == "changed"
    assert view.read("untracked.txt").total_lines == 1
    with pytest.raises(RepositoryError, match=r"no file 'ignored\.log'"):
        view.read("ignored.log")
    assert [m.path for m in view.search("fresh").matches] == ["untracked.txt"]
    assert view.search("ignored text").matches == ()
    at_head = RepoView(tree.path, "HEAD")
    assert at_head.read("src/app.py").total_lines == 10  # the commit, not the disk


def test_work_tree_symlink_to_an_outside_file(tree: GitRepo, tmp_path: Path) -> None:
    os.symlink(tmp_path / "outside.txt", tree.path / "abs-link.txt")
    view = RepoView(tree.path)
    with pytest.raises(PathRefusedError, match="outside the repository"):
        view.read("abs-link.txt")
    assert view.search("OUTSIDE").matches == ()


def test_search_at_a_commit_never_sees_uncommitted_edits(tree: GitRepo) -> None:
    clean = RepoView(tree.path, "HEAD")
    assert [m.line for m in clean.search("line3").matches] == [3]  # served from the disk
    tree.write("src/app.py", "changed on disk\n")
    dirty = RepoView(tree.path, "HEAD")
    assert dirty.search("changed on disk").matches == ()
    assert [m.line for m in dirty.search("line3").matches] == [3]
    tree.commit("change app")
    older = RepoView(tree.path, "HEAD~1")
    assert older.search("changed on disk").matches == ()
    assert [m.path for m in RepoView(tree.path, "HEAD").search("changed on").matches] == [
        "src/app.py"
    ]


def test_view_as_a_context_manager(tree: GitRepo) -> None:
    with RepoView(tree.path, "HEAD") as view:
        assert view.read("src/util.py").total_lines == 2
    with RepoView(tree.path, "HEAD") as view:  # a closed view's repository can be reopened
        assert view.read("links/inside").path == "src/app.py"


@pytest.mark.parametrize("glob", ["../*", "/etc/*", ".git/*", "a\0b"])
def test_search_globs_stay_inside(view: RepoView, glob: str) -> None:
    with pytest.raises(PathRefusedError):
        view.search("x", path_glob=glob)


def test_read_many_can_stop_early(view: RepoView) -> None:
    names = ["src/app.py", "src/util.py", "big.txt", "lfs.bin"] * 50  # enough for two processes
    reader = view.read_many(names)
    assert next(reader) == ("src/app.py", FILES["src/app.py"])
    reader.close()  # kills the git processes and joins their feeders: must not hang
    assert len(list(view.read_many(names))) == 200
