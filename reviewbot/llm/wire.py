"""The request body a chat-completions endpoint gets, per provider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from reviewbot.llm.errors import ModelRequestError
from reviewbot.llm.providers import Provider

ToolChoice = Literal["auto", "none"]


def build_body(
    *,
    model: str,
    provider: Provider,
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]],
    tool_choice: ToolChoice,
    stream: bool,
    max_tokens: int,
    temperature: float,
    reasoning_effort: str = "",
    reasoning_max_tokens: int = 0,
    reasoning_exclude: bool = False,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One chat-completions request.

    With thinking on, ``tool_choice`` may only be ``auto`` or ``none`` (never forced).
    Reasoning is asked for per provider: OpenRouter gets
    ``reasoning: {"effort"|"max_tokens", "exclude"}``; openai-compatible servers get
    ``reasoning_effort`` when one is set; Moonshot gets nothing (K2 Thinking always
    reasons there). ``extra_body`` is merged last.
    """
    if tool_choice not in ("auto", "none"):
        raise ValueError(f"tool_choice must be 'auto' or 'none' with thinking, not {tool_choice!r}")
    body: dict[str, Any] = {
        "model": model,
        "messages": list(messages),
        "max_tokens": max_tokens,
        "temperature": temperature,
        "stream": stream,
    }
    if tools:
        body["tools"] = list(tools)
        body["tool_choice"] = tool_choice
    if stream and provider.stream_usage_option:
        body["stream_options"] = {"include_usage": True}
    if provider.reasoning_request == "openrouter":
        reasoning: dict[str, Any] = {}
        if reasoning_max_tokens:
            reasoning["max_tokens"] = reasoning_max_tokens
        elif reasoning_effort:
            reasoning["effort"] = reasoning_effort
        reasoning["exclude"] = reasoning_exclude
        body["reasoning"] = reasoning
    elif provider.reasoning_request == "reasoning_effort" and reasoning_effort:
        body["reasoning_effort"] = reasoning_effort
    if extra_body:
        body.update(extra_body)
    return body


def check_tool_schemas(tools: Sequence[Mapping[str, Any]]) -> None:
    """Refuse, before anything is sent, tool schemas K2 would refuse."""
    missing = untyped_properties(tools)
    if missing:
        raise ModelRequestError(
            f"tool schema properties without a type: {', '.join(missing[:5])}",
            hint="give every (nested) property a JSON-schema type",
        )


def untyped_properties(tools: Sequence[Mapping[str, Any]]) -> list[str]:
    """``tool.path`` of every schema property without a ``type`` (K2 rejects them)."""
    missing: list[str] = []
    for tool in tools:
        function = tool.get("function") or {}
        name = str(function.get("name", "?"))
        _walk(function.get("parameters") or {}, name, missing)
    return missing


def _walk(schema: Any, path: str, missing: list[str]) -> None:
    if not isinstance(schema, Mapping):
        return
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        for key, sub in properties.items():
            where = f"{path}.{key}"
            if not isinstance(sub, Mapping) or "type" not in sub:
                missing.append(where)
            _walk(sub, where, missing)
    items = schema.get("items")
    if isinstance(items, Mapping):
        if "type" not in items:
            missing.append(f"{path}[]")
        _walk(items, f"{path}[]", missing)
