"""A fake inference.sh task API on 127.0.0.1: real HTTP, task state, the official SDK's rules.

    server = InferenceShServer().start()      # or the `inference_sh` pytest fixture
    server.script([Turn(reasoning="...", tool_calls=[FakeCall("read_file", {...})])])
    server.inject(TaskFault.stream_ends_early(after=2))
    ... reviewbot with REVIEWBOT_PROVIDER=inference-sh, REVIEWBOT_BASE_URL=server.base_url ...
    assert server.violations == []

Routes (as the SDKs call them): ``POST /apps/run {app, input}`` creates a task and answers
it; ``GET /tasks/{id}``; ``GET /tasks/{id}/stream`` (NDJSON: the task, heartbeats, updates
in the chosen ``line_style``: the task, ``partial`` whole-task updates, ``sparse`` one
update per changed key, or ``delta`` events; until a final status); ``POST /tasks/{id}/cancel``.
Bodies come in the ``envelope`` asked for (``auto``: bare with ``X-API-Version: 2``, else
the v1 ``{"success", "status", "data"}`` wrapper); errors are problem+json with version 2,
else the v1 error wrapper. Every run request and input is validated (see
``inference_sh_app``); what would be refused answers 422 and is kept in ``violations``,
and so is a conversation the model's provider would refuse (reasoning missing or changed
on a tool-call turn, a tool result that answers no call).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.fakes import inference_sh_app as app
from tests.fakes.inference_sh_tasks import (
    TERMINAL,
    Envelope,
    FakeTask,
    HttpFault,
    LineStyle,
    LineWriter,
    TaskFault,
    encode,
    envelope,
    error_body,
)
from tests.fakes.k2_server import ScriptEntry, Turn, _Issued, common_prefix, validate
from tests.fakes.local_http import LocalHTTP

API_KEY = "inf_test_0123456789abcdef"


@dataclass
class InferenceShServer:
    api_key: str | None = API_KEY  # None: any key is accepted
    apps: frozenset[str] = frozenset({app.APP})
    envelope: Envelope = "auto"
    line_style: LineStyle = "partial"
    delta_tool_calls: bool = False  # the SDK 0.36 cannot accumulate tool-call deltas
    usage_style: app.UsageStyle = "usage"
    step: float = 0.005  # seconds between two output snapshots
    heartbeat: float = 0.05
    default_turn: Turn | None = None  # served when the script is empty
    strict_roundtrip: bool = True  # tool calls and reasoning sent back as the model gave them
    runs: list[dict[str, Any]] = field(default_factory=list)  # valid run bodies, in order
    violations: list[str] = field(default_factory=list)
    cancels: list[str] = field(default_factory=list)  # task ids, in the order cancelled
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    headers: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tasks: dict[str, FakeTask] = {}
        self._script: deque[ScriptEntry] = deque()
        self._task_faults: deque[TaskFault] = deque()
        self._stream_faults: deque[TaskFault] = deque()
        self._http_faults: deque[HttpFault] = deque()
        self._issued: dict[str, _Issued] = {}
        self._prompts: list[str] = []
        self._ids = itertools.count(1)
        self._calls = itertools.count(0)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.streams_open = threading.Semaphore(0)  # released when a stream starts
        self._http: LocalHTTP | None = None

    # Control ------------------------------------------------------------------------
    def start(self) -> InferenceShServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._http = LocalHTTP(handler, name="fake-inference-sh")
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._http is not None:
            self._http.stop()

    @property
    def base_url(self) -> str:
        assert self._http is not None, "start() the server first"
        return self._http.root

    def script(self, turns: Sequence[ScriptEntry]) -> InferenceShServer:
        with self._lock:
            self._script.extend(turns)
        return self

    def inject(self, fault: TaskFault | HttpFault) -> InferenceShServer:
        with self._lock:
            if isinstance(fault, HttpFault):
                self._http_faults.extend([fault] * fault.count)
            elif fault.kind == "stream_ends_early":
                self._stream_faults.extend([fault] * fault.count)
            else:
                self._task_faults.append(fault)
        return self

    @property
    def remaining(self) -> int:
        return len(self._script)

    def status(self, task_id: str) -> int:
        return int(self.tasks[task_id].view(time.monotonic())["status"])

    # Requests -----------------------------------------------------------------------
    def _route(self, h: _Handler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        path = h.path.split("?", 1)[0].rstrip("/")
        version = h.headers.get("X-API-Version")
        with self._lock:
            self.requests.append((method, path))
            self.headers.append(dict(h.headers.items()))
        parts = path.strip("/").split("/")
        route = {("POST", 2): "run", ("GET", 2): "get", ("GET", 3): "stream"}.get(
            (method, len(parts)), "cancel" if parts[-1:] == ["cancel"] else "?"
        )
        if self.api_key is not None and h.headers.get("Authorization") != f"Bearer {self.api_key}":
            return h.send_error(401, "Invalid or missing API key", version)
        with self._lock:
            fault = next((f for f in self._http_faults if f.route == route), None)
            if fault is not None:
                self._http_faults.remove(fault)
        if fault is not None:
            extra = [("Retry-After", fault.retry_after)] if fault.retry_after else []
            return h.send_error(fault.status, f"fake {fault.status}", version, extra)
        if route == "run" and parts == ["apps", "run"]:
            return self._run(h, raw, version)
        task = self.tasks.get(parts[1]) if len(parts) >= 2 and parts[0] == "tasks" else None
        if task is None:
            return h.send_error(404, f"no route or task for {method} {path}", version)
        if route == "get":
            return h.send_json(envelope(task.view(time.monotonic()), self.envelope, version))
        if route == "stream":
            return self._stream(h, task)
        if route == "cancel" and method == "POST":
            return self._cancel(h, task, version)
        return h.send_error(404, f"no route for {method} {path}", version)

    def _refuse(self, h: _Handler, problems: list[str], version: str | None) -> None:
        with self._lock:
            self.violations.extend(problems)
        h.send_error(422, "; ".join(problems), version)

    def _run(self, h: _Handler, raw: bytes, version: str | None) -> None:
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return self._refuse(h, ["the body is not JSON"], version)
        problems = app.check_run(body)
        if problems:
            return self._refuse(h, problems, version)
        if body["app"].split("@", 1)[0] not in self.apps:
            return h.send_error(404, f"app {body['app']} not found", version)
        value = body["input"]
        problems = app.check_input(value)
        view = app.openai_view(value)
        with self._lock:
            conversation = validate(view, "reasoning", self._issued, self.strict_roundtrip)
        if conversation:
            problems.append(conversation)
        if problems:
            return self._refuse(h, problems, version)
        with self._lock:
            self.runs.append(body)
            entry = self._script.popleft() if self._script else None
            fault = self._task_faults.popleft() if self._task_faults else None
        turn = (entry(view) if callable(entry) else entry) or self.default_turn
        if turn is None:
            return h.send_error(500, "inference_sh fake: the script has no turn left", version)
        task = self._new_task(body, turn, fault)
        return h.send_json(envelope(task.view(time.monotonic()), self.envelope, version))

    def _new_task(self, body: dict[str, Any], turn: Turn, fault: TaskFault | None) -> FakeTask:
        value = body["input"]
        prompt = json.dumps(app.openai_view(value), separators=(",", ":"))
        with self._lock:
            shared = max((common_prefix(prompt, p) for p in self._prompts), default=0)
            self._prompts.append(prompt)
            returned = app.reasoning_returned(value)
            calls = []
            for call in turn.tool_calls:
                call_id = call.id or f"functions.{call.name}:{next(self._calls)}"
                calls.append((call_id, call.name, call.text))
                reasoning = turn.reasoning if returned else ""
                self._issued[call_id] = _Issued(call.name, call.text, reasoning, None)
            usage = app.usage_for(prompt, shared, turn, app.thinks(value))
            reply = app.build_reply(
                turn, calls, reasoning=returned, usage=usage, style=self.usage_style
            )
            task = FakeTask(
                id=f"task_{next(self._ids):06d}",
                app=body["app"],
                input=value,
                reply=reply,
                created=time.monotonic(),
                step=self.step,
                fault=fault,
            )
            self.tasks[task.id] = task
        return task

    def _stream(self, h: _Handler, task: FakeTask) -> None:
        with self._lock:
            fault = self._stream_faults.popleft() if self._stream_faults else None
        h.start_ndjson()
        self.streams_open.release()
        writer = LineWriter(self.line_style, self.delta_tool_calls)
        sent, quiet = 0, time.monotonic()
        while not self._stop.is_set():
            view = task.view(time.monotonic())
            for line in writer.lines(view):
                h.write_chunk(encode(line))
                sent, quiet = sent + 1, time.monotonic()
            if view["status"] in TERMINAL:
                break
            if fault is not None and sent > fault.after:
                break  # the stream ends cleanly without a final status; the task goes on
            if time.monotonic() - quiet >= self.heartbeat:
                h.write_chunk(encode({"type": "heartbeat"}))
                quiet = time.monotonic()
            self._stop.wait(self.step / 2)
        h.end_chunks()

    def _cancel(self, h: _Handler, task: FakeTask, version: str | None) -> None:
        now = time.monotonic()
        if task.terminal(now):
            return h.send_error(409, f"task {task.id} has already finished", version)
        with self._lock:
            self.cancels.append(task.id)
            task.cancelled_at = now
        return h.send_json(envelope(task.view(now), self.envelope, version))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30
    fake: InferenceShServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        try:
            self.fake._route(self, method)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def send_json(self, payload: Any, status: int = 200, kind: str = "application/json",
                  headers: Sequence[tuple[str, str]] = ()) -> None:  # fmt: skip
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def send_error(  # type: ignore[override]
        self, status: int, detail: str, version: str | None = None,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:  # fmt: skip
        kind, body = error_body(status, detail, version)
        self.send_json(body, status, kind, headers)

    def start_ndjson(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


@pytest.fixture
def inference_sh() -> Iterator[InferenceShServer]:
    """A started fake inference.sh task API, stopped afterwards."""
    server = InferenceShServer().start()
    try:
        yield server
    finally:
        server.stop()
