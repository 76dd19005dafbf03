"""Exit codes, end to end: 0 nothing at --fail-on, 1 findings at or above it, 2 usage or
configuration, 3 runtime failure (model, git) after retries. Each error is one line."""

from __future__ import annotations

import pytest

from tests.fakes.k2_server import Fault, K2Server
from tests.helpers.launch import reviewbot
from tests.local.conftest import CLEAN, Pushable, finding_script, model_env

REVIEW = ("review", "--base", "main")


def one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    return stderr


def test_0_without_findings(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.script(CLEAN)
    assert reviewbot(pushable.work.path, *REVIEW, env=model_env(k2_server)).code == 0


@pytest.mark.parametrize(
    ("severity", "fail_on", "code"),
    [
        ("critical", None, 1),  # default: critical
        ("major", None, 0),
        pytest.param("minor", "minor", 1, marks=pytest.mark.slow),
        pytest.param("nit", "minor", 0, marks=pytest.mark.slow),
        pytest.param("critical", "none", 0, marks=pytest.mark.slow),
    ],
)
def test_1_at_or_above_fail_on(
    pushable: Pushable, k2_server: K2Server, severity: str, fail_on: str | None, code: int
) -> None:
    k2_server.script(finding_script(severity))
    flags = ("--fail-on", fail_on) if fail_on else ()
    done = reviewbot(pushable.work.path, *REVIEW, *flags, env=model_env(k2_server))
    assert done.code == code, done.stderr
    assert f"1 finding (1 {severity})" in done.stdout


@pytest.mark.slow
def test_fail_on_from_the_environment(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.script(finding_script("major"))
    env = model_env(k2_server, REVIEWBOT_FAIL_ON="major")
    assert reviewbot(pushable.work.path, *REVIEW, env=env).code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--staged", "--uncommitted"), "cannot be used together"),
        (("--head", "feature", "--staged"), "--head ends a commit range"),
        (("--format", "yaml"), "Invalid value for '--format'"),
        (("--pre-push", "--base", "main"), "--pre-push reviews the commits being pushed"),
    ],
)
def test_2_for_usage_errors(
    pushable: Pushable, k2_server: K2Server, args: tuple[str, ...], message: str
) -> None:
    done = reviewbot(pushable.work.path, "review", *args, env=model_env(k2_server))
    assert done.code == 2
    assert message in one_line(done.stderr)
    assert k2_server.requests == []


def test_2_without_an_api_key(pushable: Pushable, k2_server: K2Server) -> None:
    env = model_env(k2_server)
    del env["REVIEWBOT_API_KEY"]
    done = reviewbot(pushable.work.path, *REVIEW, env=env)
    assert done.code == 2
    assert "no API key" in one_line(done.stderr)


def test_2_for_a_bad_config_file(pushable: Pushable, k2_server: K2Server) -> None:
    pushable.work.write(".reviewbot.toml", 'fail_on = "severe"\n')
    done = reviewbot(pushable.work.path, *REVIEW, env=model_env(k2_server))
    assert done.code == 2
    assert "key 'fail_on' must be one of" in one_line(done.stderr)


def test_3_when_the_model_keeps_failing(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.inject(Fault.status_code(503, count=50))
    env = model_env(k2_server, REVIEWBOT_MAX_RETRY_SECONDS="1")
    done = reviewbot(pushable.work.path, *REVIEW, env=env)
    assert done.code == 3
    one_line(done.stderr)
    assert len(k2_server.requests) > 1  # it retried before giving up
    assert done.stdout == ""


def test_3_for_an_unknown_base(pushable: Pushable, k2_server: K2Server) -> None:
    done = reviewbot(pushable.work.path, "review", "--base", "nosuch", env=model_env(k2_server))
    assert done.code == 3
    assert "unknown ref 'nosuch'" in one_line(done.stderr)


@pytest.mark.slow
def test_3_from_the_hook_names_the_way_around(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.inject(Fault.status_code(503, count=50))
    env = model_env(k2_server, REVIEWBOT_MAX_RETRY_SECONDS="1")
    line = f"refs/heads/feature {pushable.work.head()} refs/heads/feature {'0' * 40}\n"
    done = reviewbot(pushable.work.path, "review", "--pre-push", env=env, stdin=line)
    assert done.code == 3
    assert "git push --no-verify" in done.stderr.splitlines()[-1]
