"""Numbered rendering: what the model sees is exactly what it may cite."""

from __future__ import annotations

from reviewbot.repo import PatchFile, changeset_from_git, changeset_from_patches
from reviewbot.repo.diff import ChangeSet, FileChange
from reviewbot.repo.render import describe, render_changeset, render_file
from tests.helpers.gitrepo import GitRepo

PATCH = (
    "@@ -9,3 +9,4 @@ def main():\n ctx\n-old\r\n+new\x1b[31m\n+more\n tail\n"
    "\\ No newline at end of file"
)


def test_exact_layout() -> None:
    (change,) = changeset_from_patches([PatchFile("src/app.py", "modified", PATCH)]).files
    assert render_file(change) == (
        "### src/app.py (modified)\n"
        "@@ -9,3 +9,4 @@ def main():\n"
        "  9   9   ctx\n"
        " 10     - old\\r\n"
        "     10 + new\\e[31m\n"
        "     11 + more\n"
        " 11  12   tail\n"
        "          \\ no newline at end of file\n"
    )


def test_every_number_shown_is_commentable() -> None:
    (change,) = changeset_from_patches([PatchFile("a", "modified", PATCH)]).files
    rows = render_file(change).splitlines()[2:-1]
    for row, line in zip(rows, change.hunks[0].lines, strict=True):
        old, new = row[:3].strip(), row[4:7].strip()
        if line.kind == "+":
            assert not old and int(new) in change.commentable("RIGHT")
        elif line.kind == "-":
            assert not new and int(old) in change.commentable("LEFT")
        else:
            assert int(new) in change.commentable("RIGHT")
            assert int(old) in change.commentable("LEFT")


def test_headers() -> None:
    cases = [
        (FileChange("b.py", "a.py", "renamed", similarity=92), "renamed from a.py, 92% similar"),
        (FileChange("c.py", "a.py", "copied"), "copied from a.py"),
        (FileChange("logo.png", None, "modified", binary=True), "modified; binary"),
        (
            FileChange("run.sh", None, "mode_changed", old_mode="100644", new_mode="100755"),
            "mode changed; mode 100644 -> 100755",
        ),
        (
            FileChange(
                "k", None, "type_changed", symlink=True, old_mode="100644", new_mode="120000"
            ),
            "type changed file -> symlink",
        ),
        (FileChange("vendor/x", None, "modified", submodule=True), "modified; submodule"),
    ]
    for change, expected in cases:
        assert describe(change) == f"{expected}; no lines to comment on"


def test_whole_changeset_from_git_is_deterministic(repo: GitRepo) -> None:
    base = repo.head()
    repo.write("z.txt", "z\n")
    repo.write("a b.txt", "a\n")
    repo.write("new\nline", "n\n")
    repo.commit("three files")
    changes = changeset_from_git(repo.path, base=base, head="HEAD")
    text = render_changeset(changes)
    assert text == render_changeset(changeset_from_git(repo.path, base=base, head="HEAD"))
    headers = [line for line in text.splitlines() if line.startswith("### ")]
    assert headers == ["### a b.txt (added)", "### new\\nline (added)", "### z.txt (added)"]
    assert render_changeset(changes, ["z.txt", "missing"]) == render_file(changes.files[2])
    assert render_changeset(ChangeSet("b", "h", ())) == ""
