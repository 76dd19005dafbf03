"""`reviewbot review --dry-run` and a scripted full review on hostile repository content.

Each kind (binary blobs named like text, invalid UTF-8, symlink loops and escapes, file
names with newlines and other odd characters, a 50,000-line diff, a 100 MB file, 100,000
files) is one real repository. Both runs must end normally (no crash), stay under a
memory bound (peak RSS of the largest process of the run, from ``wait4``), and the review
must say what it skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.faults.harness import saved
from tests.faults.reliability import Outcome, mib
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import Run, model_env, reviewbot
from tests.hostile.checks import command_lines, tool_answers
from tests.hostile.content import (
    CORE_LINE,
    WEIRD_NAMES,
    Content,
    binary_with_text_names,
    fifteen_megabytes,
    fifty_thousand_lines,
    hundred_megabytes,
    hundred_thousand_files,
    invalid_utf8,
    make,
    symlink_loops,
    weird_names,
)

KINDS = [
    Content("binary-text-extensions", "binary blobs named .py, .txt, .json",
            binary_with_text_names, reads=("app/blob.py", "docs/image.txt", "data/records.json"),
            skipped=("binary",)),
    Content("invalid-utf8", "invalid UTF-8 (latin-1, surrogates, overlong, a cut character)",
            invalid_utf8, reads=("app/latin1.py", "app/broken.py", "app/cut.py")),
    Content("symlink-loops", "symlink loops, a self-link, links to /etc/passwd and above the root",
            symlink_loops, reads=("loop_a", "self", "escape", "up", "app/back/core.py")),
    Content("odd-file-names", "file names with a newline, tab, quote, backslash, colons, "
            "spaces, a leading dash and non-ASCII", weird_names, reads=WEIRD_NAMES),
    Content("diff-50000-lines", "a 50,000-line diff (one added file)", fifty_thousand_lines,
            reads=("gen/table.py",), skipped=("the diff was cut",), slow=True),
    Content("file-15mb", "a 15 MB text file added (the largest diffed as text)",
            fifteen_megabytes, reads=("data/big.sql",), skipped=("data/big.sql",), slow=True,
            rss_bound_mib=1000),
    Content("file-100mb", "a 100 MB text file added", hundred_megabytes,
            reads=("data/huge.sql",), skipped=("data/huge.sql",), slow=True, rss_bound_mib=600),
    Content("files-100000", "100,000 tiny files in the repository", lambda repo: None,
            on_main=hundred_thousand_files, reads=("many/d001/f001000.py",), slow=True,
            rss_bound_mib=600),
]  # fmt: skip


def script(content: Content) -> list[Turn]:
    looks = [FakeCall("read_file", {"path": p}) for p in content.reads]
    looks += [
        FakeCall("list_files", {}),
        FakeCall("search_code", {"pattern": "VALUE|ROW_|INSERT|caf"}),
        FakeCall("git_log", {}),
    ]
    note = {"path": "app/core.py", "line": CORE_LINE, "severity": "minor",
            "title": "Negative widths return 0 silently", "body": "Raise instead.",
            "evidence": f"app/core.py:{CORE_LINE}"}  # fmt: skip
    return [
        Turn(reasoning="Look at everything.", tool_calls=looks),
        Turn(reasoning="One remark.", tool_calls=[FakeCall("add_comment", note)]),
        Turn(reasoning="Done.", tool_calls=[FakeCall("finish_review", {"summary": "Checked."})]),
    ]


def params() -> list[object]:
    return [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else []) for c in KINDS]


def check_run(run: Run, content: Content) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert run.peak_rss_kib < content.rss_bound_mib * 1024, run.peak_rss_kib


@pytest.mark.parametrize("content", params())
def test_hostile_content(
    content: Content,
    make_repo: Callable[..., GitRepo],
    k2_server: K2Server,
    outcome: Outcome,
) -> None:
    repo = make(make_repo("hostile"), content)
    env = model_env(k2_server)
    plan = reviewbot(repo.path, "review", "--base", "main", "--dry-run", env=env)
    k2_server.script(script(content))
    full = reviewbot(repo.path, "review", "--base", "main", "--no-verify", env=env)
    data = saved(repo.path)
    notes = data["notes"] if data else []
    found = data["findings"] if data else []
    answers = tool_answers(k2_server.requests)

    observed = (
        f"dry-run: exit {plan.code}, {mib(plan.peak_rss_kib)}; review: exit {full.code}, "
        f"{mib(full.peak_rss_kib)}, {len(answers)} tool answers, {len(found)} finding; "
        f"notes: {' / '.join(_stable(n) for n in notes) or 'none'}"
    )
    outcome.record(
        suite="repo",
        case=content.id,
        command="reviewbot review --dry-run; reviewbot review",
        fault=content.what,
        expected=f"no crash; peak RSS under {content.rss_bound_mib} MiB; the review's notes say "
        "what was skipped",
        observed=observed,
    )
    check_run(plan, content)
    check_run(full, content)
    assert plan.code == 0, plan.stderr
    assert "changed file(s)" in plan.stdout
    assert full.code == 0, full.stderr
    assert len(answers) == len(content.reads) + 4  # every call answered
    assert [f["path"] for f in found] == ["app/core.py"]
    assert "app/core.py" in full.stdout
    for text in content.skipped:
        assert any(text in n for n in notes), notes


HOSTILE_NAME = next(name for name in WEIRD_NAMES if "set-output" in name)


def test_file_names_cannot_print_workflow_commands(
    make_repo: Callable[..., GitRepo], k2_server: K2Server, outcome: Outcome
) -> None:
    repo = make(make_repo("names"), KINDS[3])
    env = model_env(k2_server)
    note = {"path": HOSTILE_NAME, "line": 1, "severity": "major", "title": "t", "body": "b"}
    printed = {"dry-run": reviewbot(repo.path, "review", "--base", "main", "--dry-run", env=env)}
    for fmt in ("text", "markdown", "github"):
        k2_server.script(
            [
                Turn(tool_calls=[FakeCall("add_comment", note)]),
                Turn(tool_calls=[FakeCall("finish_review", {"summary": "s"})]),
            ]
        )
        args = ["review", "--base", "main", "--no-verify", "--format", fmt]
        printed[fmt] = reviewbot(repo.path, *args, env=env)
    bad = {
        name: lines
        for name, run in printed.items()
        if (lines := command_lines(run.stdout + run.stderr, annotations=name == "github"))
    }
    outcome.record(
        suite="repo",
        case="file-name-workflow-command",
        command="reviewbot review --dry-run / --format text, markdown, github",
        fault="a changed file named 'app/x\\n::set-output name=pwned::1.py', with a finding on it",
        expected="the name is printed escaped: no line of any output is a workflow command",
        observed="workflow-command lines in: " + (", ".join(sorted(bad)) or "none"),
    )
    assert all(run.code == 0 for run in printed.values())
    assert bad == {}


# How many diff lines are cut depends on the prompt's size, which every prompt edit moves;
# the row says that lines were cut, and CI compares rows to the committed file.
_CUT_COUNT = re.compile(r"\d[\d,]* diff line\(s\) not shown")


def _stable(note: str) -> str:
    return _CUT_COUNT.sub("some diff lines not shown", note)
