"""Line maps from GitHub-style patches: which lines take comments, on which side, in which hunk."""

from __future__ import annotations

import pytest

from reviewbot.errors import RepositoryError
from reviewbot.repo import PatchFile, changeset_from_patches
from reviewbot.repo.diff import ChangeSet

# Two hunks: old 1-4 / new 1-5 and old 10-12 / new 11-12.
PATCH = (
    "@@ -1,4 +1,5 @@ def top():\n"
    " keep 1\n"
    "-gone 2\n"
    "+new 2\n"
    "+new 3\n"
    " keep 3/4\n"
    " keep 4/5\n"
    "@@ -10,3 +11,2 @@ class Later:\n"
    " ctx 10/11\n"
    "-gone 11\n"
    " ctx 12/12"
)


@pytest.fixture
def changes() -> ChangeSet:
    return changeset_from_patches([PatchFile("src/a.py", "modified", PATCH)], base="b", head="h")


def test_commentable_lines_per_side(changes: ChangeSet) -> None:
    change = changes.file("src/a.py")
    assert change is not None
    assert change.commentable("RIGHT") == {1, 2, 3, 4, 5, 11, 12}
    assert change.commentable("LEFT") == {1, 2, 3, 4, 10, 11, 12}
    assert change.added_lines() == {2, 3}
    assert change.deleted_lines() == {2, 11}
    assert [h.section for h in change.hunks] == ["def top():", "class Later:"]
    assert [h.index for h in change.hunks] == [0, 1]


def test_diff_line_numbers(changes: ChangeSet) -> None:
    change = changes.file("src/a.py")
    assert change is not None
    first = change.hunks[0].lines
    assert [(d.kind, d.old, d.new, d.text) for d in first[:4]] == [
        (" ", 1, 1, "keep 1"),
        ("-", 2, None, "gone 2"),
        ("+", None, 2, "new 2"),
        ("+", None, 3, "new 3"),
    ]


def test_hunk_of_and_ranges(changes: ChangeSet) -> None:
    change = changes.file("src/a.py")
    assert change is not None
    assert change.hunk_of(5) == 0 and change.hunk_of(11) == 1 and change.hunk_of(8) is None
    assert change.hunk_of(10, "LEFT") == 1 and change.hunk_of(5, "LEFT") is None
    assert changes.range_in_one_hunk("src/a.py", 1, 5, "RIGHT")
    assert not changes.range_in_one_hunk("src/a.py", 5, 11, "RIGHT")  # spans two hunks
    assert not changes.range_in_one_hunk("src/a.py", 3, 2, "RIGHT")  # reversed
    assert changes.range_in_one_hunk("src/a.py", 10, 12, "LEFT")
    assert not changes.range_in_one_hunk("other.py", 1, 1, "RIGHT")


def test_is_commentable(changes: ChangeSet) -> None:
    assert changes.is_commentable("src/a.py", 12)
    assert not changes.is_commentable("src/a.py", 13)
    assert changes.is_commentable("src/a.py", 11, "LEFT")
    assert not changes.is_commentable("src/a.py", 5, "LEFT")
    assert not changes.is_commentable("missing.py", 1)


@pytest.mark.parametrize(
    ("line", "side", "expected"),
    [
        (3, "RIGHT", 3),
        (8, "RIGHT", 5),  # 5 is 3 away, 11 is 3 away: ties go to the lower line
        (9, "RIGHT", 11),
        (100, "RIGHT", 12),
        (-4, "RIGHT", 1),
        (7, "LEFT", 4),  # 4 and 10 are both 3 away
        (8, "LEFT", 10),
    ],
)
def test_nearest_commentable(changes: ChangeSet, line: int, side: str, expected: int) -> None:
    assert changes.nearest_commentable("src/a.py", line, side) == expected  # type: ignore[arg-type]


def test_files_without_patch_have_no_lines() -> None:
    changes = changeset_from_patches(
        [
            PatchFile("logo.png", "modified", None),
            PatchFile("new.py", "renamed", None, previous_filename="old.py"),
            PatchFile("run.sh", "changed", None),
            PatchFile("gone.py", "removed", "@@ -1,2 +0,0 @@\n-a\n-b"),
        ]
    )
    logo, new, run, gone = changes.files
    assert logo.commentable("RIGHT") == frozenset() and logo.hunks == ()
    assert changes.nearest_commentable("logo.png", 3) is None
    assert (new.status, new.old_path) == ("renamed", "old.py")
    assert run.status == "mode_changed"
    assert gone.status == "deleted" and gone.commentable("LEFT") == {1, 2}
    assert gone.commentable("RIGHT") == frozenset()


def test_no_newline_marker_is_kept_on_the_line() -> None:
    patch = "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n\\ No newline at end of file"
    (change,) = changeset_from_patches([PatchFile("x", "modified", patch)]).files
    (hunk,) = change.hunks
    assert [(d.kind, d.text, d.no_newline) for d in hunk.lines] == [
        ("-", "a", True),
        ("+", "a", True),
    ]


def test_carriage_returns_and_separators_do_not_split_lines() -> None:
    patch = "@@ -1,2 +1,2 @@\n-a\r\n+b\x0bc\u2028d\x0ce\r\n ctx"
    (change,) = changeset_from_patches([PatchFile("x", "modified", patch)]).files
    lines = change.hunks[0].lines
    assert [d.text for d in lines] == ["a\r", "b\x0bc\u2028d\x0ce\r", "ctx"]
    assert change.commentable("RIGHT") == {1, 2}


def test_a_broken_patch_is_a_clear_error() -> None:
    with pytest.raises(RepositoryError, match=r"cannot parse the diff of 'x'"):
        changeset_from_patches([PatchFile("x", "modified", "@@ -1,3 +1,3 @@\n a\n")])
