"""What reviewbot prints while it works (stderr, ``-v`` and ``--show-reasoning``) when the
model's reasoning and tool arguments carry secrets, workflow commands and mentions."""

from __future__ import annotations

from collections.abc import Callable

from tests.fakes.k2_server import K2Server, Turn
from tests.faults.harness import tree_bytes
from tests.faults.reliability import Outcome
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import Run, model_env, reviewbot
from tests.hostile.checks import command_lines, leaks
from tests.hostile.payloads import ENV_CANARIES, arguments_script, reasoning_script

ENV_VALUES = list(ENV_CANARIES.values())


def run_with(repo: GitRepo, server: K2Server, script: Callable[[], list[Turn]], *flags: str) -> Run:
    server.script(script())
    return reviewbot(
        repo.path, "review", "--base", "main", *flags, env=model_env(server, **ENV_CANARIES)
    )


def test_tool_arguments_in_progress_lines(
    hostile_repo: GitRepo, k2_server: K2Server, outcome: Outcome
) -> None:
    run = run_with(hostile_repo, k2_server, arguments_script, "-v")
    found = leaks(run.err, ENV_VALUES) + leaks(run.out, ENV_VALUES)
    stored = leaks(tree_bytes(hostile_repo.path / ".git" / "reviewbot"), ENV_VALUES)
    outcome.record(
        suite="hostile",
        case="progress-tool-arguments",
        command="reviewbot review -v",
        fault="tool-call arguments (and the summary) that are an environment secret",
        expected="no secret in the per-call progress lines, the output or the run dir",
        observed=f"exit {run.code}; secrets printed: {len(found)}; in the run dir: {len(stored)}",
    )
    assert run.code == 0, run.stderr
    assert "search_code" in run.stderr  # the -v lines were printed
    assert found == [] and stored == []


def test_reasoning_shown_on_stderr(
    hostile_repo: GitRepo, k2_server: K2Server, outcome: Outcome
) -> None:
    run = run_with(hostile_repo, k2_server, reasoning_script, "-v", "--show-reasoning")
    found = leaks(run.err, ENV_VALUES)
    commands = command_lines(run.stderr)
    outcome.record(
        suite="hostile",
        case="progress-show-reasoning",
        command="reviewbot review -v --show-reasoning",
        fault="reasoning that holds environment secrets, workflow commands, @everyone",
        expected="reasoning printed with secrets redacted and no line a workflow command",
        observed=f"exit {run.code}; secrets printed: {len(found)}; "
        f"workflow-command lines: {len(commands)}",
    )
    assert "The README tells me" in run.stderr  # the reasoning was shown
    assert found == []
    assert commands == []
