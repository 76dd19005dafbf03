"""Random edits on real repositories, checked against an oracle that does not use git.

Each example builds a repository, commits a random set of files, applies random edits
(insertions, deletions, replacements, added, deleted and renamed files, trailing-newline
flips, CRLF conversions), commits again and parses the diff. The oracle knows both
versions of every file and checks, for every ``FileChange``:

* applying its hunks to the old content rebuilds the new content byte for byte (so every
  line number, kind, text and missing-newline marker is right);
* the commentable lines on each side are exactly the lines the hunks cover, inside the file;
* the unchanged lines (new lines not added, old lines not deleted) are the same sequence;
* GitHub-style patches of the same change give identical hunks (``changeset_from_patches``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reviewbot.repo import changeset_from_git, changeset_from_patches
from reviewbot.repo.diff import FileChange
from reviewbot.repo.render import render_file
from tests.helpers.gitrepo import GitRepo
from tests.repo.ghpatch import github_files

LINES = [
    "a",
    "b",
    "c",
    "",
    "x = 1",
    "    return y",
    "é ü ✓",
    "a\r",
    "b\r",
    "t\tz",
    "\u2028s",
    "\x0cf",
]
NAMES = ["a.txt", "dir/b.py", "c d.md", "ü/e.txt", "f"]
NEW_NAMES = ["moved/a.txt", "g h.txt", "日本.txt", "z"]


@dataclass(frozen=True)
class Content:
    lines: tuple[str, ...]
    final_newline: bool

    def data(self) -> bytes:
        if not self.lines:
            return b""
        text = "\n".join(self.lines) + ("\n" if self.final_newline else "")
        return text.encode("utf-8")


line_lists = st.lists(st.sampled_from(LINES), max_size=25)
contents = st.builds(lambda ls, nl: Content(tuple(ls), nl), line_lists, st.booleans())


@st.composite
def edited(draw: st.DrawFn, before: Content) -> Content:
    lines = list(before.lines)
    final_newline = before.final_newline
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "newline", "crlf"]))
        at = draw(st.integers(0, len(lines)))
        span = draw(st.integers(0, 6))
        if op == "insert":
            lines[at:at] = draw(st.lists(st.sampled_from(LINES), min_size=1, max_size=6))
        elif op == "delete":
            del lines[at : at + span]
        elif op == "replace":
            lines[at : at + span] = draw(st.lists(st.sampled_from(LINES), max_size=6))
        elif op == "newline":
            final_newline = not final_newline
        else:
            strip = draw(st.booleans())
            lines = [
                ln.removesuffix("\r") if strip else ln.removesuffix("\r") + "\r" for ln in lines
            ]
    return Content(tuple(lines), final_newline)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(files before, files after) as path -> bytes."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    before = {name: draw(contents) for name in names}
    after: dict[str, Content] = {}
    free = list(NEW_NAMES)
    for name, content in before.items():
        action = draw(st.sampled_from(["keep", "edit", "edit", "delete", "rename", "rename-edit"]))
        if action == "keep":
            after[name] = content
        elif action == "edit":
            after[name] = draw(edited(content))
        elif action.startswith("rename") and free:
            target = free.pop(draw(st.integers(0, len(free) - 1)))
            after[target] = draw(edited(content)) if action == "rename-edit" else content
    for _ in range(draw(st.integers(0, 2))):
        if free:
            after[free.pop(0)] = draw(contents)
    return (
        {name: c.data() for name, c in before.items()},
        {name: c.data() for name, c in after.items()},
    )


def split(data: bytes) -> tuple[list[str], bool]:
    text = data.decode("utf-8")
    if not text:
        return [], True
    lines = text.split("\n")
    if lines[-1] == "":
        return lines[:-1], True
    return lines, False


def rebuild(old: bytes, change: FileChange) -> bytes:
    """The new file from the old one and the hunks alone; asserts every number on the way."""
    old_lines, old_newline = split(old)
    out: list[tuple[str, bool]] = []
    pos = 0

    def copy_until(stop: int) -> None:
        nonlocal pos
        while pos < stop:
            out.append((old_lines[pos], pos < len(old_lines) - 1 or old_newline))
            pos += 1

    for hunk in change.hunks:
        first = hunk.old_start if hunk.old_count == 0 else hunk.old_start - 1
        assert first >= pos, "hunks overlap or go backwards"
        copy_until(first)
        assert hunk.new_start == (len(out) if hunk.new_count == 0 else len(out) + 1)
        for line in hunk.lines:
            if line.kind in " -":
                assert line.old == pos + 1 and old_lines[pos] == line.text
                pos += 1
            else:
                assert line.old is None
            if line.kind in " +":
                assert line.new == len(out) + 1
                out.append((line.text, not line.no_newline))
            else:
                assert line.new is None
        assert sum(ln.kind in " -" for ln in hunk.lines) == hunk.old_count
        assert sum(ln.kind in " +" for ln in hunk.lines) == hunk.new_count
    copy_until(len(old_lines))
    return "".join(text + ("\n" if newline else "") for text, newline in out).encode("utf-8")


def covered(change: FileChange, side: str) -> set[int]:
    lines: set[int] = set()
    for hunk in change.hunks:
        start, count = (
            (hunk.new_start, hunk.new_count)
            if side == "RIGHT"
            else (hunk.old_start, hunk.old_count)
        )
        lines.update(range(start, start + count))
    return lines


def check_change(change: FileChange, old: bytes, new: bytes) -> None:
    assert rebuild(old, change) == new
    old_lines, _ = split(old)
    new_lines, _ = split(new)
    right, left = change.commentable("RIGHT"), change.commentable("LEFT")
    assert right == covered(change, "RIGHT") and right <= set(range(1, len(new_lines) + 1))
    assert left == covered(change, "LEFT") and left <= set(range(1, len(old_lines) + 1))
    added, deleted = change.added_lines(), change.deleted_lines()
    kept_new = [text for n, text in enumerate(new_lines, 1) if n not in added]
    kept_old = [text for n, text in enumerate(old_lines, 1) if n not in deleted]
    assert kept_new == kept_old
    for hunk in change.hunks:
        for line in hunk.lines:
            if line.kind != "-":
                assert change.hunk_of(line.new or 0, "RIGHT") == hunk.index
            if line.kind != "+":
                assert change.hunk_of(line.old or 0, "LEFT") == hunk.index
    rendered = render_file(change)
    rows = sum(len(h.lines) + 1 + sum(ln.no_newline for ln in h.lines) for h in change.hunks)
    assert rendered.count("\n") == 1 + rows


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_line_maps_match_an_independent_oracle(
    scenario: tuple[dict[str, bytes], dict[str, bytes]],
) -> None:
    before, after = scenario
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo.create(Path(tmp) / "r")
        for name, data in before.items():
            repo.write(name, data)
        base = repo.commit("before")
        for name in before:
            (repo.path / name).unlink()
        for name, data in after.items():
            repo.write(name, data)
        head = repo.commit("after")
        changes = changeset_from_git(repo.path, base=base, head=head)

        seen: set[str] = set()
        for change in changes.files:
            assert change.status in ("added", "deleted", "modified", "renamed")
            old_path = change.old_path or change.path
            old = b"" if change.status == "added" else before[old_path]
            new = b"" if change.status == "deleted" else after[change.path]
            if change.status == "renamed":
                assert old_path not in after and change.path not in before
            check_change(change, old, new)
            event(f"status {change.status}")  # --hypothesis-show-statistics shows the mix
            if any(line.no_newline for hunk in change.hunks for line in hunk.lines):
                event("missing final newline in a hunk")
            if b"\r\n" in old + new:
                event("CRLF lines")
            seen.update({change.path, old_path})
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        assert changed <= seen
        assert all(change.path in changed or change.old_path in changed for change in changes.files)

        from_github = changeset_from_patches(github_files(repo.path, changes))
        assert [f.path for f in from_github.files] == [f.path for f in changes.files]
        for mine, theirs in zip(changes.files, from_github.files, strict=True):
            assert mine.hunks == theirs.hunks
            assert mine.commentable("RIGHT") == theirs.commentable("RIGHT")
            assert mine.commentable("LEFT") == theirs.commentable("LEFT")
