"""The model-facing tools over a real repository: capped outputs that say how to get the
rest, anchors checked against the real diff with the nearest valid line offered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.tools import FindingsBook, OutputLimits, ReviewTools
from reviewbot.pipeline.run import code_from_diff
from reviewbot.repo import (
    ChangeSet,
    PatchFile,
    RepoView,
    changeset_from_git,
    changeset_from_patches,
    resolve_range,
)
from reviewbot.review.findings import Finding
from tests.helpers.gitrepo import GitRepo

EV = "src/numbers.txt:50"  # evidence: a line that exists
BEFORE = "".join(f"line {i}\n" for i in range(1, 101))
AFTER = BEFORE.replace("line 50\n", "line fifty\n").replace("line 70\n", "")


@pytest.fixture
def tools(make_repo: Callable[..., GitRepo]) -> tuple[ReviewTools, FindingsBook]:
    repo = make_repo("t")
    repo.write("src/numbers.txt", BEFORE)
    for i in range(30):
        repo.write(f"src/gen/file{i:02}.py", f"VALUE = {i}\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("src/numbers.txt", AFTER)
    repo.commit("edit")
    changes = changeset_from_git(repo.path, resolve_range(repo.path, "main"))
    view = RepoView(repo.path, changes.head)
    book = FindingsBook()
    limits = OutputLimits(max_lines=20, max_chars=10_000, max_matches=5, max_files=10)
    return ReviewTools(view, changes, book, code_at=code_from_diff(changes), limits=limits), book


def test_read_file_is_numbered_and_capped_with_a_way_on(
    tools: tuple[ReviewTools, FindingsBook],
) -> None:
    t, _ = tools
    out = t.read_file("src/numbers.txt", start_line=45)
    lines = out.splitlines()
    assert lines[0] == "src/numbers.txt (lines 45-64 of 99)"
    assert lines[6] == "    50  line fifty"
    assert lines[-1] == "[35 more lines: read_file(path='src/numbers.txt', start_line=65)]"
    with pytest.raises(ToolArgumentError, match="start_line 500 is past the end"):
        t.read_file("src/numbers.txt", start_line=500)


def test_listing_and_search_are_capped(tools: tuple[ReviewTools, FindingsBook]) -> None:
    t, _ = tools
    listing = t.list_files(pattern="*.py")
    assert listing.startswith("30 files\n")
    assert "[20 more files: narrow with path or pattern]" in listing
    found = t.search_code("VALUE")
    assert found.count("\n") == 5  # five matches and the note
    assert found.endswith("[more matches not shown: narrow the pattern or path_glob]")
    assert t.search_code("nothing-like-this") == "no matches"


def test_add_comment_checks_the_anchor(tools: tuple[ReviewTools, FindingsBook]) -> None:
    t, book = tools
    with pytest.raises(ToolArgumentError, match="spans more than one hunk"):
        t.add_comment("src/numbers.txt", 50, "minor", "Range", "two hunks", EV, end_line=68)
    with pytest.raises(ToolArgumentError, match="only replace RIGHT-side"):
        t.add_comment(
            "src/numbers.txt", 70, "nit", "Gone", "deleted", EV, side="LEFT", suggestion="x"
        )
    assert book.findings == []

    ok = t.add_comment("src/numbers.txt", 50, "major", "Word instead of digits", "use 50", EV)
    assert ok == "recorded F1 on src/numbers.txt:50"
    again = t.add_comment("src/numbers.txt", 50, "major", "Word instead of digits!", "again", EV)
    assert again == "not recorded: the same finding is already recorded as F1"
    left = t.add_comment("src/numbers.txt", 70, "minor", "Line 70 removed", "why?", EV, side="LEFT")
    assert left == "recorded F2 on src/numbers.txt:70"
    assert [f.side for f in book.findings] == ["RIGHT", "LEFT"]
    assert book.findings[0].fingerprint != book.findings[1].fingerprint


def test_guarded_paths_come_back_as_tool_errors(tools: tuple[ReviewTools, FindingsBook]) -> None:
    t, _ = tools
    for path in ("../outside", "/etc/passwd", ".git/config", ".env"):
        with pytest.raises(ToolArgumentError, match="refused"):
            t.read_file(path)


def _added_after(shift: int, code: str) -> ChangeSet:
    """A pull request's patch that adds ``code`` below ``shift`` unchanged lines."""
    patch = f"@@ -1,{shift} +1,{shift + 1} @@\n" + " same\n" * shift + f"+{code}\n"
    return changeset_from_patches([PatchFile("app.py", "modified", patch)], base="b", head="h")


def _filed(view: RepoView, changes: ChangeSet, line: int, title: str) -> Finding:
    book = FindingsBook()
    tools = ReviewTools(view, changes, book, code_at=code_from_diff(changes))
    tools.add_comment("app.py", line, "major", title, "x may be None", EV)
    (finding,) = book.findings
    return finding


@settings(
    max_examples=40,
    deadline=None,  # each example files three findings through git (evidence is read)
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(a=st.integers(min_value=0, max_value=300), b=st.integers(min_value=0, max_value=300))
def test_a_finding_keeps_its_fingerprint_when_lines_shift(
    tools: tuple[ReviewTools, FindingsBook], a: int, b: int
) -> None:
    """The same finding on the same code, moved by lines added above it, is the same
    finding (a later run must not post it again); other code is another finding."""
    view = tools[0].view
    code = "    return user.name"
    first = _filed(view, _added_after(a, code), a + 1, "Unchecked None")
    moved = _filed(view, _added_after(b, code), b + 1, "Unchecked None")
    assert (first.line, moved.line) == (a + 1, b + 1)
    assert first.fingerprint == moved.fingerprint
    other = _filed(view, _added_after(b, "    return user.email"), b + 1, "Unchecked None")
    assert other.fingerprint != first.fingerprint
