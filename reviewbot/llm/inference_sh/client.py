"""``TaskClient``: the ``ModelClient`` for inference.sh, over httpx (no SDK at run time).

One model turn is one task of the app (``ClientConfig.model``, e.g.
``openrouter/kimi-k2-thinking``):

1. ``POST {base}/apps/run {"app", "input"}`` creates it (401/404/problem+json and the
   other HTTP failures are classified as for every provider; 429/5xx and dropped
   connections are retried);
2. ``GET /tasks/{id}/stream`` (NDJSON) follows it, its partial outputs shown as live
   progress; when the stream ends, drops or goes silent before a final status, the task is
   polled with ``GET /tasks/{id}`` every ``poll_interval`` seconds;
3. a final status ends it: completed becomes the turn; failed, cancelled and rejected
   become one-line errors naming the task (a failure that reads transient, like an upstream
   429 or timeout, is retried with a new task).

A task that makes no progress for ``idle_timeout`` seconds is cancelled and retried. Any
other way out while a task runs — Ctrl-C, a retry bound, an error — cancels it with
``POST /tasks/{id}/cancel`` (best effort, ``CANCEL_TIMEOUT``) so it stops costing money.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx

from reviewbot import __version__
from reviewbot.errors import ModelError
from reviewbot.llm.client import (
    TRANSPORT_ERRORS,
    ClientConfig,
    HttpModelClient,
    http_failure,
    transport_failure,
)
from reviewbot.llm.errors import ModelNotFoundError, ModelRequestError
from reviewbot.llm.inference_sh.task import COMPLETED, TaskProgress, build_turn, failure, unwrap
from reviewbot.llm.inference_sh.wire import build_input
from reviewbot.llm.types import AssistantTurn, EventCallback, UsageEvent
from reviewbot.llm.wire import ToolChoice, check_tool_schemas
from reviewbot.retry import Retryable

CANCEL_TIMEOUT = 5.0  # seconds a cancel may take on the way out (Ctrl-C waits for it)


class TaskClient(HttpModelClient):
    """``ModelClient`` over inference.sh's task API; ``cancelled`` lists the tasks it
    cancelled, in order."""

    def __init__(self, config: ClientConfig, **options: Any) -> None:
        super().__init__(config, **options)
        self.cancelled: list[str] = []
        self._base = config.base_url.rstrip("/")

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        *,
        on_event: EventCallback | None = None,
        tool_choice: ToolChoice = "auto",
    ) -> AssistantTurn:
        """One model turn as one task, retried within the configured bounds."""
        cfg = self.config
        check_tool_schemas(tools)
        value = build_input(
            messages,
            tools,
            tool_choice=tool_choice,
            max_tokens=cfg.max_tokens,
            temperature=cfg.temperature,
            reasoning_effort=cfg.reasoning_effort,
            reasoning_max_tokens=cfg.reasoning_max_tokens,
            reasoning_exclude=cfg.reasoning_exclude,
            context_size=cfg.context_size,
        )
        body = {**dict(cfg.extra_body), "app": cfg.model, "input": value}
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

        turn = self._retried(
            lambda: self._attempt(payload, on_event), on_event, f"inference.sh at {cfg.base_url}"
        )
        if on_event is not None:
            on_event(UsageEvent(turn.usage))
        return turn

    # One attempt: one task ----------------------------------------------------------
    def _attempt(self, payload: bytes, on_event: EventCallback | None) -> AssistantTurn:
        progress = TaskProgress(self._create(payload), on_event, self._clock)
        if not progress.id:
            raise ModelRequestError(
                f"inference.sh at {self.config.base_url} answered without a task id",
                hint="check --base-url: it should be the API root (https://api.inference.sh)",
            )
        ended = False
        try:
            self._follow(progress)
            ended = True
        finally:
            if not ended:
                self._cancel(progress.id)
        if progress.status != COMPLETED:
            raise failure(progress.task, self._context)
        return build_turn(progress.output(), self.config.model)

    def _create(self, payload: bytes) -> dict[str, Any]:
        reply = self._send("POST", "/apps/run", content=payload)
        task = unwrap(self._json(reply))
        if not isinstance(task, dict):
            raise Retryable("inference.sh answered the run with something other than a task")
        return task

    def _follow(self, progress: TaskProgress) -> None:
        """Stream the task, then poll it, until it has a final status."""
        if progress.finished:
            return
        with contextlib.suppress(*TRANSPORT_ERRORS):  # dropped or silent: polling will tell
            self._stream(progress)
        while not progress.finished:
            self._check_alive(progress)
            self._sleep(self.config.poll_interval)
            try:
                task = unwrap(self._json(self._send("GET", f"/tasks/{progress.id}")))
            except Retryable:
                continue  # transient: the next poll may get through; stalls are bounded
            if isinstance(task, dict):
                progress.merge(task)

    def _stream(self, progress: TaskProgress) -> None:
        url = f"{self._base}/tasks/{progress.id}/stream"
        headers = self._headers("application/x-ndjson")
        with self._http.stream("GET", url, headers=headers) as reply:
            if reply.status_code >= 400:
                reply.read()
                refused = http_failure(reply, self._context)
                if isinstance(refused, ModelError) and reply.status_code in (401, 402, 403):
                    raise refused
                return  # no stream for this task here: poll instead
            for raw in reply.iter_lines():
                line = raw.strip().removeprefix("data:").strip()
                if line:  # a torn line is skipped: the next update or a poll has the state
                    with contextlib.suppress(json.JSONDecodeError):
                        progress.line(json.loads(line))
                if progress.finished:
                    return
                self._check_alive(progress)

    def _check_alive(self, progress: TaskProgress) -> None:
        """Raise ``Retryable`` (the task then gets cancelled) when it has stopped moving."""
        still = self._clock() - progress.moved_at
        if still >= self.config.idle_timeout:
            raise Retryable(
                f"inference.sh task {progress.id} made no progress for {still:.0f} s "
                f"(status {progress.status}); it was cancelled"
            )

    def _cancel(self, task_id: str) -> None:
        """Best effort: the caller is already on its way out with another error."""
        try:
            reply = self._http.post(
                f"{self._base}/tasks/{task_id}/cancel",
                headers=self._headers("application/json"),
                timeout=min(CANCEL_TIMEOUT, self.config.idle_timeout),
            )
        except httpx.HTTPError:
            return
        if reply.is_success:
            self.cancelled.append(task_id)

    # HTTP -----------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, content: bytes | None = None) -> httpx.Response:
        try:
            reply = self._http.request(
                method, self._base + path, content=content, headers=self._headers()
            )
        except TRANSPORT_ERRORS as exc:
            raise transport_failure(exc, self.config) from exc
        if reply.status_code == 404 and path.startswith("/tasks/"):
            raise ModelNotFoundError(
                f"inference.sh has no task {path.split('/')[2]} any more (404)",
                hint="run again; if it keeps happening, report it",
            )
        if reply.status_code >= 400:
            raise http_failure(reply, self._context)
        return reply

    def _json(self, reply: httpx.Response) -> Any:
        try:
            return json.loads(reply.content) if reply.content else None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise Retryable("inference.sh sent a truncated or malformed answer") from exc

    def _headers(self, accept: str = "application/json") -> dict[str, str]:
        cfg = self.config
        headers = {
            "Content-Type": "application/json",
            "Accept": accept,
            "User-Agent": f"reviewbot/{__version__}",
            "X-API-Version": "2",  # bare answers and problem+json errors (others are read too)
            "Authorization": f"Bearer {cfg.api_key}",
        }
        headers.update(cfg.extra_headers)
        return headers
