"""Filing a finding (issue 13, defects 4 and 5): a refused anchor never points the model at
another line; a finding about code outside the diff is filed as such (it goes to the
review body, under its own heading); every finding names the evidence that proves it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.tools import FindingsBook, ReviewTools
from reviewbot.pipeline.run import code_from_diff
from reviewbot.repo import RepoView, changeset_from_git, resolve_range
from tests.helpers.gitrepo import GitRepo

BEFORE = "".join(f"line {i}\n" for i in range(1, 101))
AFTER = BEFORE.replace("line 50\n", "line fifty\n")


@pytest.fixture
def tools(make_repo: Callable[..., GitRepo]) -> ReviewTools:
    repo = make_repo("f")
    repo.write("src/numbers.txt", BEFORE)
    repo.write("src/caller.py", "from numbers import fifty\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("src/numbers.txt", AFTER)
    repo.commit("edit")
    changes = changeset_from_git(repo.path, resolve_range(repo.path, "main"))
    view = RepoView(repo.path, changes.head)
    return ReviewTools(view, changes, FindingsBook(), code_at=code_from_diff(changes))


def test_a_refused_anchor_names_no_other_line(tools: ReviewTools) -> None:
    with pytest.raises(ToolArgumentError) as refused:
        tools.add_comment(
            "src/numbers.txt", 10, "minor", "Far away", "about line 10", "src/numbers.txt:10"
        )
    text = str(refused.value)
    assert "not a line of the diff" in text
    # No number but the one the model gave: a nearby diff line is not where the problem is.
    assert set(re.findall(r"\d+", text)) <= {"10"}, text
    assert "outside_diff=true" in text
    assert tools.book.findings == []


def test_a_finding_outside_the_diff_is_filed_as_such(tools: ReviewTools) -> None:
    out = tools.add_comment(
        "src/caller.py", 1, "major", "Caller imports a name that is gone", "It breaks.",
        "src/numbers.txt:50", outside_diff=True,
    )  # fmt: skip
    assert out == "recorded F1 on src/caller.py:1, outside the diff (listed in the review body)"
    (finding,) = tools.book.findings
    assert not finding.anchored
    assert finding.evidence == ("src/numbers.txt:50",)
    with pytest.raises(ToolArgumentError, match="no file"):
        tools.add_comment("src/nope.py", 1, "minor", "T", "B", "src/numbers.txt:1",
                          outside_diff=True)  # fmt: skip
    with pytest.raises(ToolArgumentError, match="has 1 lines"):
        tools.add_comment("src/caller.py", 9, "minor", "T", "B", "src/caller.py:1",
                          outside_diff=True)  # fmt: skip


def test_a_diff_line_stays_inline_even_with_outside_diff(tools: ReviewTools) -> None:
    tools.add_comment("src/numbers.txt", 50, "minor", "Word", "B", "src/numbers.txt:50",
                      outside_diff=True)  # fmt: skip
    assert tools.book.findings[0].anchored


def test_every_finding_needs_evidence_on_real_lines(tools: ReviewTools) -> None:
    schema = next(t.schema() for t in tools.tools() if t.name == "add_comment")
    assert "evidence" in schema["function"]["parameters"]["required"]
    for bad, why in (("see above", "file:line"), ("src/numbers.txt:500", "has 100 lines"),
                     ("src/gone.py:3", "no file")):  # fmt: skip
        with pytest.raises(ToolArgumentError, match=why):
            tools.add_comment("src/numbers.txt", 50, "minor", "Word", "B", bad)
    tools.add_comment("src/numbers.txt", 50, "minor", "Word", "B", "src/numbers.txt:49-50")
    assert tools.book.findings[0].evidence == ("src/numbers.txt:49-50",)
