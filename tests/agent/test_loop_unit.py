"""The agent loop on its own, with the in-process model double: how it answers each way a
model slips (prose instead of a tool call, bad or truncated arguments, unknown tools,
repeated calls), its limits, and a window overflow the server reports."""

from __future__ import annotations

from typing import Any

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.guard import HIDDEN, ContextGuard, GuardConfig
from reviewbot.agent.loop import NUDGE, Agent, Limits, Outcome
from reviewbot.agent.tools import FunctionTool
from reviewbot.llm.errors import ContextLengthError
from tests.fakes.k2_server import FakeCall, ScriptEntry, Turn, estimate_tokens
from tests.fakes.model_client import ScriptedModel, fails

FINISH = Turn(tool_calls=[FakeCall("finish_review", {"summary": "done"})])


class Notes:
    """Two small tools and a finish, recording what they were asked."""

    def __init__(self) -> None:
        self.read: list[str] = []
        self.summary: str | None = None

    def read_note(self, name: str) -> str:
        """Read a note.

        Args:
            name: the note's name
        """
        if name == "missing":
            raise ToolArgumentError("no note 'missing'; the notes are a, b")
        self.read.append(name)
        return f"note {name}: " + "x" * 400

    def finish_review(self, summary: str) -> str:
        """Finish.

        Args:
            summary: the summary
        """
        from reviewbot.agent.exceptions import Submitted

        raise Submitted(summary)

    def tools(self) -> list[FunctionTool]:
        return [FunctionTool.of(self.read_note, reads=True), FunctionTool.of(self.finish_review)]


def run(
    script: list[ScriptEntry], *, window: int = 100_000, **limits: Any
) -> tuple[Outcome, ScriptedModel, Agent, Notes]:
    model, notes = ScriptedModel(script), Notes()
    agent = Agent(
        model,
        notes.tools(),
        limits=Limits(**limits),
        guard=ContextGuard(
            GuardConfig(context_window=window, output_reserve=1_000), estimate_tokens
        ),
        price=lambda usage: usage.input_tokens / 1e6,
    )
    outcome = agent.run(
        [{"role": "system", "content": "review"}, {"role": "user", "content": "go"}]
    )
    return outcome, model, agent, notes


def tool_answers(model: ScriptedModel, index: int) -> list[str]:
    """The tool messages at the end of request ``index``."""
    messages = model.requests[index]["messages"]
    out = []
    for message in reversed(messages):
        if message["role"] != "tool":
            break
        out.insert(0, message["content"])
    return out


def test_prose_gets_one_nudge_then_counts_as_the_summary() -> None:
    outcome, model, _, _ = run([Turn(content="I think it is fine."), Turn(content="Really fine.")])
    assert outcome == Outcome(summary="Really fine.", ended="prose")
    assert model.requests[1]["messages"][-1] == {"role": "user", "content": NUDGE}
    assert len(model.requests) == 2


def test_bad_arguments_unknown_tools_and_refusals_go_back_to_the_model() -> None:
    calls = [
        FakeCall("read_note", '{"name": "a"'),  # not valid JSON
        FakeCall("read_note", "[1]"),  # not an object
        FakeCall("delete_everything", "{}"),
        FakeCall("read_note", {"name": "missing"}),  # the tool refuses
        FakeCall("read_note", {"name": "a", "extra": 1}),  # unknown argument
    ]
    cut = Turn(tool_calls=[FakeCall("read_note", '{"name": "b')], finish_reason="length")
    outcome, model, agent, notes = run([Turn(tool_calls=calls), cut, FINISH])
    assert outcome.summary == "done" and notes.read == []
    answers = tool_answers(model, 1)
    assert "not valid JSON (truncated" in answers[0]
    assert "must be a JSON object, got list" in answers[1]
    assert "there is no tool named 'delete_everything'" in answers[2]
    assert answers[3] == "error: no note 'missing'; the notes are a, b"
    assert "unknown argument(s) extra" in answers[4]
    assert "cut off at the output limit" in tool_answers(model, 2)[0]
    assert agent.totals.tool_calls == 7


def test_a_repeated_call_is_answered_with_a_hint_not_run_again() -> None:
    same = FakeCall("read_note", {"name": "a"})
    _, model, _, notes = run([Turn(tool_calls=[same]), Turn(tool_calls=[same]), FINISH])
    assert notes.read == ["a"]
    assert tool_answers(model, 2)[0].startswith("You already made this exact call")


def test_max_steps_stops_cleanly() -> None:
    reading = [Turn(tool_calls=[FakeCall("read_note", {"name": f"n{i}"})]) for i in range(10)]
    outcome, model, agent, _ = run(reading, max_steps=3)
    assert outcome.summary is None and outcome.stopped_by == "max_steps"
    assert agent.totals.steps == 3 and len(model.requests) == 3


def test_max_cost_stops_before_a_call_that_would_pass_it() -> None:
    reading = [Turn(tool_calls=[FakeCall("read_note", {"name": f"n{i}"})]) for i in range(50)]
    outcome, model, agent, _ = run(reading, max_cost_usd=0.002)
    assert outcome.stopped_by == "max_cost"
    assert (
        agent.totals.cost_usd <= 0.002 < agent.totals.cost_usd + model.usages[-1].input_tokens / 1e6
    )


def test_an_overflow_the_server_reports_hides_old_outputs_and_retries_once() -> None:
    reading = [Turn(tool_calls=[FakeCall("read_note", {"name": f"n{i}"})]) for i in range(4)]
    overflow = fails(ContextLengthError("too long", sent_tokens=2_000, limit=1_500))
    outcome, model, agent, _ = run([*reading, overflow, FINISH], window=100_000)
    assert outcome.summary == "done"
    assert agent.guard.hidden_outputs > 0
    assert any(m.get("content") == HIDDEN for m in model.requests[-1]["messages"])
