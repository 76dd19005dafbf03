"""The agent loop: ask the model, run the tools it calls, repeat until it finishes or a
limit is reached.

Control flow uses the small exceptions of ``agent/exceptions.py``: ``Submitted`` (the model
called ``finish_review``, or answered twice without calling a tool), ``LimitsExceeded``
(steps, cost or time ran out: the run stops cleanly with what it has); ``ToolTimedOut``
(a tool call ran past its own time limit, ``Limits.tool_seconds``: the model is told, and
git processes the tool started are stopped). The message list is
append-only apart from the context guard's rare hiding of old tool outputs, and the tools
are the same in every request (the provider renders them before the messages), so every
turn re-uses the cached prefix of the one before.

The model's slips (prose instead of a tool call, a reply cut off at the output limit,
malformed arguments, a tool that is not offered, a repeated call, a call a tool refused)
are each answered in the conversation and counted in ``slips``; ``slip_note`` says so.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewbot.agent.exceptions import (
    LimitsExceeded,
    Submitted,
    ToolArgumentError,
    ToolTimedOut,
)
from reviewbot.agent.guard import HIDDEN, ContextGuard
from reviewbot.agent.schema import parse_arguments
from reviewbot.agent.tools import Tool
from reviewbot.agent.transcript import Transcript
from reviewbot.errors import ModelError
from reviewbot.llm.client import ModelClient
from reviewbot.llm.errors import ContextLengthError
from reviewbot.llm.types import AssistantTurn, StreamEvent, ToolCall, Usage
from reviewbot.timelimit import time_limit

# A tool whose git processes were stopped at its limit returns soon after; one stuck in
# Python is left behind after this much more (its thread is a daemon).
TOOL_GRACE_SECONDS = 5.0
NUDGE = (
    "You replied without calling a tool. Continue the review with the tools, or call "
    "finish_review(summary) if you are done."
)
CUT_OFF = (
    "Your reply was cut off at the output limit (finish_reason: length) before it called a "
    "tool. Reason more briefly and call the tool."
)
FINISH = "finish_review"
Nudge = Callable[[], str]


@dataclass(frozen=True)
class Limits:
    max_steps: int = 150
    max_cost_usd: float = 0.0  # 0: no cap
    max_seconds: float = 1800.0
    tool_seconds: float = 60.0  # per tool call (0: none)


@dataclass(frozen=True)
class StepStarted:
    step: int
    max_steps: int


@dataclass(frozen=True)
class ToolStarted:
    step: int
    name: str
    arguments: str


@dataclass(frozen=True)
class TurnDone:
    step: int
    usage: Usage
    cost_usd: float


AgentEvent = StepStarted | ToolStarted | TurnDone | StreamEvent


@dataclass
class Totals:
    steps: int = 0
    tool_calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0


@dataclass(frozen=True)
class Outcome:
    summary: str | None
    stopped_by: str | None = None  # "max_steps", "max_cost", "max_seconds"
    note: str = ""
    # How the model ended: "finished" (finish_review), "prose" (twice no tool call),
    # "cut_off" (twice cut at the output limit); a limit's name when one stopped it.
    ended: str = "finished"


class Agent:
    def __init__(
        self,
        client: ModelClient,
        tools: Sequence[Tool],
        *,
        limits: Limits,
        guard: ContextGuard,
        price: Callable[[Usage], float],
        transcript: Transcript | None = None,
        on_event: Callable[[AgentEvent], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.tools = {t.name: t for t in tools}
        self.limits = limits
        self.guard = guard
        self.price = price
        self.transcript = transcript
        self.on_event = on_event or (lambda event: None)
        self.clock = clock
        self.totals = Totals()
        # What the API counted for the first request: calibrates our own token counts.
        self.first_input_tokens = 0
        self.messages: list[dict[str, Any]] = []
        self._started = clock()
        self._last_input: int | None = None
        self._last_count = 0
        self._nudged = False
        self._nudge: Nudge = lambda: NUDGE
        self._seen_calls: dict[str, int] = {}
        self._sent = 0
        self.slips: Counter[str] = Counter()

    # ----------------------------------------------------------------------------------
    def run(self, messages: list[dict[str, Any]], *, nudge: Nudge | None = None) -> Outcome:
        """Run until the model submits or a limit stops it; ``messages`` are appended to the
        conversation (which may already hold an earlier phase). ``nudge`` words the reminder
        sent when the model replies without calling a tool."""
        self.messages.extend(messages)
        self._nudged = False
        self._nudge = nudge or (lambda: NUDGE)
        while True:
            try:
                self.step()
            except Submitted as done:
                return Outcome(summary=done.summary, ended=done.ended)
            except LimitsExceeded as stop:
                return Outcome(
                    summary=None, stopped_by=stop.reason, note=stop.message, ended=stop.reason
                )

    def slip_note(self) -> str:
        """One line on the model's slips, each answered in the conversation ("" for none)."""
        words = {
            "prose": "reply(s) without a tool call",
            "cut_off": "reply(s) cut off at the output limit",
            "malformed": "call(s) with malformed arguments",
            "unknown_tool": "call(s) to a tool not offered",
            "repeated": "repeated identical call(s)",
            "refused": "call(s) a tool refused",
        }
        parts = [f"{self.slips[k]} {text}" for k, text in words.items() if self.slips[k]]
        if not parts:
            return ""
        return "the model's slips, each answered with what to do instead: " + ", ".join(parts)

    def step(self) -> None:
        self._check_limits()
        step = self.totals.steps + 1
        self.on_event(StepStarted(step, self.limits.max_steps))
        turn = self._complete()
        self.totals.steps = step
        self.messages.append(turn.to_message())
        self._account(turn)
        cut = turn.finish_reason == "length"
        if cut:
            self.slips["cut_off"] += 1
        if not turn.tool_calls:
            if not cut:
                self.slips["prose"] += 1
            if self._nudged:
                raise Submitted(turn.content.strip(), ended="cut_off" if cut else "prose")
            self._nudged = True
            text = self._nudge()
            self.messages.append({"role": "user", "content": f"{CUT_OFF} {text}" if cut else text})
            return
        submitted: Submitted | None = None
        outputs: dict[int, str] = {}
        # finish_review runs after the other calls of its turn: verdicts sent beside it count.
        calls = list(enumerate(turn.tool_calls))
        for index, call in sorted(calls, key=lambda item: item[1].name == FINISH):
            self.totals.tool_calls += 1
            self.on_event(ToolStarted(step, call.name, call.arguments[:200]))
            try:
                outputs[index] = self._dispatch(call, cut=cut, position=index)
            except Submitted as done:
                submitted = done
                outputs[index] = "review finished"
        for index, call in calls:
            self.messages.append(
                {"role": "tool", "tool_call_id": call.id, "name": call.name,
                 "content": outputs[index]}
            )  # fmt: skip
        self._check_cost()
        if submitted is not None:
            raise submitted

    # ----------------------------------------------------------------------------------
    def _schemas(self) -> list[dict[str, Any]]:
        return [tool.schema() for tool in self.tools.values()]

    def _complete(self) -> AssistantTurn:
        projected = self.guard.project(self.messages, self._last_input, self._last_count)
        projected = self.guard.fit(self.messages, projected)
        self._check_cost_ahead(projected)
        for attempt in (1, 2):
            self._record_request()
            try:
                turn = self.client.complete(self.messages, self._schemas(), on_event=self.on_event)
            except ContextLengthError as exc:
                # Our estimate was short of the server's count: hide a block and retry once.
                if attempt == 2 or not self._hide_for_overflow():
                    raise ModelError(
                        f"the conversation no longer fits the model's window ({exc})",
                        hint="lower --budget or max_steps",
                    ) from exc
                continue
            if self.transcript is not None:
                self.transcript.response(turn)
            return turn
        raise AssertionError("unreachable")  # pragma: no cover

    def _hide_for_overflow(self) -> bool:
        before = self.guard.hidden_outputs
        self.guard.fit(self.messages, self.guard.limit * 10)
        self._last_input = None
        return self.guard.hidden_outputs > before

    def _record_request(self) -> None:
        if self.transcript is not None:
            # Only the messages not yet written, plus any the guard rewrote: the transcript
            # stays linear in the conversation's length.
            self.transcript.request(self.messages[self._sent :], list(self.tools))
            self._sent = len(self.messages)

    def _account(self, turn: AssistantTurn) -> None:
        if self.totals.steps == 1:
            self.first_input_tokens = turn.usage.input_tokens
        self.totals.usage = self.totals.usage + turn.usage
        self.totals.cost_usd += self.price(turn.usage)
        self._last_input = turn.usage.input_tokens or None
        self._last_count = len(self.messages)
        self.on_event(TurnDone(self.totals.steps, self.totals.usage, self.totals.cost_usd))

    def _dispatch(self, call: ToolCall, *, cut: bool = False, position: int = 0) -> str:
        tool = self.tools.get(call.name)
        if tool is None:
            self.slips["unknown_tool"] += 1
            known = ", ".join(self.tools)
            return f"error: there is no tool named {call.name!r}; the tools are: {known}"
        try:
            arguments = parse_arguments(call)
        except ToolArgumentError as exc:
            if cut:
                return (
                    "error: your reply was cut off at the output limit (finish_reason: length) "
                    f"inside this call, so it was not run; call {call.name} again, with less "
                    "reasoning before it"
                )
            self.slips["malformed"] += 1
            return f"error: {exc}; send the arguments again as one complete JSON object"
        key = call.name + json.dumps(arguments, sort_keys=True)
        earlier = self._seen_calls.get(key)
        if earlier is not None and self.messages[earlier].get("content") != HIDDEN:
            self.slips["repeated"] += 1
            return (
                "You already made this exact call; its result is above and has not changed. "
                "Use what it returned, try a different call, or finish the review."
            )
        try:
            output = self._invoke(tool, arguments)
        except ToolArgumentError as exc:
            self.slips["refused"] += 1
            return f"error: {exc}"
        except ToolTimedOut:
            return (
                f"error: {call.name} did not finish within {self.limits.tool_seconds:g} s; "
                "try a narrower call (a smaller path, a more specific pattern) or another tool"
            )
        if tool.reads:
            # Reading twice gives the same answer; other tools' answers depend on state.
            # This call's tool message goes at this index, once the turn's calls are run.
            self._seen_calls[key] = len(self.messages) + position
        return output

    def _invoke(self, tool: Tool, arguments: dict[str, Any]) -> str:
        """Run one tool under its time limit, in a worker thread so that the limit holds
        even when the tool does not return; git processes it started stop at the limit."""
        seconds = self.limits.tool_seconds
        if not seconds:
            return tool.invoke(arguments)
        outcome: list[tuple[str, Any]] = []

        def work() -> None:
            with time_limit(seconds):
                try:
                    outcome.append(("returned", tool.invoke(arguments)))
                except BaseException as exc:  # noqa: BLE001 - re-raised in the agent's thread
                    outcome.append(("raised", exc))

        started = time.monotonic()
        worker = threading.Thread(target=work, name=f"reviewbot-{tool.name}", daemon=True)
        worker.start()
        worker.join(seconds + TOOL_GRACE_SECONDS)
        if not outcome:
            raise ToolTimedOut(tool.name)
        kind, value = outcome[0]
        if kind == "returned":
            return str(value)
        if time.monotonic() - started >= seconds and isinstance(value, ToolArgumentError):
            raise ToolTimedOut(tool.name) from value  # its git process was stopped
        raise value

    def _check_limits(self) -> None:
        if self.totals.steps >= self.limits.max_steps:
            raise LimitsExceeded(
                "max_steps", f"stopped after {self.totals.steps} steps (max_steps)"
            )
        elapsed = self.clock() - self._started
        if elapsed >= self.limits.max_seconds:
            raise LimitsExceeded("max_seconds", f"stopped after {elapsed:.0f} s (max_seconds)")
        self._check_cost()

    def _check_cost(self) -> None:
        cap = self.limits.max_cost_usd
        if cap and self.totals.cost_usd >= cap:
            raise LimitsExceeded(
                "max_cost", f"stopped at ${self.totals.cost_usd:.4f} (max cost ${cap:.2f})"
            )

    def _check_cost_ahead(self, projected: int) -> None:
        cap = self.limits.max_cost_usd
        if not cap:
            return
        # Priced at the cached share and output per turn seen so far: an honest guess,
        # not the best case, so the cap is rarely passed.
        used = self.totals.usage
        share = used.cached_tokens / used.input_tokens if used.input_tokens else 0.0
        cached = int(min(self._last_input or 0, projected) * share)
        output = used.output_tokens // self.totals.steps if self.totals.steps else 0
        next_call = self.price(
            Usage(input_tokens=projected, cached_tokens=cached, output_tokens=output)
        )
        if self.totals.cost_usd + next_call > cap:
            raise LimitsExceeded(
                "max_cost",
                f"stopped at ${self.totals.cost_usd:.4f}: the next call (~${next_call:.4f}) "
                f"would pass the max cost ${cap:.2f}",
            )
