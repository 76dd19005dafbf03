"""What the K2 fake plays: scripted turns (``Turn``, ``FakeCall``), K2's raw tool-call markup,
injected faults (``Fault``) and the fake's token count."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal


def estimate_tokens(text: str) -> int:
    """The fake's deterministic token count: one token per 4 characters, rounded up."""
    return (len(text) + 3) // 4


@dataclass(frozen=True)
class FakeCall:
    name: str
    arguments: str | Mapping[str, Any] = "{}"  # a mapping is sent as compact JSON
    id: str | None = None  # default: functions.NAME:IDX with a session-wide IDX

    @property
    def text(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, separators=(",", ":"))


@dataclass(frozen=True)
class Turn:
    reasoning: str = ""
    content: str = ""
    tool_calls: Sequence[FakeCall] = ()
    finish_reason: str | None = None  # default: tool_calls when there are calls, else stop
    usage: Mapping[str, Any] | None = None  # sent verbatim instead of the computed usage
    chunk_chars: int = 8  # characters per streamed delta
    interleave: bool = False  # interleave the fragments of parallel calls
    send_reasoning: bool = True  # False: no reasoning field at all


ScriptEntry = Turn | Callable[[dict[str, Any]], Turn]


def render_markup(
    calls: Sequence[FakeCall], *, spelling: str = "tool_calls", first_index: int = 0
) -> str:
    """K2's raw tool-call markup, as leaked by servers without a tool parser."""
    parts = [f"<|{spelling}_section_begin|>"]
    for offset, call in enumerate(calls):
        call_id = call.id or f"functions.{call.name}:{first_index + offset}"
        parts.append(
            f"<|tool_call_begin|>{call_id}<|tool_call_argument_begin|>{call.text}<|tool_call_end|>"
        )
    parts.append(f"<|{spelling}_section_end|>")
    return "".join(parts)


@dataclass(frozen=True)
class Fault:
    """Something going wrong on the next request(s); see the constructors."""

    kind: Literal["status", "drop", "stall", "malformed", "stream_error", "reply"]
    status: int = 0
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    count: int = 1  # how many consecutive requests it hits
    after_chunks: int = 0  # stream faults: chunks sent before it strikes
    seconds: float = 0.0
    turn: Turn | None = None  # "reply": served instead of the next scripted turn
    resume: bool = False  # "stall": go on streaming after the pause instead of hanging up

    @classmethod
    def status_code(
        cls, code: int, *, retry_after: str | None = None, body: Any = None, count: int = 1
    ) -> Fault:
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        if body is None:
            body = _error_body(code)
        return cls("status", status=code, body=body, headers=headers, count=count)

    @classmethod
    def rate_limited(cls, *, retry_after: str | None = None, count: int = 1) -> Fault:
        body = {
            "error": {
                "message": "request reached max request: 3",
                "type": "rate_limit_reached_error",
            }
        }
        return cls.status_code(429, retry_after=retry_after, body=body, count=count)

    @classmethod
    def overloaded(cls, *, count: int = 1) -> Fault:
        body = {
            "error": {
                "message": "The engine is currently overloaded, please try again later",
                "type": "engine_overloaded_error",
            }
        }
        return cls.status_code(429, body=body, count=count)

    @classmethod
    def burst(cls, code: int, count: int) -> Fault:
        return cls.status_code(code, count=count)

    @classmethod
    def context_length(cls, *, sent: int = 300_000, limit: int = 262_144) -> Fault:
        message = (
            f"Invalid request: Your request exceeded model token limit: {limit} (requested: {sent})"
        )
        return cls.status_code(
            400, body={"error": {"message": message, "type": "invalid_request_error"}}
        )

    @classmethod
    def unauthorized(cls) -> Fault:
        body = {
            "error": {"message": "Invalid Authentication", "type": "invalid_authentication_error"}
        }
        return cls.status_code(401, body=body)

    @classmethod
    def drop(cls, *, after_chunks: int = 3, count: int = 1) -> Fault:
        return cls("drop", after_chunks=after_chunks, count=count)

    @classmethod
    def stall(
        cls, seconds: float, *, after_chunks: int = 2, count: int = 1, resume: bool = False
    ) -> Fault:
        """Silence for ``seconds``, then hang up (or, with ``resume``, finish the reply)."""
        return cls("stall", seconds=seconds, after_chunks=after_chunks, count=count, resume=resume)

    @classmethod
    def malformed(cls, *, after_chunks: int = 2, count: int = 1) -> Fault:
        return cls("malformed", after_chunks=after_chunks, count=count)

    @classmethod
    def stream_error(
        cls, error_type: str = "engine_overloaded_error", *, after_chunks: int = 2, count: int = 1
    ) -> Fault:
        body = {"error": {"message": "The engine is currently overloaded", "type": error_type}}
        return cls("stream_error", body=body, after_chunks=after_chunks, count=count)

    @classmethod
    def reply(cls, turn: Turn) -> Fault:
        return cls("reply", turn=turn)

    @classmethod
    def leaked_markup(
        cls,
        calls: Sequence[FakeCall],
        *,
        into: Literal["content", "reasoning"] = "content",
        spelling: str = "tool_calls",
        text: str = "Let me look at the code.",
    ) -> Fault:
        markup = render_markup(calls, spelling=spelling)
        if into == "content":
            return cls.reply(Turn(reasoning="I need the file.", content=f"{text}\n{markup}"))
        return cls.reply(Turn(reasoning=f"{text}\n{markup}", content=""))

    @classmethod
    def empty_reply(cls) -> Fault:
        return cls.reply(Turn(send_reasoning=False))

    @classmethod
    def reasoning_only(cls, text: str = "Thinking about it, but saying nothing.") -> Fault:
        return cls.reply(Turn(reasoning=text))


def _error_body(code: int) -> Any:
    if code == 502:
        return "<html><body><h1>502 Bad Gateway</h1></body></html>"
    kinds = {
        400: "invalid_request_error",
        401: "invalid_authentication_error",
        404: "resource_not_found_error",
    }
    kind = kinds.get(code, "server_error" if code >= 500 else "invalid_request_error")
    return {"error": {"message": f"fake error {code}", "type": kind}}
