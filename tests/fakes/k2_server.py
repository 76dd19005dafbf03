"""A fake Kimi K2 Thinking chat-completions server on 127.0.0.1, for tests and benches.

It plays a script of turns chosen by the test and speaks like K2 Thinking behind each
provider (``mode``): reasoning streams before content, tool calls stream in fragments with
``functions.NAME:IDX`` ids, usage reports cached tokens. Cached tokens are billed the way
providers' automatic prefix caching bills them: the request is laid out as the chat
template renders it, tools first and then the messages, and the cached part is the
longest prefix it shares with any earlier request, counted with ``estimate_tokens`` (4
characters a token) and rounded down to whole cache blocks (``cache_block`` tokens;
nothing below ``cache_min``). Changing a tool declaration mid-run therefore costs the whole
prompt, as it does at the provider. ``cached_shares`` lists each request's cached share.

It validates what it is sent and answers 400 like Moonshot when something is wrong:
reasoning missing from an assistant tool-call message (per mode), a tool result that
answers no open call, a call left unanswered, a schema property without ``type``,
``tool_choice`` other than auto/none; with ``strict_roundtrip`` also tool calls or
reasoning that differ from what it sent.

Modes: ``moonshot`` (``reasoning_content``; usage on the last choice with top-level
``cached_tokens``), ``openrouter`` (``reasoning`` + ``reasoning_details`` on deltas, which
must come back unmodified; usage chunk with ``prompt_tokens_details``), ``reasoning`` (an
OpenAI-compatible server that names the field ``reasoning``, as newer vLLM does), ``vllm``
(``reasoning_content``; usage only with ``stream_options.include_usage``, cached tokens in
``prompt_tokens_details``).

Use the ``k2_server`` fixture::

    def test_x(k2_server):
        k2_server.script([Turn(reasoning="...", tool_calls=[FakeCall("read_file", {...})])])
        k2_server.inject(Fault.status(429, retry_after="0"))
        ... ChatClient(ClientConfig(base_url=k2_server.base_url, ...)) ...
        assert k2_server.requests[0]["messages"] == [...]

Or run it alone (for benches): ``python -m tests.fakes.k2_server --turn-json '{...}'``.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import pytest

Mode = Literal["moonshot", "openrouter", "reasoning", "vllm"]
MODES: tuple[Mode, ...] = ("moonshot", "openrouter", "reasoning", "vllm")
MISSING_REASONING = (
    "thinking is enabled but reasoning_content is missing in assistant tool call message"
)


def estimate_tokens(text: str) -> int:
    """The fake's deterministic token count: one token per 4 characters, rounded up."""
    return (len(text) + 3) // 4


# Script ---------------------------------------------------------------------------------


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


# Validation -----------------------------------------------------------------------------


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


# Server ---------------------------------------------------------------------------------


@dataclass
class K2Server:
    mode: Mode = "moonshot"
    streaming: bool = True  # False: answer with whole JSON even when asked to stream
    api_key: str | None = None  # when set, other keys get 401
    models: set[str] | None = None  # when set, other models get 404
    strict_roundtrip: bool = True
    default_turn: Turn | None = None  # served when the script is empty
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    usages: list[dict[str, Any]] = field(default_factory=list)  # usage sent per served turn
    connections: int = 0  # TCP connections accepted (keep-alive reuse shows here)
    cache_block: int = 1  # prefix caching counts whole blocks of this many tokens
    cache_min: int = 0  # a shared prefix shorter than this many tokens is not cached

    def __post_init__(self) -> None:
        self._script: deque[ScriptEntry] = deque()
        self._faults: deque[Fault] = deque()
        self._issued: dict[str, _Issued] = {}
        self._prompts: list[str] = []
        self._next_call = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Control ------------------------------------------------------------------------
    def start(self, port: int = 0) -> K2Server:
        handler = type("Handler", (_Handler,), {"fake": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start() the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, turns: Sequence[ScriptEntry]) -> K2Server:
        with self._lock:
            self._script.extend(turns)
        return self

    def inject(self, fault: Fault) -> K2Server:
        with self._lock:
            self._faults.extend([replace(fault, count=1)] * fault.count)
        return self

    @property
    def remaining(self) -> int:
        return len(self._script)

    @property
    def cached_shares(self) -> list[float]:
        """Per served request: cached tokens / prompt tokens, as billed."""
        return [_cached(u) / u["prompt_tokens"] for u in self.usages if u.get("prompt_tokens")]

    # One request --------------------------------------------------------------------
    def _serve(self, h: _Handler) -> None:
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        if h.path.rstrip("/") != "/v1/chat/completions":
            return h.send_json(
                404, {"error": {"message": f"no route {h.path}", "type": "not_found"}}
            )
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return h.send_json(
                400,
                {
                    "error": {
                        "message": "Invalid request: body is not JSON",
                        "type": "invalid_request_error",
                    }
                },
            )
        with self._lock:
            self.requests.append(body)
            self.headers.append(dict(h.headers.items()))
            fault = self._faults.popleft() if self._faults else None
        if self.api_key is not None and h.headers.get("Authorization") != f"Bearer {self.api_key}":
            fault = Fault.unauthorized()
        if fault is not None and fault.kind == "status":
            return h.send_error_body(fault.status, fault.body, fault.headers)
        if self.models is not None and body.get("model") not in self.models:
            message = f"Not found the model {body.get('model')} or Permission denied"
            return h.send_json(
                404, {"error": {"message": message, "type": "resource_not_found_error"}}
            )
        with self._lock:
            problem = validate(body, self.mode, self._issued, self.strict_roundtrip)
        if problem:
            return h.send_json(
                400, {"error": {"message": problem, "type": "invalid_request_error"}}
            )
        entry, turn = self._take_turn(body, fault)
        if turn is None:
            message = f"k2_server: the script has no turn left (request {len(self.requests)})"
            return h.send_json(
                400, {"error": {"message": message, "type": "invalid_request_error"}}
            )
        reply = self._reply(body, turn)
        if not (body.get("stream") and self.streaming):
            return h.send_json(200, _whole(reply, self.mode))
        chunks = list(_chunks(reply, self.mode, body))
        strikes = fault is not None and fault.kind != "reply" and fault.after_chunks < len(chunks)
        if strikes and entry is not None and not (fault and fault.resume):  # retry: same turn
            with self._lock:
                self._script.appendleft(entry)
        h.send_stream(chunks, fault if strikes else None, self._stop)
        return None

    def _take_turn(
        self, body: dict[str, Any], fault: Fault | None
    ) -> tuple[ScriptEntry | None, Turn | None]:
        if fault is not None and fault.kind == "reply":
            return None, fault.turn
        with self._lock:
            entry = self._script.popleft() if self._script else None
        if entry is None:
            return None, self.default_turn
        return entry, entry(body) if callable(entry) else entry

    def _reply(self, body: dict[str, Any], turn: Turn) -> _Reply:
        with self._lock:
            calls = []
            for call in turn.tool_calls:
                call_id = call.id or f"functions.{call.name}:{self._next_call}"
                self._next_call += 1
                calls.append((call_id, call.name, call.text))
            details = (
                (
                    {
                        "type": "reasoning.text",
                        "text": turn.reasoning,
                        "format": "unknown",
                        "index": 0,
                    },
                )
                if turn.reasoning
                else ()
            )
            for call_id, name, arguments in calls:
                self._issued[call_id] = _Issued(name, arguments, turn.reasoning, details)
            usage = dict(turn.usage) if turn.usage is not None else self._usage(body, turn, calls)
            self.usages.append(usage)
        finish = turn.finish_reason or ("tool_calls" if calls else "stop")
        return _Reply(
            turn, calls, finish, usage, str(body.get("model", "kimi-k2-thinking")), details
        )

    def _usage(
        self, body: Mapping[str, Any], turn: Turn, calls: list[tuple[str, str, str]]
    ) -> dict[str, Any]:
        prompt = json.dumps(
            {"tools": body.get("tools") or [], "messages": body["messages"]}, separators=(",", ":")
        )
        shared = max((common_prefix(prompt, before) for before in self._prompts), default=0)
        self._prompts.append(prompt)
        prompt_tokens = estimate_tokens(prompt)
        blocks = (shared // 4) // max(self.cache_block, 1) * max(self.cache_block, 1)
        cached = min(blocks, prompt_tokens) if blocks >= self.cache_min else 0
        reasoning = estimate_tokens(turn.reasoning)
        output = (
            reasoning
            + estimate_tokens(turn.content)
            + sum(estimate_tokens(n + a) for _, n, a in calls)
        )
        usage: dict[str, Any] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": output,
            "total_tokens": prompt_tokens + output,
        }
        if self.mode == "moonshot":
            usage["cached_tokens"] = cached
        else:
            usage["prompt_tokens_details"] = {"cached_tokens": cached}
        if self.mode in ("openrouter", "reasoning"):
            usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
        if self.mode == "openrouter":
            cost = ((prompt_tokens - cached) * 0.6 + cached * 0.15 + output * 2.5) / 1e6
            usage["cost"] = round(cost, 8)
        return usage


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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    fake: K2Server

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake.connections += 1
        # Like real servers: no Nagle delay between the header and body writes.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        try:
            self.fake._serve(self)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def send_json(self, status: int, payload: Any) -> None:
        self.send_error_body(status, payload, ())

    def send_error_body(
        self, status: int, payload: Any, headers: Sequence[tuple[str, str]]
    ) -> None:
        is_text = isinstance(payload, str)
        data = payload.encode() if is_text else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if is_text else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def send_stream(
        self, chunks: Sequence[dict[str, Any]], fault: Fault | None, stop: threading.Event
    ) -> None:
        """Stream ``chunks`` as SSE; ``fault`` strikes before chunk ``fault.after_chunks``."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.fake.mode == "openrouter":
            self._write(b": OPENROUTER PROCESSING\n\n")
        for sent, item in enumerate(chunks):
            if fault is not None and sent == fault.after_chunks:
                if fault.kind == "drop":
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if fault.kind == "stall":
                    stop.wait(fault.seconds)
                    if not fault.resume:
                        self.close_connection = True
                        return
                if fault.kind == "malformed":
                    self._write(b'data: {"choices": [{"index": 0, "delta": {"content": "tr\n\n')
                    self._write(b"data: [DONE]\n\n")
                    self._end()
                    return
                if fault.kind == "stream_error":
                    self._write(b"data: " + json.dumps(fault.body).encode() + b"\n\n")
                    self._end()
                    return
            self._write(b"data: " + json.dumps(item, ensure_ascii=False).encode() + b"\n\n")
        self._write(b"data: [DONE]\n\n")
        self._end()
        return True

    def _write(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


@pytest.fixture
def k2_server() -> Iterator[K2Server]:
    """A started ``K2Server`` (mode moonshot; set ``.mode`` to change), stopped afterwards."""
    server = K2Server().start()
    try:
        yield server
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Serve one turn forever (for benches); prints the base URL, stops when stdin closes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=MODES, default="moonshot")
    parser.add_argument("--turn-json", default='{"content": "ok"}')
    args = parser.parse_args(argv)
    spec = json.loads(args.turn_json)
    spec["tool_calls"] = [FakeCall(**c) for c in spec.get("tool_calls", [])]
    server = K2Server(mode=args.mode, default_turn=Turn(**spec), strict_roundtrip=False).start()
    print(server.base_url, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
