"""The fake's own diff oracle, checked against real `git diff` output."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.conftest import OLD_APP, Seeded, _new_app
from tests.fakes.github_files import files_from_git_diff
from tests.fakes.github_hunks import PatchError, parse_patch
from tests.helpers.gitrepo import GitRepo


def _by_name(seeded: Seeded) -> dict[str, str | None]:
    return {f.filename: f.patch for f in seeded.files}


def test_files_from_git_diff_reads_status_rename_and_binary(seeded: Seeded) -> None:
    files = {f.filename: f for f in seeded.files}
    assert set(files) == {"app.py", "new.py", "gone.txt", "docs/b.md", "logo.bin"}
    assert files["new.py"].status == "added"
    assert files["gone.txt"].status == "removed"
    assert files["docs/b.md"].status == "renamed"
    assert files["docs/b.md"].previous_filename == "docs/a.md"
    assert files["app.py"].status == "modified"
    assert files["logo.bin"].patch is None
    assert files["app.py"].patch is not None and files["app.py"].patch.startswith(
        "@@ -2,14 +2,13 @@"
    )


def test_commentable_lines_follow_the_hunks(seeded: Seeded) -> None:
    patch = parse_patch(_by_name(seeded)["app.py"] or "")
    assert len(patch.hunks) == 2
    assert patch.commentable("RIGHT") == frozenset(range(2, 15)) | frozenset(range(23, 31))
    assert patch.commentable("LEFT") == frozenset(range(2, 16)) | frozenset(range(24, 30))
    assert 1 not in patch.commentable("RIGHT")  # before the first hunk
    assert 20 not in patch.commentable("RIGHT")  # between hunks


def test_line_numbers_point_at_the_right_text(seeded: Seeded) -> None:
    patch = parse_patch(_by_name(seeded)["app.py"] or "")
    old, new = OLD_APP.splitlines(), _new_app().splitlines()
    for n in patch.commentable("RIGHT"):
        anchor = patch.locate("RIGHT", n)
        assert anchor is not None and anchor.line.text == new[n - 1]
    for n in patch.commentable("LEFT"):
        anchor = patch.locate("LEFT", n)
        assert anchor is not None and anchor.line.text == old[n - 1]


def test_positions_count_later_hunk_headers(seeded: Seeded) -> None:
    patch = parse_patch(_by_name(seeded)["app.py"] or "")
    changed = patch.locate("RIGHT", 5)
    deleted = patch.locate("LEFT", 5)
    assert changed is not None and deleted is not None
    assert (deleted.line.position, changed.line.position) == (4, 5)
    assert patch.hunks[1].header_position == 16
    assert patch.at_position(16) is None  # the second "@@" line itself
    second = patch.locate("RIGHT", 23)
    assert second is not None and second.line.position == 17
    assert patch.at_position(17) == second


def test_diff_hunk_runs_from_header_to_the_line(seeded: Seeded) -> None:
    patch = parse_patch(_by_name(seeded)["app.py"] or "")
    anchor = patch.locate("RIGHT", 5)
    assert anchor is not None
    assert patch.diff_hunk(anchor) == (
        "@@ -2,14 +2,13 @@ line 1\n line 2\n line 3\n line 4\n-line 5\n+line 5 changed"
    )


def test_added_and_removed_files_have_one_side(seeded: Seeded) -> None:
    added = parse_patch(_by_name(seeded)["new.py"] or "")
    removed = parse_patch(_by_name(seeded)["gone.txt"] or "")
    assert (added.commentable("RIGHT"), added.commentable("LEFT")) == (
        frozenset({1, 2}),
        frozenset(),
    )
    assert (removed.commentable("RIGHT"), removed.commentable("LEFT")) == (
        frozenset(),
        frozenset({1}),
    )


def test_no_newline_marker_is_not_a_line(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.write("x.txt", "a\nb")
    base = repo.commit("base")
    repo.write("x.txt", "a\nc")
    head = repo.commit("head")
    [file] = files_from_git_diff(repo.git("diff", base, head))
    assert file.patch is not None and "\\ No newline at end of file" in file.patch
    patch = parse_patch(file.patch)
    assert patch.commentable("RIGHT") == {1, 2}
    assert patch.commentable("LEFT") == {1, 2}


def test_quoted_and_spaced_names(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.write("with space.txt", "1\n")
    repo.write("é.txt", "1\n")
    base = repo.commit("base")
    repo.write("with space.txt", "2\n")
    repo.write("é.txt", "2\n")
    head = repo.commit("head")
    names = {f.filename for f in files_from_git_diff(repo.git("diff", base, head))}
    assert names == {"with space.txt", "é.txt"}


@pytest.mark.parametrize(
    "text",
    [
        "@@ -1,2 +1,2 @@\n a\n-b",  # counts say two old lines and two new, body has fewer
        "not a hunk",
        "@@ -1 +1 @@\n?odd",
    ],
)
def test_malformed_patches_are_refused(text: str) -> None:
    with pytest.raises(PatchError):
        parse_patch(text)


def _git_diff(old: str, new: str, context: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder, "a.txt"), Path(folder, "b.txt")
        a.write_text(old)
        b.write_text(new)
        run = subprocess.run(
            ["git", "diff", "--no-index", "--no-color", f"-U{context}", str(a), str(b)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode in (0, 1), run.stderr
        return run.stdout


_lines = st.lists(st.sampled_from(["x", "y", "z", "", "w w"]), max_size=25)


@settings(max_examples=40, deadline=None)
@given(old=_lines, new=_lines, context=st.integers(0, 4))
def test_every_commentable_line_matches_the_files(
    old: list[str], new: list[str], context: int
) -> None:
    """Property over real git output: numbering on both sides agrees with the files."""
    old_text = "".join(f"{line}\n" for line in old)
    new_text = "".join(f"{line}\n" for line in new)
    files = files_from_git_diff(_git_diff(old_text, new_text, context))
    if old == new:
        assert files == ()
        return
    [file] = files
    patch = parse_patch(file.patch or "")
    for n in patch.commentable("RIGHT"):
        anchor = patch.locate("RIGHT", n)
        assert anchor is not None and anchor.line.text == new[n - 1]
    for n in patch.commentable("LEFT"):
        anchor = patch.locate("LEFT", n)
        assert anchor is not None and anchor.line.text == old[n - 1]
    added = sum(1 for h in patch.hunks for d in h.lines if d.kind == "+")
    removed = sum(1 for h in patch.hunks for d in h.lines if d.kind == "-")
    assert len(old) - removed + added == len(new)
