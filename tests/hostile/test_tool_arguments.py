"""Tool arguments chosen by the model (and so by whatever text it obeys): a malformed glob
or a catastrophic one is an error or an answer the model reads, never the end of the run,
and a tool that does not return is cut off by the per-tool time limit.

Issue 14, item 5: ``list_files(pattern="[z-a]")`` raised an uncaught ``re.error`` (exit 3,
nothing posted); ``"*a"*12 + "b"`` against a 40-character name took 97 s and grew
exponentially with the pattern; a tool call had no time limit of its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import model_env, reviewbot
from tests.hostile.checks import tool_answers

LONG_NAME = "a" * 40
CATASTROPHIC = "*a" * 12 + "b"


def _repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo("tools")
    repo.write("app/ok.py", "VALUE = 1\n")
    repo.write(f"data/{LONG_NAME}", "x\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app/ok.py", "VALUE = 2\n")
    repo.commit("change")
    return repo


def _finish() -> Turn:
    return Turn(tool_calls=[FakeCall("finish_review", {"summary": "done"})])


def test_malformed_and_catastrophic_globs_are_answers(
    make_repo: Callable[..., GitRepo], k2_server: K2Server
) -> None:
    repo = _repo(make_repo)
    calls = [
        FakeCall("list_files", {"pattern": "[z-a]"}),
        FakeCall("list_files", {"pattern": "[z-a]/*.py"}),
        FakeCall("search_code", {"pattern": "VALUE", "path_glob": "[z-a]"}),
        FakeCall("list_files", {"pattern": CATASTROPHIC}),
        FakeCall("list_files", {"pattern": "**/" + CATASTROPHIC}),
        FakeCall("search_code", {"pattern": "x", "path_glob": CATASTROPHIC}),
        FakeCall("list_files", {"pattern": "data/*a*a*a"}),
    ]
    k2_server.script([Turn(tool_calls=calls), _finish()])
    run = reviewbot(
        repo.path, "review", "--base", "main", "--no-verify", env=model_env(k2_server), timeout=60
    )
    assert "Traceback" not in run.stderr
    assert run.code == 0, run.stderr
    answers = [text for _, text in tool_answers(k2_server.requests)]
    assert len(answers) == len(calls)
    # A reversed range matches nothing: the model is told it wrote it wrong, not "no files".
    for answer, name in zip(answers[:3], ["pattern", "pattern", "path_glob"], strict=True):
        assert answer.startswith(f"error: '{name}': the range [z-a]"), answer
        assert "reversed" in answer
    assert answers[3] == answers[4] == "no files match"
    assert answers[5] == "no matches"
    assert f"data/{LONG_NAME}" in answers[6]


def test_bad_tool_arguments_are_errors_the_model_reads(
    make_repo: Callable[..., GitRepo], k2_server: K2Server
) -> None:
    """Arguments no tool can run with: each is a one-line error in the tool's answer, and
    the model, asked again, still reports its finding."""
    repo = _repo(make_repo)
    calls = [
        FakeCall("list_files", {"pattern": 5}),
        FakeCall("read_file", {}),
        FakeCall("search_code", {"pattern": "(unclosed"}),
        FakeCall("git_log", {"max_count": "many"}),
    ]
    finding = FakeCall(
        "add_comment",
        {
            "path": "app/ok.py", "line": 1, "side": "RIGHT", "severity": "major",
            "title": "VALUE changed without its callers", "body": "Callers expect 1.",
            "evidence": "app/ok.py:1",
        },
    )  # fmt: skip
    k2_server.script([Turn(tool_calls=calls), Turn(tool_calls=[finding]), _finish()])
    run = reviewbot(
        repo.path, "review", "--base", "main", "--no-verify", "--format", "json",
        env=model_env(k2_server), timeout=60,
    )  # fmt: skip
    assert "Traceback" not in run.stderr
    answers = [text for _, text in tool_answers(k2_server.requests)]
    for answer in answers[:4]:
        assert answer.startswith("error:") and "\n" not in answer.strip(), answer
    assert "'pattern' must be a string" in answers[0]
    assert "missing required argument 'path'" in answers[1]
    assert "check the regular expression" in answers[2]
    assert "'max_count' must be an integer" in answers[3]
    assert run.code == 0, run.stderr
    assert "VALUE changed without its callers" in run.stdout  # reported after the errors


def test_a_tool_that_does_not_return_is_cut_off(
    make_repo: Callable[..., GitRepo], k2_server: K2Server, tmp_path: Path
) -> None:
    """git hangs (a network file system, a hostile repository): the tool's time limit
    answers the model and the review goes on; the hung git process is stopped."""
    repo = _repo(make_repo)
    shims = tmp_path / "shims"
    shims.mkdir()
    real_git = next(
        str(Path(d) / "git")
        for d in os.environ["PATH"].split(os.pathsep)
        if (Path(d) / "git").is_file()
    )
    pidfile = tmp_path / "hung.pid"
    shim = shims / "git"
    shim.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do if [ "$a" = "slow/trigger.py" ]; then\n'
        f'  echo $$ > "{pidfile}"; exec sleep 300; fi; done\n'
        f'exec "{real_git}" "$@"\n'
    )
    shim.chmod(0o755)
    k2_server.script(
        [Turn(tool_calls=[FakeCall("git_log", {"path": "slow/trigger.py"})]), _finish()]
    )
    env = model_env(k2_server, REVIEWBOT_TOOL_TIMEOUT="2")
    env["PATH"] = f"{shims}{os.pathsep}{os.environ['PATH']}"
    # The hung git sleeps 300 s; the run, given 60 s, ends only because the limit cut it.
    run = reviewbot(repo.path, "review", "--base", "main", "--no-verify", env=env, timeout=60)
    assert run.code == 0, run.stderr
    answers = [text for _, text in tool_answers(k2_server.requests)]
    assert answers[0].startswith("error: git_log did not finish within 2 s"), answers[0]
    pid = int(pidfile.read_text())
    assert (
        not Path(f"/proc/{pid}").exists()
        or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    )
