"""The suites' launcher: a real ``python -m reviewbot`` process, its output, exit code and
peak memory, in the environment the caller gives."""

from __future__ import annotations

from pathlib import Path

from reviewbot import __version__
from tests.fakes.k2_server import K2Server
from tests.helpers.launch import API_KEY, model_env, reviewbot, start


def test_a_run_reports_code_output_and_memory(tmp_path: Path) -> None:
    run = reviewbot(tmp_path, "--version")
    assert run.code == 0 and __version__ in run.stdout
    assert run.peak_rss_kib > 10_000  # a Python process is at least ~10 MiB
    failed = reviewbot(tmp_path, "no-such-command", stdin="ignored")
    assert failed.code == 2 and failed.error_line().startswith("reviewbot: ")


def test_the_environment_is_the_one_given(tmp_path: Path, k2_server: K2Server) -> None:
    env = model_env(k2_server, REVIEWBOT_MODEL="m-1")
    assert env["REVIEWBOT_BASE_URL"] == k2_server.base_url and env["REVIEWBOT_API_KEY"] == API_KEY
    shown = reviewbot(tmp_path, "config", env=env).stdout
    assert "m-1" in shown and API_KEY not in shown  # the key is masked
    bare = {k: v for k, v in env.items() if k != "REVIEWBOT_MODEL"}
    assert "m-1" not in reviewbot(tmp_path, "config", env=bare).stdout


def test_start_runs_in_the_background(tmp_path: Path) -> None:
    proc = start(tmp_path, "--version")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and __version__ in out
