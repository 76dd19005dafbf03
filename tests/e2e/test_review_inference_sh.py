"""`reviewbot review` through inference.sh's task API, end to end: the real CLI process,
`REVIEWBOT_PROVIDER=inference-sh` and `INFERENCE_API_KEY`, and the fake task API on
127.0.0.1 playing the same scripted review as test_review.py (tools, a corrected comment,
verification). Nothing it sends may be refused, and the model's reasoning goes back on
every tool-call turn."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tests.e2e.conftest import run_reviewbot
from tests.e2e.test_review import SCRIPT, TITLE
from tests.fakes.inference_sh_app import APP
from tests.fakes.inference_sh_server import API_KEY, InferenceShServer
from tests.fakes.inference_sh_tasks import CANCELLED, TaskFault
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import model_env, start


def inference_sh_env(server: InferenceShServer) -> dict[str, str | None]:
    """The provider by name, its own key variable (REVIEWBOT_API_KEY would win over it)."""
    return {
        "REVIEWBOT_PROVIDER": "inference-sh",
        "REVIEWBOT_API_KEY": None,
        "INFERENCE_API_KEY": API_KEY,
    }


def test_review_over_the_task_api(feature_repo: GitRepo, inference_sh: InferenceShServer) -> None:
    inference_sh.script(SCRIPT)
    out = feature_repo.path / "review.json"
    run = run_reviewbot(
        feature_repo, inference_sh, "review", "--base", "main", "--format", "json",
        "-o", str(out), "--fail-on", "major", env=inference_sh_env(inference_sh),
    )  # fmt: skip
    assert run.code == 1, run.stderr
    assert inference_sh.violations == []
    data = json.loads(out.read_text())
    (finding,) = data["findings"]
    assert (finding["path"], finding["line"], finding["end_line"]) == ("app/cache.py", 11, 12)
    assert finding["title"] == TITLE
    assert data["summary"] == "Adds expiry; one leak."
    assert data["stats"]["steps"] == 7 and data["stats"]["tool_calls"] == 8
    assert data["stats"]["input_tokens"] > data["stats"]["cached_tokens"] > 0
    assert data["stats"]["cost_usd"] > 0

    # Seven tasks of the app, each asking for reasoning (the app's default effort is none).
    assert len(inference_sh.runs) == 7
    assert {body["app"] for body in inference_sh.runs} == {APP}
    for body in inference_sh.runs:
        assert body["input"]["reasoning_effort"] in ("low", "medium", "high")
    # Every assistant tool-call turn goes back with the reasoning the model gave for it.
    last = inference_sh.runs[-1]["input"]
    turns = [m for m in last["context"] if m["role"] == "assistant"]
    assert len(turns) == 6
    assert all(m["tool_calls"] and m["reasoning"] for m in turns)
    assert [m["reasoning"] for m in turns[:2]] == ["Let me look around first.", "Read it."]
    assert all(task_id not in inference_sh.cancels for task_id in inference_sh.tasks)


def _start(repo: GitRepo, server: InferenceShServer, **env: str) -> subprocess.Popen[str]:
    environment = model_env(
        server,
        REVIEWBOT_API_KEY=None,
        REVIEWBOT_PROVIDER="inference-sh",
        INFERENCE_API_KEY=API_KEY,
        **env,
    )
    return start(repo.path, "review", "--base", "main", "--no-verify", env=environment)


def _stopped(process: subprocess.Popen[str], seconds: float) -> str:
    """The process's stderr once it has exited; if it does not within ``seconds``, the
    test fails with the stacks of all its threads (faulthandler, on SIGABRT)."""
    try:
        return process.communicate(timeout=seconds)[1]
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        stacks = process.communicate(timeout=30)[1]
        pytest.fail(f"still running {seconds:.0f} s after Ctrl-C; its threads:\n{stacks}")


def test_ctrl_c_cancels_the_running_task(
    feature_repo: GitRepo, inference_sh: InferenceShServer
) -> None:
    inference_sh.script(SCRIPT[:1])
    inference_sh.inject(TaskFault.hold(after=1))  # the model thinks... until stopped
    # PYTHONFAULTHANDLER: should it ever hang, SIGABRT makes it print every thread's stack.
    with _start(feature_repo, inference_sh, PYTHONFAULTHANDLER="1") as process:
        try:
            assert inference_sh.streams_open.acquire(timeout=60), "reviewbot never followed it"
            time.sleep(0.3)  # inside the stream loop
            process.send_signal(signal.SIGINT)
            stderr = _stopped(process, seconds=30)
        finally:
            process.kill()  # then `with` closes its pipes: none is left for the collector
    assert process.returncode == 130, stderr
    assert stderr.strip() == "reviewbot: aborted"  # click's word for Ctrl-C
    assert inference_sh.cancels == ["task_000001"]
    assert inference_sh.status("task_000001") == CANCELLED


def test_a_stuck_model_stops_at_the_limits_with_its_tasks_cancelled(
    feature_repo: GitRepo, inference_sh: InferenceShServer
) -> None:
    inference_sh.default_turn = SCRIPT[0]
    for _ in range(4):
        inference_sh.inject(TaskFault.hold(after=1))
    process = _start(
        feature_repo, inference_sh, REVIEWBOT_IDLE_TIMEOUT="1", REVIEWBOT_MAX_RETRY_SECONDS="1.5"
    )
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 3, stderr
    (line,) = stderr.strip().splitlines()
    assert "made no progress for 1 s" in line and "task_00000" in line
    assert inference_sh.cancels == sorted(inference_sh.tasks)  # one or more, by the clock
    assert all(inference_sh.status(task) == CANCELLED for task in inference_sh.tasks)
