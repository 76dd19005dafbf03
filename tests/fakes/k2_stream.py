"""How the K2 fake words a reply on the wire: streamed chunks per provider mode, or one
whole answer."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tests.fakes.k2_modes import Mode
from tests.fakes.k2_script import Turn


@dataclass(frozen=True)
class _Reply:
    turn: Turn
    calls: list[tuple[str, str, str]]  # (id, name, arguments)
    finish: str
    usage: dict[str, Any]
    model: str
    details: tuple[dict[str, Any], ...]


def _pieces(text: str, size: int) -> list[str]:
    size = max(size, 1)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _reasoning_delta(piece: str, mode: Mode) -> dict[str, Any]:
    if mode in ("moonshot", "vllm"):
        return {"reasoning_content": piece}
    if mode == "reasoning":
        return {"reasoning": piece}
    detail = {"type": "reasoning.text", "text": piece, "format": "unknown", "index": 0}
    return {"reasoning": piece, "reasoning_details": [detail]}


def _chunks(reply: _Reply, mode: Mode, body: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The streamed ``chat.completion.chunk`` objects of one reply (without [DONE])."""
    turn = reply.turn
    base = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": reply.model,
    }

    def chunk(delta: dict[str, Any], **choice: Any) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, **choice}]}

    yield chunk({"role": "assistant", "content": ""})
    if turn.send_reasoning:
        for piece in _pieces(turn.reasoning, turn.chunk_chars):
            yield chunk(_reasoning_delta(piece, mode))
    for piece in _pieces(turn.content, turn.chunk_chars):
        yield chunk({"content": piece})
    fragments: list[list[dict[str, Any]]] = []
    for index, (call_id, name, arguments) in enumerate(reply.calls):
        first = {
            "index": index,
            "id": call_id,
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        rest = [
            {"index": index, "function": {"arguments": p}}
            for p in _pieces(arguments, turn.chunk_chars)
        ]
        fragments.append([first, *rest])
    if turn.interleave:
        ordered = [f for group in _round_robin(fragments) for f in group]
    else:
        ordered = [f for group in fragments for f in group]
    for fragment in ordered:
        yield chunk({"tool_calls": [fragment]})
    if mode == "moonshot":
        yield chunk({}, finish_reason=reply.finish, usage=reply.usage)
        return
    yield chunk({}, finish_reason=reply.finish)
    wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    if mode in ("openrouter", "reasoning") or wants_usage:
        yield {**base, "choices": [], "usage": reply.usage}


def _round_robin(groups: list[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    longest = max((len(g) for g in groups), default=0)
    for i in range(longest):
        yield [g[i] for g in groups if i < len(g)]


def _whole(reply: _Reply, mode: Mode) -> dict[str, Any]:
    turn = reply.turn
    message: dict[str, Any] = {"role": "assistant", "content": turn.content}
    if turn.send_reasoning:
        if mode in ("moonshot", "vllm"):
            message["reasoning_content"] = turn.reasoning
        else:
            message["reasoning"] = turn.reasoning
        if mode == "openrouter":
            message["reasoning_details"] = list(reply.details)
    if reply.calls:
        message["tool_calls"] = [
            {"id": i, "type": "function", "function": {"name": n, "arguments": a}}
            for i, n, a in reply.calls
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model,
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish}],
        "usage": reply.usage,
    }
