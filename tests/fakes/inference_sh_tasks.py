"""Task state for the fake inference.sh API: statuses over time, faults, the wire shapes.

A task's life is a function of the clock: received, then running with one more cumulative
output snapshot every ``step`` seconds, then completed with the final output. GET, the
NDJSON stream and cancel all read the same state, so polling and streaming agree. Faults
change that life (failed, cancelled by someone else, rejected, held without progress) or
the stream (it ends before the task does).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tests.fakes.inference_sh_app import Reply

RECEIVED, RUNNING, CANCELLING, COMPLETED, FAILED, CANCELLED, REJECTED = 1, 7, 8, 10, 11, 12, 13
TERMINAL = frozenset({COMPLETED, FAILED, CANCELLED, REJECTED})

Envelope = Literal["auto", "bare", "data", "v1"]
LineStyle = Literal["task", "partial", "sparse", "delta"]


@dataclass(frozen=True)
class TaskFault:
    """Something going wrong with the next task (or the next stream); see the constructors."""

    kind: Literal["failed", "cancelled", "rejected", "hold", "stream_ends_early"]
    after: int = 0  # output snapshots shown before it strikes
    error: str = ""
    count: int = 1  # stream faults: how many stream requests it hits

    @classmethod
    def failed(cls, error: str = "OpenRouter API error: bad input", after: int = 2) -> TaskFault:
        return cls("failed", after, error)

    @classmethod
    def cancelled(cls, after: int = 2) -> TaskFault:
        """Cancelled by someone else (the web app, another client)."""
        return cls("cancelled", after)

    @classmethod
    def rejected(cls, error: str = "insufficient balance") -> TaskFault:
        """Refused at admission (no balance, no payment method): it never runs."""
        return cls("rejected", 0, error)

    @classmethod
    def hold(cls, after: int = 2) -> TaskFault:
        """Runs, shows ``after`` snapshots, then makes no progress until cancelled."""
        return cls("hold", after)

    @classmethod
    def stream_ends_early(cls, after: int = 2, count: int = 1) -> TaskFault:
        """The stream connection closes after ``after`` updates; the task goes on."""
        return cls("stream_ends_early", after, count=count)


@dataclass(frozen=True)
class HttpFault:
    """The next ``count`` requests to ``route`` answer ``status`` (problem or v1 body)."""

    status: int
    route: Literal["run", "get", "stream", "cancel"] = "run"
    count: int = 1
    retry_after: str | None = None


def _now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class FakeTask:
    id: str
    app: str
    input: dict[str, Any]
    reply: Reply
    created: float
    step: float
    fault: TaskFault | None = None
    cancelled_at: float | None = None
    created_at: str = field(default_factory=_now_iso)

    def _progress(self, now: float) -> int:
        """Steps elapsed: 0 received, 1 running without output, 1+k the k-th snapshot."""
        steps = int((now - self.created) / self.step)
        if self.cancelled_at is not None:
            steps = min(steps, int((self.cancelled_at - self.created) / self.step))
        return steps

    def view(self, now: float) -> dict[str, Any]:
        """The task as ``GET /tasks/{id}`` shows it at ``now``."""
        status, output, error = self._state(now)
        return {
            "id": self.id,
            "created_at": self.created_at,
            "updated_at": _now_iso(),
            "status": status,
            "app_id": self.app,
            "input": self.input,
            "output": output,
            "error": error,
            "logs": [],
        }

    def _state(self, now: float) -> tuple[int, dict[str, Any] | None, str | None]:
        fault, shots = self.fault, self.reply.snapshots
        if fault is not None and fault.kind == "rejected":
            return REJECTED, None, fault.error
        steps = self._progress(now)
        shown = max(min(steps - 1, len(shots)), 0)
        output = shots[shown - 1] if shown else None
        if self.cancelled_at is not None:
            done = now >= self.cancelled_at + self.step
            return (CANCELLED if done else CANCELLING), output, None
        if steps == 0:
            return RECEIVED, None, None
        if fault is not None and fault.kind in ("failed", "cancelled") and shown >= fault.after:
            output = shots[fault.after - 1] if fault.after else None
            if fault.kind == "failed":
                return FAILED, output, fault.error
            return CANCELLED, output, None
        if fault is not None and fault.kind == "hold":
            held = min(fault.after, len(shots))
            return RUNNING, (shots[held - 1] if held else None), None
        if steps <= len(shots) + 1:
            return RUNNING, output, None
        return COMPLETED, self.reply.final, None

    def terminal(self, now: float) -> bool:
        return self._state(now)[0] in TERMINAL


def envelope(payload: Any, style: Envelope, api_version: str | None) -> Any:
    """A success body in the requested envelope (``auto``: by the X-API-Version header)."""
    if style == "auto":
        style = "bare" if api_version == "2" else "v1"
    if style == "data":
        return {"data": payload, "messages": []}
    if style == "v1":
        return {"success": True, "status": 200, "data": payload}
    return payload


def error_body(status: int, detail: str, api_version: str | None) -> tuple[str, Any]:
    """(content type, body): RFC 9457 problem+json with X-API-Version 2, else the v1 wrapper."""
    code = {
        400: "invalid_request",
        401: "unauthorized",
        402: "payment_required",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        422: "invalid_request",
        429: "rate_limited",
    }.get(status, "internal_error")
    if api_version == "2":
        problem = {
            "type": f"https://api.inference.sh/errors/{code}",
            "title": code.replace("_", " ").capitalize(),
            "status": status,
            "detail": detail,
        }
        return "application/problem+json", problem
    return "application/json", {
        "success": False,
        "status": status,
        "error": {"code": code, "message": detail},
    }


@dataclass
class LineWriter:
    """Turns successive task views into NDJSON lines of one style."""

    style: LineStyle
    delta_tool_calls: bool = False
    _last: dict[str, Any] = field(default_factory=dict)
    _seq: int = 0

    def lines(self, view: Mapping[str, Any]) -> list[dict[str, Any]]:
        if self.style == "delta":
            return self._delta_lines(view)
        changed = [k for k in view if k != "updated_at" and self._last.get(k) != view[k]]
        first = not self._last
        self._last = dict(view)
        if not changed:
            return []
        if self.style == "task" or first:
            return [dict(view)]
        if self.style == "partial":
            return [{"data": dict(view), "fields": changed}]
        # sparse: one update per changed key, carrying only that key; the status last, so a
        # final status never arrives before the final output
        changed.sort(key=lambda key: key == "status")
        return [{"data": {"id": view["id"], key: view[key]}, "fields": [key]} for key in changed]

    def _delta_lines(self, view: Mapping[str, Any]) -> list[dict[str, Any]]:
        """While running, output travels only as delta events (the SDK's accumulator starts
        empty with each stream); task lines carry it once the task has ended."""
        before = self._last.get("output") or {}
        ended = view["status"] in TERMINAL
        shown = dict(view) if ended else {**view, "output": None}
        first = not self._last
        changed = [k for k in shown if k != "updated_at" and self._last.get(k) != shown[k]]
        out: list[dict[str, Any]] = []
        if first:
            out.append(shown)
        elif [k for k in changed if k != "output"] or (ended and changed):
            out.append({"data": {k: shown[k] for k in ("id", *changed)}, "fields": changed})
        if not ended:
            delta = self._delta(before, view.get("output") or {})
            if delta:
                self._seq += 1
                out.append({"event": "delta", "data": {"delta": delta, "seq": self._seq}})
        self._last = {**shown, "output": view.get("output")}
        return out

    def _delta(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
        delta: dict[str, Any] = {}
        for key in ("reasoning", "response"):
            grown = (after.get(key) or "")[len(before.get(key) or "") :]
            if grown:
                delta[key] = grown
        if not self.delta_tool_calls:
            return delta
        old = before.get("tool_calls") or []
        calls = []
        for index, call in enumerate(after.get("tool_calls") or []):
            text = call["function"]["arguments"]
            if index >= len(old):
                calls.append(
                    {
                        "index": index,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": text},
                    }
                )
            elif text != old[index]["function"]["arguments"]:
                grown = text[len(old[index]["function"]["arguments"]) :]
                calls.append({"index": index, "function": {"arguments": grown}})
        if calls:
            delta["tool_calls"] = calls
        return delta


def encode(line: Any) -> bytes:
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
