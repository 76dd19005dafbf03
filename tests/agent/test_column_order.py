"""Every place the prompt states the numbered diff's column order says the order the rows
are printed in (issue 13, defect 1).

The change inserts lines above unchanged code, so a context line has different old and
new numbers: a statement that names the columns in the wrong order points a model that
trusts it at the wrong line.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from reviewbot.agent.tools import FindingsBook, ReviewTools
from reviewbot.config import load_settings
from reviewbot.pipeline.plan import plan_review
from reviewbot.repo import RepoView, changeset_from_git, resolve_range
from tests.fakes.k2_doubles import column_statements, diff_row
from tests.helpers.gitrepo import GitRepo

BEFORE = "".join(f"value_{i} = {i}\n" for i in range(1, 31))


def shifted(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """Five lines inserted at the top, and line 20 changed: old 19 is new 24."""
    repo = make_repo("cols")
    repo.write("calc.py", BEFORE)
    repo.commit("initial")
    repo.branch("feature")
    lines = BEFORE.splitlines(keepends=True)
    lines[19] = "value_20 = 2000\n"
    repo.write("calc.py", "".join([f"head_{i} = 0\n" for i in range(5)] + lines))
    repo.commit("shift")
    return repo


def model_facing_text(repo: GitRepo) -> tuple[str, str]:
    """(everything the first request shows the model, the task message with the diff)."""
    settings = load_settings(root=repo.path, env={})
    changes = changeset_from_git(repo.path, resolve_range(repo.path, "main"))
    with RepoView(repo.path, changes.head) as view:
        plan = plan_review(settings, changes=changes, view=view, repository="o/r")
    tools = ReviewTools(view, changes, FindingsBook(), code_at=lambda *a: "")
    schemas = json.dumps([t.schema() for t in tools.tools()])
    everything = "\n".join(m["content"] for m in plan.messages) + "\n" + schemas
    return everything, plan.messages[-1]["content"]


def test_each_statement_of_the_column_order_matches_the_rows(
    make_repo: Callable[..., GitRepo],
) -> None:
    everything, task = model_facing_text(shifted(make_repo))
    row = diff_row(task, "value_19 = 19")
    assert row is not None, "the context line is in the diff"
    first, second = row
    assert (first, second) == (19, 24)  # printed: old number, then new number
    truth = ("old", "new")
    statements = column_statements(everything)
    # The diff's heading and the task text both state it; neither may be missing.
    assert len(statements) >= 2, statements
    wrong = [s for s in statements if s.order != truth]
    assert not wrong, f"statements contradict the rows {first} {second}: {wrong}"


def test_the_task_and_the_heading_state_it_in_the_same_words(
    make_repo: Callable[..., GitRepo],
) -> None:
    _, task = model_facing_text(shifted(make_repo))
    texts = {s.text for s in column_statements(task)}
    assert len(texts) == 1, texts
    assert texts.pop().lower().startswith("old")
