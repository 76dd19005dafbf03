"""Turn a streamed (or whole) chat completion into an ``AssistantTurn``.

Reasoning is read from ``reasoning_content`` (Moonshot, vLLM, SGLang) or ``reasoning``
(OpenRouter, inference.sh, newer vLLM), whichever a chunk carries. Tool calls are
accumulated by ``index``. OpenRouter's ``reasoning_details`` fragments are merged by
``index`` (string fields concatenated, other fields kept from the latest fragment), which
rebuilds the objects a non-streamed reply would carry; a non-streamed reply's details
are kept as they are. Raw K2 markup leaked into text is recovered last.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewbot.llm.markup import has_markup, recover_tool_calls
from reviewbot.llm.providers import ReasoningStyle
from reviewbot.llm.types import (
    AssistantTurn,
    ContentDelta,
    EventCallback,
    ReasoningDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageEvent,
)

_CONCATENATED = ("text", "summary", "data")


def parse_usage(raw: Mapping[str, Any]) -> Usage:
    """Usage from any of the shapes in use (cached tokens top-level or in details)."""
    prompt = _int(raw.get("prompt_tokens", raw.get("input_tokens")))
    prompt_details = raw.get("prompt_tokens_details") or raw.get("input_tokens_details") or {}
    cached = raw.get("cached_tokens")
    if cached is None and isinstance(prompt_details, Mapping):
        cached = prompt_details.get("cached_tokens")
    output_details = raw.get("completion_tokens_details") or {}
    reasoning = raw.get("reasoning_tokens")
    if reasoning is None and isinstance(output_details, Mapping):
        reasoning = output_details.get("reasoning_tokens")
    return Usage(
        input_tokens=prompt,
        cached_tokens=_int(cached),
        output_tokens=_int(raw.get("completion_tokens", raw.get("output_tokens"))),
        reasoning_tokens=_int(reasoning),
    )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass
class _PartialCall:
    id: str | None = None
    name: str | None = None
    parts: list[str] = field(default_factory=list)


class TurnBuilder:
    """Accumulates one reply; ``build`` makes the turn."""

    def __init__(self, emit: EventCallback | None = None) -> None:
        self._emit = emit
        self._reasoning: list[str] = []
        self._saw_reasoning = False
        self._content: list[str] = []
        self._details: list[dict[str, Any]] | None = None
        self._calls: dict[int, _PartialCall] = {}
        self._usage: Usage | None = None
        self.finish_reason: str | None = None
        self.model = ""

    # Streaming --------------------------------------------------------------------
    def add_chunk(self, chunk: Mapping[str, Any]) -> None:
        if isinstance(chunk.get("model"), str):
            self.model = chunk["model"]
        if isinstance(chunk.get("usage"), Mapping):
            self._usage = parse_usage(chunk["usage"])
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, Mapping) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if isinstance(delta, Mapping):
                self._add_delta(delta)
            if isinstance(choice.get("usage"), Mapping):  # Moonshot puts it here
                self._usage = parse_usage(choice["usage"])
            if choice.get("finish_reason"):
                self.finish_reason = str(choice["finish_reason"])

    def _add_delta(self, delta: Mapping[str, Any]) -> None:
        reasoning = _text(delta, "reasoning_content")
        if reasoning is None:
            reasoning = _text(delta, "reasoning")
        if reasoning is not None:
            self._saw_reasoning = True
            if reasoning:
                self._reasoning.append(reasoning)
                self._send(ReasoningDelta(reasoning))
        details = delta.get("reasoning_details")
        if isinstance(details, list):
            for piece in details:
                if isinstance(piece, Mapping):
                    self._merge_detail(piece)
        content = _text(delta, "content")
        if content:
            self._content.append(content)
            self._send(ContentDelta(content))
        for fragment in delta.get("tool_calls") or ():
            if isinstance(fragment, Mapping):
                self._add_call_fragment(fragment)

    def _merge_detail(self, piece: Mapping[str, Any]) -> None:
        if self._details is None:
            self._details = []
        index = piece.get("index")
        target = None
        for existing in reversed(self._details):
            if existing.get("type") == piece.get("type") and existing.get("index") == index:
                target = existing
                break
        if target is None:
            self._details.append(dict(piece))
            return
        for key, value in piece.items():
            if key in _CONCATENATED and isinstance(value, str):
                before = target.get(key)
                target[key] = (before if isinstance(before, str) else "") + value
            elif value is not None:
                target[key] = value

    def _add_call_fragment(self, fragment: Mapping[str, Any]) -> None:
        index = fragment.get("index")
        if not isinstance(index, int):
            is_new = fragment.get("id") and all(
                c.id != fragment["id"] for c in self._calls.values()
            )
            index = len(self._calls) if (is_new or not self._calls) else max(self._calls)
        call = self._calls.setdefault(index, _PartialCall())
        function = fragment.get("function") or {}
        call_id = fragment.get("id")
        name = function.get("name") if isinstance(function, Mapping) else None
        arguments = function.get("arguments") if isinstance(function, Mapping) else None
        if isinstance(call_id, str) and call_id and call.id is None:
            call.id = call_id
        if isinstance(name, str) and name and call.name is None:
            call.name = name
        if isinstance(arguments, Mapping):  # some servers send an object
            arguments = json.dumps(arguments, ensure_ascii=False)
        text = arguments if isinstance(arguments, str) else ""
        if text:
            call.parts.append(text)
        self._send(
            ToolCallDelta(
                index=index,
                id=call_id if isinstance(call_id, str) else None,
                name=name if isinstance(name, str) else None,
                arguments_fragment=text,
            )
        )

    # Whole replies ----------------------------------------------------------------
    def add_completion(self, body: Mapping[str, Any]) -> None:
        """A non-streamed ``chat.completion``; emits one delta per part for the CLI."""
        if isinstance(body.get("model"), str):
            self.model = body["model"]
        if isinstance(body.get("usage"), Mapping):
            self._usage = parse_usage(body["usage"])
        choices = body.get("choices") or [{}]
        choice = choices[0] if isinstance(choices[0], Mapping) else {}
        message = choice.get("message") or {}
        if isinstance(choice.get("usage"), Mapping):
            self._usage = parse_usage(choice["usage"])
        if choice.get("finish_reason"):
            self.finish_reason = str(choice["finish_reason"])
        if not isinstance(message, Mapping):
            return
        details = message.get("reasoning_details")
        whole = {k: v for k, v in message.items() if k != "reasoning_details"}
        self._add_delta(whole)
        if isinstance(details, list):
            self._details = list(details)

    # Result -----------------------------------------------------------------------
    @property
    def has_output(self) -> bool:
        return bool(self._reasoning or self._content or self._calls)

    def build(self, *, model: str, style: ReasoningStyle) -> AssistantTurn:
        calls = [
            ToolCall(
                id=part.id or f"functions.{part.name or 'unknown'}:{index}",
                name=part.name or "",
                arguments="".join(part.parts),
            )
            for index, part in sorted(self._calls.items())
        ]
        content = "".join(self._content)
        reasoning = "".join(self._reasoning) if self._saw_reasoning else None
        finish = self.finish_reason
        structured = bool(calls)
        if has_markup(content):
            recovered = recover_tool_calls(content, first_index=len(calls))
            content = recovered.text
            calls.extend(c for c in recovered.calls if c.id not in {k.id for k in calls})
        if reasoning is not None and has_markup(reasoning):
            recovered = recover_tool_calls(reasoning, first_index=len(calls))
            reasoning = recovered.text
            calls.extend(c for c in recovered.calls if c.id not in {k.id for k in calls})
        if calls and not structured and finish in (None, "stop"):
            finish = "tool_calls"
        usage = self._usage or Usage()
        self._send(UsageEvent(usage))
        return AssistantTurn(
            content=content,
            reasoning=reasoning,
            reasoning_details=tuple(self._details) if self._details is not None else None,
            tool_calls=tuple(calls),
            finish_reason=finish,
            usage=usage,
            model=self.model or model,
            reasoning_style=style,
        )

    def _send(self, event: Any) -> None:
        if self._emit is not None:
            self._emit(event)


def _text(delta: Mapping[str, Any], key: str) -> str | None:
    value = delta.get(key)
    return value if isinstance(value, str) else None
