"""Reading inference.sh tasks: statuses, envelopes, stream lines, partial outputs, usage.

A task answer may come bare, as ``{"data": task, "messages": [...]}`` or in the v1 wrapper
``{"success", "status", "data"}``. Stream lines are the task, ``{"data": task, "fields":
[changed keys]}`` updates (``data`` whole or only the changed keys: both are merged),
``{"type": "heartbeat"}``, or ``{"event": "delta", "data": {"delta": {...}}}`` events whose
``response``/``reasoning`` and tool-call ``arguments`` are appended, other fields replaced.
While a task runs its ``output`` is a cumulative partial copy; ``TaskProgress`` reports
what grew as stream events (text that was rewritten rather than extended is not shown
again; the final output is what counts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from reviewbot.errors import ModelError
from reviewbot.llm.assemble import TurnBuilder, parse_usage
from reviewbot.llm.errors import ContextLengthError, ModelQuotaError
from reviewbot.llm.retry import ErrorContext, context_length_error
from reviewbot.llm.types import (
    AssistantTurn,
    ContentDelta,
    EventCallback,
    ReasoningDelta,
    StreamEvent,
    ToolCallDelta,
    Usage,
)
from reviewbot.retry import Retryable

COMPLETED, FAILED, CANCELLED, REJECTED = 10, 11, 12, 13
TERMINAL = frozenset({COMPLETED, FAILED, CANCELLED, REJECTED})
_STATUS_NAMES = {
    "received": 1, "queued": 2, "dispatched": 3, "preparing": 4, "serving": 5,
    "setting_up": 6, "running": 7, "cancelling": 8, "uploading": 9, "completed": 10,
    "failed": 11, "cancelled": 12, "rejected": 13,
}  # fmt: skip
# Failures worth a new task: the upstream provider or the app's connection to it.
_TRANSIENT = re.compile(
    r"rate.?limit|\b429\b|timed? ?out|timeout|overloaded|temporar|unavailable|\b50[234]\b|"
    r"connection|try again",
    re.IGNORECASE,
)


def status_of(task: Mapping[str, Any]) -> int:
    """The status number (names are accepted too; unknown: 0)."""
    value = task.get("status")
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return _STATUS_NAMES.get(value.strip().lower(), 0)
    return 0


def unwrap(body: Any) -> Any:
    """The payload of a success body in any of the envelopes."""
    if isinstance(body, Mapping) and "data" in body and "id" not in body:
        return body["data"]
    return body


class TaskProgress:
    """One task as its updates arrive; ``on_event`` hears what the output grew by and
    ``moved_at`` (a ``clock`` reading) says when the status or the output last changed."""

    def __init__(
        self,
        task: Mapping[str, Any],
        on_event: EventCallback | None,
        clock: Callable[[], float],
    ) -> None:
        self.task: dict[str, Any] = {}
        self._emit = on_event
        self._clock = clock
        self._deltas: dict[str, Any] = {}
        self._shown = _Shown()
        self.moved_at = clock()
        self.merge(task)

    @property
    def id(self) -> str:
        return str(self.task.get("id") or "")

    @property
    def status(self) -> int:
        return status_of(self.task)

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def merge(self, update: Mapping[str, Any]) -> None:
        """A task or part of one (missing keys keep their values)."""
        before = (self.status, self.task.get("output"))
        self.task.update(update)
        if (self.status, self.task.get("output")) != before:
            self._moved()

    def line(self, item: Any) -> None:
        """One stream line."""
        if not isinstance(item, Mapping) or item.get("type") == "heartbeat":
            return
        if item.get("event") == "delta":
            data = item.get("data")
            delta = data.get("delta") if isinstance(data, Mapping) else None
            if isinstance(delta, Mapping) and delta:
                _apply_delta(self._deltas, delta)
                self._moved()
            return
        if item.get("event") not in (None, "", "update", "task"):
            return  # an event this client does not use
        data = item.get("data") if "id" not in item else None
        if isinstance(data, Mapping):
            self.merge(data)
        elif "id" in item or "status" in item:
            self.merge(item)

    def output(self) -> dict[str, Any]:
        """The task's output, with what only delta events carried filled in."""
        raw = self.task.get("output")
        out = dict(raw) if isinstance(raw, Mapping) else {}
        for key, value in self._deltas.items():
            if not out.get(key):
                out[key] = value
        return out

    def _moved(self) -> None:
        self.moved_at = self._clock()
        if self._emit is not None:
            for event in self._shown.grow(self.output()):
                self._emit(event)


class _Shown:
    """What the live progress has shown so far; ``grow`` returns the increments."""

    def __init__(self) -> None:
        self.reasoning = ""
        self.response = ""
        self.calls: list[str] = []

    def grow(self, output: Mapping[str, Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for attr, kind in (("reasoning", ReasoningDelta), ("response", ContentDelta)):
            text = output.get(attr)
            before = getattr(self, attr)
            if isinstance(text, str) and text != before:
                if text.startswith(before):
                    events.append(kind(text[len(before) :]))
                setattr(self, attr, text)
        for index, call in enumerate(_calls(output)):
            name, arguments, call_id = call
            if index >= len(self.calls):
                self.calls.append(arguments)
                events.append(ToolCallDelta(index, call_id or None, name or None, arguments))
            elif arguments != self.calls[index]:
                if arguments.startswith(self.calls[index]):
                    grown = arguments[len(self.calls[index]) :]
                    events.append(ToolCallDelta(index, None, None, grown))
                self.calls[index] = arguments
        return events


def _calls(output: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(name, arguments text, id) of each tool call in an output."""
    out = []
    for call in output.get("tool_calls") or ():
        if not isinstance(call, Mapping):
            continue
        function = call.get("function") or {}
        arguments = function.get("arguments", "") if isinstance(function, Mapping) else ""
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        name = function.get("name", "") if isinstance(function, Mapping) else ""
        out.append((str(name or ""), arguments, str(call.get("id") or "")))
    return out


def _apply_delta(state: dict[str, Any], delta: Mapping[str, Any]) -> None:
    """The SDK's merge rules: text appended, tool calls merged by index, the rest replaced."""
    for key, value in delta.items():
        if value is None:
            continue
        if key in ("response", "reasoning") and isinstance(value, str):
            state[key] = (state.get(key) or "") + value
        elif key == "tool_calls" and isinstance(value, list):
            calls = state.setdefault("tool_calls", [])
            for piece in value:
                if isinstance(piece, Mapping):
                    _merge_call(calls, piece)
        else:
            state[key] = value


def _merge_call(calls: list[dict[str, Any]], piece: Mapping[str, Any]) -> None:
    index = piece.get("index", 0)
    index = index if isinstance(index, int) and index >= 0 else 0
    while len(calls) <= index:
        calls.append({"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
    call = calls[index]
    if piece.get("id"):
        call["id"] = piece["id"]
    function = piece.get("function")
    if isinstance(function, Mapping):
        if function.get("name"):
            call["function"]["name"] = function["name"]
        fragment = function.get("arguments")
        if isinstance(fragment, str):
            call["function"]["arguments"] += fragment


def usage_of(output: Mapping[str, Any]) -> Usage:
    """Token counts from ``usage`` (the SDK's ``LLMUsage``) or, when it has none, from
    ``output_meta`` (``text`` items' tokens, a ``raw`` item's cost in cents and extras)."""
    raw = output.get("usage")
    usage = parse_usage(raw) if isinstance(raw, Mapping) else Usage()
    meta = output.get("output_meta")
    if not isinstance(meta, Mapping):
        return usage
    items = [(side, i) for side in ("inputs", "outputs") for i in meta.get(side) or ()]
    items = [(side, i) for side, i in items if isinstance(i, Mapping)]
    extras: dict[str, Any] = {}
    cents = 0.0
    priced = False
    for _, item in items:
        if item.get("type") == "raw":
            if isinstance(item.get("cost"), int | float):
                cents += float(item["cost"])
                priced = True
            if isinstance(item.get("extra"), Mapping):
                extras.update(item["extra"])
    if not (usage.input_tokens or usage.output_tokens):
        text = [(side, i) for side, i in items if i.get("type") == "text"]
        usage = parse_usage(
            {
                "prompt_tokens": sum(_int(i.get("tokens")) for s, i in text if s == "inputs"),
                "completion_tokens": sum(_int(i.get("tokens")) for s, i in text if s == "outputs"),
                "cached_tokens": sum(_int(i.get("cached_tokens")) for s, i in text)
                or _int(extras.get("cached_tokens")),
                "reasoning_tokens": _int(extras.get("reasoning_tokens")),
            }
        )
    if priced:
        usage = Usage(
            usage.input_tokens,
            usage.cached_tokens,
            usage.output_tokens,
            usage.reasoning_tokens,
            round(cents / 100, 10),
        )
    return usage


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def build_turn(output: Mapping[str, Any], model: str) -> AssistantTurn:
    """The assistant turn of a completed task (raw K2 markup in the text is recovered)."""
    calls = [
        {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
        for name, arguments, call_id in _calls(output)
    ]
    usage = output.get("usage")
    stop = str(usage.get("stop_reason") or "") if isinstance(usage, Mapping) else ""
    message: dict[str, Any] = {"content": output.get("response") or ""}
    if isinstance(output.get("reasoning"), str):
        message["reasoning"] = output["reasoning"]
    if calls:
        message["tool_calls"] = calls
    finish = "tool_calls" if calls else ("length" if stop in ("length", "max_tokens") else "stop")
    builder = TurnBuilder()
    builder.add_completion({"choices": [{"message": message, "finish_reason": finish}]})
    turn = builder.build(model=model, style="reasoning")
    return AssistantTurn(
        content=turn.content,
        reasoning=turn.reasoning,
        reasoning_details=None,
        tool_calls=turn.tool_calls,
        finish_reason=turn.finish_reason,
        usage=usage_of(output),
        model=model,
        reasoning_style="reasoning",
    )


def failure(task: Mapping[str, Any], context: ErrorContext) -> ModelError | Retryable:
    """What a task that ended without completing means to the caller (the task's error
    text is the server's: scrubbed of the key and cut like every server message)."""
    task_id = str(task.get("id") or "?")
    app = context.model
    error = context.scrub(str(task.get("error") or ""))
    status = status_of(task)
    if status == REJECTED:
        return ModelQuotaError(
            f"inference.sh rejected task {task_id} for {app} ({error or 'no reason given'})",
            hint="add balance or a payment method to the inference.sh account",
        )
    if status == CANCELLED:
        return ModelError(
            f"inference.sh task {task_id} for {app} was cancelled before it finished",
            hint="someone else cancelled it (the web app or another client); run again",
        )
    said = error or "no error message"
    too_long = context_length_error(said)
    if too_long is not None:
        return ContextLengthError(
            f"inference.sh task {task_id}: {too_long.message}",
            hint=too_long.hint,
            sent_tokens=too_long.sent_tokens,
            limit=too_long.limit,
        )
    if _TRANSIENT.search(said):
        return Retryable(f"inference.sh task {task_id} failed: {said}")
    return ModelError(
        f"inference.sh task {task_id} for {app} failed: {said}",
        hint="see the task's logs in the inference.sh web app",
    )
