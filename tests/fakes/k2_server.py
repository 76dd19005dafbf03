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
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.fakes.k2_modes import MISSING_REASONING, MODES, Mode
from tests.fakes.k2_script import FakeCall, Fault, ScriptEntry, Turn, estimate_tokens, render_markup
from tests.fakes.k2_stream import _chunks, _Reply, _whole
from tests.fakes.k2_validate import _cached, _Issued, common_prefix, validate
from tests.fakes.local_http import LocalHTTP

# The fake's public surface stays importable from here (the suites import it so).
__all__ = [
    "MISSING_REASONING",
    "MODES",
    "FakeCall",
    "Fault",
    "K2Server",
    "Mode",
    "ScriptEntry",
    "Turn",
    "_Issued",
    "common_prefix",
    "estimate_tokens",
    "k2_server",
    "render_markup",
    "validate",
]


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
        self._http: LocalHTTP | None = None

    # Control ------------------------------------------------------------------------
    def start(self, port: int = 0) -> K2Server:
        self._http = LocalHTTP(self.handler(), port=port, quiet=True, name="fake-k2")
        return self

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class bound to this fake (subclasses slow it down)."""
        return type("Handler", (_Handler,), {"fake": self})

    def stop(self) -> None:
        self._stop.set()
        if self._http is not None:
            self._http.stop()

    @property
    def base_url(self) -> str:
        assert self._http is not None, "start() the server first"
        return f"{self._http.root}/v1"

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
