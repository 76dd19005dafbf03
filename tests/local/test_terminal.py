"""The terminal experience through a real pseudo-terminal: colour only on a terminal and never
with NO_COLOR, the live status line and streamed reasoning on stderr, the cost question."""

from __future__ import annotations

import re

import pytest

from tests.fakes.k2_server import K2Server
from tests.helpers.launch import reviewbot
from tests.local.conftest import CLEAN, Pushable, finding_script, model_env
from tests.local.tty import TtyRun

COLOUR_SGR = re.compile(rb"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7])[0-9;]*m")
REVIEW = ("review", "--base", "main")


def tty(p: Pushable, server: K2Server, *args: str, on: set[str], **env: str) -> TtyRun:
    # A terminal shows colour unless the case itself sets NO_COLOR (model_env sets it for pipes).
    terminal_env: dict[str, str | None] = {"NO_COLOR": None, **env}
    return TtyRun(p.work.path, args or REVIEW, model_env(server, **terminal_env), frozenset(on))


def test_report_is_coloured_on_a_terminal(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.script(finding_script("major"))
    run = tty(pushable, k2_server, on={"stdout"})
    code, _, err = run.finish()
    assert code == 0, err
    assert COLOUR_SGR.search(run.screen)
    assert "Expired entries are never evicted" in run.text


def test_no_color_turns_colour_off_on_a_terminal(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.script(finding_script("major"))
    run = tty(pushable, k2_server, on={"stdout"}, NO_COLOR="1")
    code, _, err = run.finish()
    assert code == 0, err
    assert "Expired entries are never evicted" in run.text
    assert not COLOUR_SGR.search(run.screen)


def test_no_escape_codes_off_a_terminal(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.script(finding_script("major"))
    done = reviewbot(pushable.work.path, *REVIEW, env=model_env(k2_server))
    assert done.code == 0, done.stderr
    assert "\x1b" not in done.stdout + done.stderr
    assert done.stderr == ""  # no progress off a terminal
    assert "1 finding (1 major)" in done.stdout


def test_live_status_line_and_reasoning_on_a_terminal(
    pushable: Pushable, k2_server: K2Server
) -> None:
    k2_server.script(finding_script("major"))
    run = tty(pushable, k2_server, *REVIEW, "--show-reasoning", on={"stderr"})
    code, out, _ = run.finish()
    assert code == 0
    assert "reviewing 1 file(s)" in run.text and "estimated $" in run.text
    assert "step 1/150" in run.text and "step 2/150" in run.text
    assert re.search(r"\d[\d,]* in \(\d+% cached\) · \d[\d,]* out · \$\d+\.\d{4} · \d+s", run.text)
    assert "\x1b[2;3mThe entry stays.\x1b[0m" in run.text  # reasoning, dimmed
    assert "1 finding (1 major)" in out and "\x1b" not in out


def test_quiet_draws_nothing(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.script(CLEAN)
    run = tty(pushable, k2_server, *REVIEW, "--quiet", on={"stderr"})
    code, out, _ = run.finish()
    assert code == 0
    assert run.text == ""
    assert "no findings" in out


@pytest.mark.slow
def test_verbose_prints_steps_off_a_terminal(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.script(finding_script("major"))
    done = reviewbot(pushable.work.path, *REVIEW, "--verbose", env=model_env(k2_server))
    assert done.code == 0, done.stderr
    assert "step 1: add_comment major app/cache.py:11" in done.stderr
    assert "step 2: finish_review" in done.stderr
    assert "\x1b" not in done.stderr


def test_a_costly_run_asks_first_and_no_stops_it(pushable: Pushable, k2_server: K2Server) -> None:
    run = tty(pushable, k2_server, on={"stdin", "stderr"}, REVIEWBOT_CONFIRM_COST="0")
    run.wait_for(b"Run the review? [y/N]")
    assert b"is over confirm_cost $0.00" in run.screen
    run.type("n\n")
    code, out, _ = run.finish()
    assert code == 2
    assert "not confirmed" in run.text and "--yes" in run.text
    assert k2_server.requests == []
    assert out == ""


@pytest.mark.slow
def test_answering_yes_runs_the_review(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.script(CLEAN)
    run = tty(pushable, k2_server, on={"stdin", "stderr"}, REVIEWBOT_CONFIRM_COST="0")
    run.wait_for(b"Run the review? [y/N]")
    run.type("y\n")
    code, out, _ = run.finish()
    assert code == 0
    assert len(k2_server.requests) == 1 and "no findings" in out


def test_yes_flag_and_a_pipe_never_ask(pushable: Pushable, k2_server: K2Server) -> None:
    k2_server.script(CLEAN)
    run = tty(
        pushable, k2_server, *REVIEW, "-y", on={"stdin", "stderr"}, REVIEWBOT_CONFIRM_COST="0"
    )
    code, _, _ = run.finish()
    assert code == 0 and "Run the review?" not in run.text
    k2_server.script(CLEAN)
    env = model_env(k2_server, REVIEWBOT_CONFIRM_COST="0")
    done = reviewbot(pushable.work.path, *REVIEW, env=env, stdin="y\n")  # stdin is a pipe
    assert done.code == 0 and "Run the review?" not in done.stderr
    assert len(k2_server.requests) == 2
