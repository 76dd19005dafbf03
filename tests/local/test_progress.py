"""The progress display fed with agent and stream events, on recorded fixed-width consoles
and a clock the test moves."""

from __future__ import annotations

import pytest
from rich.console import Console

from reviewbot.agent.loop import StepStarted, ToolStarted, TurnDone
from reviewbot.llm.types import ContentDelta, ReasoningDelta, Retrying, ToolCallDelta, Usage
from reviewbot.progress import Progress, clock_text, describe_call


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def console() -> Console:
    return Console(width=100, record=True, color_system=None, force_terminal=False)


def status(progress: Progress, width: int = 100) -> list[str]:
    return [t.plain for t in progress.status_lines(width)]


def turn(step: int, used: Usage, cost: float) -> TurnDone:
    return TurnDone(step, used, cost)


def test_the_status_line_shows_step_tool_tokens_share_cost_and_time() -> None:
    clock = Clock()
    p = Progress(console(), live=False, clock=clock)
    with p:
        assert status(p) == ["⠋ starting · preparing · 0 in (0% cached) · 0 out · $0.0000 · 0s"]
        p(StepStarted(1, 150))
        p(ToolCallDelta(0, "functions.read_file:0", "read_file", ""))
        clock.now += 0.25
        assert status(p)[0].startswith("⠹ step 1/150 · calling read_file · ")
        p(ToolCallDelta(0, None, None, '{"path": '))
        p(ToolCallDelta(0, None, None, '"app/cache.py"}'))
        assert " · calling read_file (24 chars) · " in status(p)[0]
        used = Usage(input_tokens=20_000, cached_tokens=15_000, output_tokens=512)
        p(turn(1, used, 0.0123))
        p(ToolStarted(1, "read_file", '{"path": "app/cache.py", "start_line": 10, "end_line": 40}'))
        clock.now += 65
        assert status(p) == [
            "⠹ step 1/150 · read_file app/cache.py:10-40 · 20,000 in (75% cached) · 512 out · "
            "$0.0123 · 1m05s"
        ]
        p(StepStarted(2, 150))
        p(ReasoningDelta("hmm"))
        assert " · thinking · " in status(p)[0]
        p(ContentDelta("ok"))
        assert " · writing · " in status(p)[0]


def test_status_fits_the_width() -> None:
    p = Progress(console(), live=False, clock=Clock())
    (line,) = status(p, width=30)
    assert len(line) == 30 and line.endswith("…")


@pytest.mark.parametrize(
    ("name", "arguments", "shown"),
    [
        ("read_file", '{"path": "a.py"}', "read_file a.py"),
        ("read_file", '{"path": "a.py", "start_line": 3}', "read_file a.py:3"),
        ("list_files", '{"pattern": "*.py"}', "list_files . *.py"),
        ("search_code", '{"pattern": "TODO", "path_glob": "src/*"}', "search_code 'TODO' src/*"),
        ("git_log", '{"path": "a.py", "max_count": 5}', "git_log a.py"),
        (
            "add_comment",
            '{"path": "a.py", "line": 7, "severity": "major"}',
            "add_comment major a.py:7",
        ),
        ("verify_finding", '{"id": "F1", "verdict": "confirmed"}', "verify_finding F1 confirmed"),
        ("finish_review", '{"summary": "ok"}', "finish_review"),
        ("read_file", '{"path": "cut-off', 'read_file {"path": "cut-off'),
        ("mystery", '{"x": 1}', 'mystery {"x": 1}'),
    ],
)
def test_tool_calls_are_described_briefly(name: str, arguments: str, shown: str) -> None:
    assert describe_call(name, arguments) == shown


def test_long_descriptions_are_cut() -> None:
    shown = describe_call("read_file", '{"path": "' + "x/" * 60 + 'a.py"}')
    assert len(shown) == 48 and shown.endswith("…")


def test_clock_text() -> None:
    assert [clock_text(s) for s in (0, 59.9, 60, 3599, 3600, 7384)] == [
        "0s", "59s", "1m00s", "59m59s", "1h00m", "2h03m",
    ]  # fmt: skip


def test_reasoning_streams_whole_lines_and_shows_the_unfinished_one() -> None:
    out = console()
    p = Progress(out, live=False, show_reasoning=True, clock=Clock())
    with p:
        p(StepStarted(1, 10))
        for piece in ("The cache ", "keeps old\nentries. Ch", "eck get()"):
            p(ReasoningDelta(piece))
        assert out.export_text(clear=False) == "The cache keeps old\n"
        assert status(p)[0] == "entries. Check get()"  # shown above the status line
        p(ToolCallDelta(0, "functions.read_file:0", "read_file", ""))
        assert out.export_text() == "The cache keeps old\nentries. Check get()\n"
        assert len(status(p)) == 1


def test_a_retry_voids_what_the_failed_attempt_streamed() -> None:
    out = console()
    p = Progress(out, live=False, show_reasoning=True, clock=Clock())
    with p:
        p(StepStarted(1, 10))
        p(ReasoningDelta("first line\nhalf a sec"))
        p(Retrying(attempt=1, wait_seconds=2.0, reason="HTTP 503"))
        assert p.partial == ""
        assert " · retrying in 2s (HTTP 503) · " in status(p)[0]
        p(ReasoningDelta("again\n"))
    assert out.export_text() == (
        "first line\n[the 1 line(s) above came from a failed attempt: void]\nagain\n\n"
    )  # and a blank line between the reasoning and what follows


def test_verbose_prints_calls_turns_and_retries_and_quiet_prints_nothing() -> None:
    events = [
        StepStarted(1, 10),
        ToolStarted(1, "git_log", '{"path": "a.py"}'),
        turn(1, Usage(input_tokens=1_000, output_tokens=10), 0.5),
        Retrying(attempt=1, wait_seconds=1.0, reason="HTTP 429"),
        ReasoningDelta("secret thoughts\n"),
    ]
    loud, silent = console(), console()
    for target, flags in ((loud, {"verbose": True}), (silent, {"quiet": True})):
        p = Progress(target, live=False, show_reasoning=True, clock=Clock(), **flags)  # type: ignore[arg-type]
        with p:
            for event in events:
                p(event)
    assert loud.export_text() == (
        "step 1: git_log a.py\n"
        "step 1/10 · git_log a.py · 1,000 in (0% cached) · 10 out · $0.5000 · 0s\n"
        "model call failed (HTTP 429); retrying in 1s\n"
        "secret thoughts\n\n"
    )
    assert silent.export_text() == ""


def test_live_mode_draws_on_a_terminal_and_leaves_nothing_behind() -> None:
    import io

    buffer = io.StringIO()
    term = Console(file=buffer, width=80, force_terminal=True, color_system="standard")
    p = Progress(term, live=True, clock=Clock(), refresh_per_second=50)
    with p:
        p(StepStarted(3, 150))
        p(ToolStarted(3, "read_file", '{"path": "x.py"}'))
    drawn = buffer.getvalue()
    assert "step 3/150 · read_file x.py" in drawn
    assert drawn.endswith("\x1b[2K") or "\x1b[2K" in drawn[-40:]  # transient: erased at the end


SECRET = "hunter2-canary-9f8e7d6c"


def test_reasoning_never_shows_a_secret_or_a_workflow_command() -> None:
    out = console()
    p = Progress(
        out, live=False, show_reasoning=True, verbose=True, clock=Clock(), secrets=[SECRET]
    )
    with p:
        p(StepStarted(1, 10))
        p(ReasoningDelta(f"the password is {SECRET}\n::set-output name=x::1\n"))
        p(ReasoningDelta(f"now {SECRET[:9]}"))
        assert status(p)[0] == "now [REDACTED]"  # the start of a secret being streamed
        p(ReasoningDelta(SECRET[9:] + " done"))
        assert status(p)[0] == "now [REDACTED] done"
        p(ToolStarted(1, "search_code", '{"pattern": "' + SECRET + '"}'))
        assert SECRET not in status(p)[-1]
    shown = out.export_text()
    assert SECRET not in shown and SECRET[:9] not in shown
    assert "the password is [REDACTED]" in shown
    assert not any(line.startswith("::") for line in shown.splitlines())
