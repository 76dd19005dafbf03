"""The input of an inference.sh LLM app, built from the agent's chat messages.

The app takes the SDK's ``LLMInput``: the current turn split out (``text``, ``role``,
``tool_call_id``), the history as ``context`` (each message with ``role`` and ``text`` —
always present, even empty: the app's schema requires it — plus ``reasoning``,
``tool_calls``, ``tool_call_id``), ``system_prompt``, ``tools`` and the settings. The
Kimi K2 Thinking app adds ``reasoning_exclude``, takes ``temperature`` up to 2, and its
default ``reasoning_effort`` is ``"none"``: reasoning has to be asked for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from reviewbot.llm.wire import ToolChoice

# Asked for when the user names no effort: the app's own default ("none") turns reasoning
# off, and every tool-call turn must carry the model's reasoning back.
DEFAULT_EFFORT = "high"


def build_input(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]],
    *,
    tool_choice: ToolChoice,
    max_tokens: int,
    temperature: float,
    reasoning_effort: str = "",
    reasoning_max_tokens: int = 0,
    reasoning_exclude: bool = False,
    context_size: int = 0,
) -> dict[str, Any]:
    """The app's input for one turn: leading system messages become ``system_prompt``,
    the last message is the turn, the rest the ``context``."""
    if tool_choice not in ("auto", "none"):
        raise ValueError(f"tool_choice must be 'auto' or 'none' with thinking, not {tool_choice!r}")
    start = 0
    while start < len(messages) and messages[start].get("role") == "system":
        start += 1
    system = "\n\n".join(_text(m.get("content")) for m in messages[:start])
    rest = messages[start:]
    if not rest:
        raise ValueError("a conversation needs a message after the system prompt")
    *history, current = rest
    turn = _message(current)
    value: dict[str, Any] = {
        "text": turn["text"],
        "role": turn["role"],
        "context": [_message(m) for m in history],
        "system_prompt": system,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "reasoning_effort": reasoning_effort or DEFAULT_EFFORT,
        "reasoning_exclude": reasoning_exclude,
    }
    for key in ("tool_call_id", "reasoning"):
        if key in turn:
            value[key] = turn[key]
    if tools:
        value["tools"] = [dict(tool) for tool in tools]
    if tool_choice == "none":
        value["tool_choice"] = {"mode": "none"}
    if reasoning_max_tokens:
        value["reasoning_max_tokens"] = reasoning_max_tokens
    if context_size:
        value["context_size"] = context_size
    return value


def _message(message: Mapping[str, Any]) -> dict[str, Any]:
    role = str(message.get("role") or "user")
    out: dict[str, Any] = {"role": role, "text": _text(message.get("content"))}
    if role == "assistant":
        reasoning = message.get("reasoning", message.get("reasoning_content"))
        calls = message.get("tool_calls") or []
        if reasoning is not None or calls:
            # On a tool-call turn the reasoning goes back, "" when the model gave none.
            out["reasoning"] = reasoning if isinstance(reasoning, str) else ""
        if calls:
            out["tool_calls"] = [_call(call) for call in calls]
    elif role == "tool":
        out["tool_call_id"] = str(message.get("tool_call_id") or "")
    return out


def _call(call: Mapping[str, Any]) -> dict[str, Any]:
    function = call.get("function") or {}
    arguments = function.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments or {}, ensure_ascii=False)
    return {
        "id": str(call.get("id") or ""),
        "type": "function",
        "function": {"name": str(function.get("name") or ""), "arguments": _object_text(arguments)},
    }


def _object_text(text: str) -> str:
    """The arguments as the model wrote them when they are a JSON object; ``"{}"`` when
    they are not (cut off, or not an object): the platform decodes them into an object
    and would refuse the whole request. The agent already told the model they were bad."""
    try:
        value = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return "{}"
    return text if isinstance(value, dict) else "{}"


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: the text ones, in order
        return "".join(
            str(part.get("text") or "")
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        )
    return ""
