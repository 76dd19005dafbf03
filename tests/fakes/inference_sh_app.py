"""The app behind the fake inference.sh task API: `openrouter/kimi-k2-thinking`, as its
source (github inference-sh/grid, api/openrouter) and the official SDK (`inferencesh`
0.36.0) describe it.

- Input: the SDK's app-level ``LLMInput`` plus the app's own fields (``reasoning_exclude``,
  ``context_size``, ``temperature`` 0-2); every input is validated with the SDK's pydantic
  models, the app's published schema rules the models no longer state (``text`` present on
  the turn and on every context message), the contract's ``Tool`` for each tool and its
  ``ToolCall`` for each tool call sent back (arguments decoded the way the platform's Go
  ``StringEncodedMap`` decodes them: a JSON object, or a string holding one).
- Reasoning: the app's default ``reasoning_effort`` is ``"none"``; like the app, this one
  returns reasoning only when asked for it (effort low/medium/high) and not excluded.
- Output: cumulative snapshots while running (tool arguments in them may be cut-off JSON),
  then ``{response, reasoning, tool_calls, usage}`` or, like the app, ``output_meta``
  (``TextMeta`` token counts, a ``RawMeta`` upstream cost in cents).
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from inferencesh import llm_types_gen as contract
from inferencesh.models.llm import LLMInput
from inferencesh.types import ApiAppRunRequest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from tests.fakes.k2_server import Turn, estimate_tokens

APP = "openrouter/kimi-k2-thinking"
UsageStyle = Literal["usage", "output_meta"]


class AppInput(LLMInput):
    """The app's input class: the SDK's ``LLMInput`` and the fields the app adds."""

    reasoning_exclude: bool = Field(default=False)
    context_size: int = Field(default=200000)
    temperature: float = Field(default=0.6, ge=0.0, le=2.0)


def _run_request_model() -> type[BaseModel]:
    """``ApiAppRunRequest`` (a TypedDict pydantic cannot take on Python 3.11) as a model;
    nested TypedDicts are checked as objects."""
    fields: dict[str, Any] = {}
    for name, hint in typing.get_type_hints(ApiAppRunRequest).items():
        if any(typing.is_typeddict(arg) for arg in typing.get_args(hint)):
            hint = dict[str, Any] | None
        fields[name] = (hint, None)
    config = ConfigDict(extra="forbid")
    return create_model("ApiAppRunRequest", __config__=config, **fields)


_RUN_REQUEST = _run_request_model()
_INPUT_KEYS = frozenset(AppInput.model_fields)
_ROLES = ("user", "assistant", "system", "tool")


def _errors(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()]


def check_run(body: Any) -> list[str]:
    """Why ``POST /apps/run`` would refuse ``body`` (empty: it would not)."""
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    problems: list[str] = []
    try:
        _RUN_REQUEST.model_validate(body)
    except ValidationError as exc:
        problems += _errors(exc)
    if not isinstance(body.get("app"), str) or not body["app"]:
        problems.append("app: an app reference (namespace/name[@version]) is required")
    if not isinstance(body.get("input"), dict):
        problems.append("input: must be an object")
    return problems


def check_input(value: Mapping[str, Any]) -> list[str]:
    """Everything the app (and the platform's contract types) would refuse in ``value``."""
    problems = [f"unknown input field {k!r}" for k in sorted(set(value) - _INPUT_KEYS)]
    if not isinstance(value.get("text"), str):
        problems.append("text: required string (the app's schema requires it)")
    try:
        AppInput.model_validate(dict(value))
    except ValidationError as exc:
        problems += _errors(exc)
    for index, message in enumerate(value.get("context") or ()):
        where = f"context.{index}"
        if not isinstance(message, dict):
            problems.append(f"{where}: must be an object")
            continue
        if not isinstance(message.get("text"), str):
            problems.append(f"{where}.text: required string (the app's schema requires it)")
        if message.get("role") not in _ROLES:
            problems.append(f"{where}.role: must be one of {', '.join(_ROLES)}")
        for number, call in enumerate(message.get("tool_calls") or ()):
            problems += _check_call(call, f"{where}.tool_calls.{number}")
    for index, tool in enumerate(value.get("tools") or ()):
        try:
            contract.Tool.model_validate(tool)
        except ValidationError as exc:
            problems += [f"tools.{index}.{e}" for e in _errors(exc)]
    return problems


def _check_call(call: Any, where: str) -> list[str]:
    if not isinstance(call, dict):
        return [f"{where}: must be an object"]
    function = call.get("function")
    arguments = function.get("arguments") if isinstance(function, dict) else None
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError:
            return [f"{where}.function.arguments: a string that is not JSON"]
    decoded = {**call, "function": {**(function or {}), "arguments": arguments}}
    try:
        contract.ToolCall.model_validate(decoded)
    except ValidationError as exc:
        return [f"{where}.{e}" for e in _errors(exc)]
    return []


def thinks(value: Mapping[str, Any]) -> bool:
    """The app's rule: the model reasons only when an effort other than none is set."""
    return (value.get("reasoning_effort") or "none") != "none"


def reasoning_returned(value: Mapping[str, Any]) -> bool:
    """Reasoning comes back when the model reasons and it is not excluded."""
    return thinks(value) and not value.get("reasoning_exclude", False)


def openai_view(value: Mapping[str, Any]) -> dict[str, Any]:
    """The conversation the app sends upstream, with reasoning kept under ``reasoning``."""
    messages: list[dict[str, Any]] = []
    if value.get("system_prompt"):
        messages.append({"role": "system", "content": value["system_prompt"]})
    turn = {
        "role": value.get("role") or "user",
        "text": value.get("text", ""),
        "tool_call_id": value.get("tool_call_id"),
        "reasoning": value.get("reasoning"),
    }
    for message in [*(value.get("context") or ()), turn]:
        out: dict[str, Any] = {"role": message.get("role"), "content": message.get("text") or ""}
        if message.get("reasoning") is not None:
            out["reasoning"] = message["reasoning"]
        if message.get("tool_calls"):
            out["tool_calls"] = [_as_openai_call(c) for c in message["tool_calls"]]
        if message.get("role") == "tool":
            out["tool_call_id"] = message.get("tool_call_id") or ""
        messages.append(out)
    return {"messages": messages, "tools": list(value.get("tools") or ())}


def _as_openai_call(call: Mapping[str, Any]) -> dict[str, Any]:
    function = dict(call.get("function") or {})
    if not isinstance(function.get("arguments"), str):
        function["arguments"] = json.dumps(function.get("arguments") or {})
    return {"id": call.get("id"), "type": call.get("type", "function"), "function": function}


@dataclass(frozen=True)
class Reply:
    """One task's output: the cumulative snapshots a running task shows, then the final."""

    snapshots: tuple[dict[str, Any], ...]
    final: dict[str, Any]


def build_reply(
    turn: Turn,
    calls: Sequence[tuple[str, str, str]],
    *,
    reasoning: bool,
    usage: Mapping[str, int],
    style: UsageStyle,
) -> Reply:
    """Snapshots grow reasoning, then the response, then each call's arguments, in pieces."""
    think = turn.reasoning if reasoning else ""
    size = max(turn.chunk_chars, 1)
    snapshots: list[dict[str, Any]] = []
    for end in range(size, len(think) + size, size):
        snapshots.append(_output(think[:end], "", [], reasoning))
    for end in range(size, len(turn.content) + size, size):
        snapshots.append(_output(think, turn.content[:end], [], reasoning))
    done: list[tuple[str, str, str]] = []
    for call_id, name, arguments in calls:
        for end in range(size, len(arguments) + size, size):
            partial = [*done, (call_id, name, arguments[:end])]
            snapshots.append(_output(think, turn.content, partial, reasoning))
        done.append((call_id, name, arguments))
    final = _output(think, turn.content, done, reasoning)
    if style == "usage":
        stop = "length" if turn.finish_reason == "length" else ""
        final["usage"] = {**usage, "stop_reason": stop}
    else:
        final["output_meta"] = output_meta(usage)
    return Reply(tuple(snapshots), final)


def _output(
    reasoning: str, response: str, calls: Sequence[tuple[str, str, str]], wanted: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {"response": response}
    if wanted and reasoning:
        out["reasoning"] = reasoning
    if calls:
        out["tool_calls"] = [
            {"id": i, "type": "function", "function": {"name": n, "arguments": a}}
            for i, n, a in calls
        ]
    return out


def output_meta(usage: Mapping[str, int]) -> dict[str, Any]:
    """Token counts and cost the way the app reports them for pricing (cost in cents)."""
    prompt, cached = usage["prompt_tokens"], usage["cached_tokens"]
    completion = usage["completion_tokens"]
    dollars = ((prompt - cached) * 0.6 + cached * 0.15 + completion * 2.5) / 1e6
    return {
        "inputs": [
            {"type": "text", "tokens": prompt},
            {
                "type": "raw",
                "cost": round(dollars * 100, 8),
                "extra": {"cached_tokens": cached, "reasoning_tokens": usage["reasoning_tokens"]},
            },
        ],
        "outputs": [{"type": "text", "tokens": completion}],
    }


def usage_for(prompt: str, cached_chars: int, turn: Turn, thinks: bool) -> dict[str, int]:
    """``LLMUsage`` counts from the fake's 4-characters-a-token estimate (reasoning is
    billed when the model thinks, whether or not it is returned)."""
    prompt_tokens = estimate_tokens(prompt)
    think = estimate_tokens(turn.reasoning) if thinks else 0
    output = think + estimate_tokens(turn.content)
    output += sum(estimate_tokens(c.name + c.text) for c in turn.tool_calls)
    return {
        "prompt_tokens": prompt_tokens,
        "cached_tokens": min(cached_chars // 4, prompt_tokens),
        "completion_tokens": output,
        "total_tokens": prompt_tokens + output,
        "reasoning_tokens": think,
    }
