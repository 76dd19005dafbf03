"""What the K2 fake checks in every request, as the real API does (and what it answers)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.fakes.k2_modes import MISSING_REASONING, Mode


@dataclass(frozen=True)
class _Issued:
    name: str
    arguments: str
    reasoning: str
    details: tuple[dict[str, Any], ...] | None


_REASONING_KEY: dict[str, str] = {
    "moonshot": "reasoning_content",
    "vllm": "reasoning_content",
    "reasoning": "reasoning",
    "openrouter": "reasoning_details",
}


def validate(
    body: Mapping[str, Any], mode: Mode, issued: Mapping[str, _Issued], strict: bool
) -> str | None:
    """What Moonshot (or the mode's provider) would answer 400 with, or None."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "Invalid request: messages must be a non-empty list"
    choice = body.get("tool_choice")
    if choice is not None and choice not in ("auto", "none"):
        shown = json.dumps(choice)
        return (
            f"Invalid request: tool_choice {shown} is incompatible with thinking; use auto or none"
        )
    for tool in body.get("tools") or ():
        function = tool.get("function") or {}
        missing = _untyped(function.get("parameters") or {}, function.get("name", "?"))
        if missing:
            return f"Invalid request: tool parameter {missing[0]} has no type"
    open_ids: list[str] = []
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in open_ids:
                return f"Invalid request: tool_call_id {call_id} is not found"
            open_ids.remove(call_id)
            continue
        if open_ids:
            return (
                "Invalid request: an assistant message with 'tool_calls' must be followed by tool "
                f"messages responding to each 'tool_call_id'; unanswered: {', '.join(open_ids)}"
            )
        calls = message.get("tool_calls") if role == "assistant" else None
        if calls:
            problem = _check_tool_turn(message, index, mode, issued, strict)
            if problem:
                return problem
            open_ids = [call.get("id") for call in calls]
    if open_ids:
        return f"Invalid request: tool calls left unanswered: {', '.join(open_ids)}"
    return None


def _check_tool_turn(
    message: Mapping[str, Any], index: int, mode: Mode, issued: Mapping[str, _Issued], strict: bool
) -> str | None:
    key = _REASONING_KEY[mode]
    if key not in message:
        if key == "reasoning_content":
            return f"{MISSING_REASONING} at index {index}"
        return f"Invalid request: {key} is missing in assistant tool call message at index {index}"
    if not strict:
        return None
    first = issued.get(message["tool_calls"][0].get("id"))
    for call in message["tool_calls"]:
        sent = issued.get(call.get("id"))
        function = call.get("function") or {}
        if sent and (function.get("name"), function.get("arguments")) != (
            sent.name,
            sent.arguments,
        ):
            return f"Invalid request: tool call {call.get('id')} differs from what the model sent"
    if first is None:
        return None
    if mode == "openrouter":
        if tuple(message["reasoning_details"] or ()) != (first.details or ()):
            return (
                "Invalid request: reasoning_details was modified in assistant tool call "
                f"message at index {index}"
            )
    elif message[key] != first.reasoning:
        return f"Invalid request: {key} differs from what the model sent at index {index}"
    return None


def _untyped(schema: Any, path: str) -> list[str]:
    missing: list[str] = []
    if isinstance(schema, Mapping):
        for key, sub in (schema.get("properties") or {}).items():
            if not isinstance(sub, Mapping) or "type" not in sub:
                missing.append(f"{path}.{key}")
            missing += _untyped(sub, f"{path}.{key}")
        items = schema.get("items")
        if isinstance(items, Mapping):
            missing += _untyped(items, f"{path}[]")
    return missing


def _cached(usage: Mapping[str, Any]) -> int:
    """Cached tokens from a usage object in any mode's shape."""
    details = usage.get("prompt_tokens_details") or {}
    return int(usage.get("cached_tokens") or details.get("cached_tokens") or 0)


def common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo
