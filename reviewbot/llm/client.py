"""The chat-completions client: one ``complete`` call per model turn.

``ChatClient`` speaks OpenAI-style chat completions over httpx: it streams by default
(server-sent events, reasoning before content, tool calls in fragments), falls back to a
whole JSON reply when configured or when the server answers without streaming, retries
transient failures (see ``retry``), and maps the rest to ``reviewbot.llm.errors``.
Timeouts: ``idle_timeout`` bounds the silence between two received bytes, not the whole
reply (reasoning can stream for minutes); without streaming it bounds the wait for the
whole reply. Reply messages for the conversation come from ``assistant_message``, which
writes the reasoning back the way this client's provider wants it.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, Self

import httpx
from httpx_sse import EventSource

from reviewbot import __version__
from reviewbot.errors import ConfigError, ModelError
from reviewbot.llm.assemble import TurnBuilder
from reviewbot.llm.errors import ModelRequestError
from reviewbot.llm.providers import Provider
from reviewbot.llm.retry import ErrorContext, classify_error_body, model_give_up
from reviewbot.llm.types import AssistantTurn, EventCallback, Retrying
from reviewbot.llm.wire import ToolChoice, build_body, check_tool_schemas
from reviewbot.retry import Retryable, RetryPolicy, parse_retry_after, run_with_retries

if TYPE_CHECKING:
    from reviewbot.config import Settings

_DRAIN_LIMIT = 64  # events read after [DONE] before giving the connection up


class ModelClient(Protocol):
    """What the agent needs from a model."""

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        *,
        on_event: EventCallback | None = None,
        tool_choice: ToolChoice = "auto",
    ) -> AssistantTurn: ...

    def assistant_message(self, turn: AssistantTurn) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    api_key: str = field(repr=False)
    model: str
    provider: Provider
    max_tokens: int = 32768
    temperature: float = 1.0
    reasoning_effort: str = ""  # "", low, medium, high (ignored by Moonshot)
    reasoning_max_tokens: int = 0  # OpenRouter and inference.sh; wins over reasoning_effort
    reasoning_exclude: bool = False  # OpenRouter and inference.sh: reasoning not returned
    context_size: int = 0  # inference.sh apps: the window to ask for (0: the app's default)
    poll_interval: float = 1.0  # inference.sh: seconds between polls once a stream ended
    stream: bool = True
    idle_timeout: float = 180.0
    connect_timeout: float = 15.0
    max_retry_seconds: float = 300.0
    max_attempts: int = 8
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    extra_body: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    extra_headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    key_source: str = ""  # where the key came from, named in 401 messages

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ClientConfig:
        """The client settings of a run (raises ``ConfigError`` without key or URL)."""
        source = settings.sources.get("api_key", "")
        if source.startswith("env "):
            key_source = source.removeprefix("env ")
        elif source.startswith("flag "):
            key_source = source.removeprefix("flag ")
        else:
            own = settings.preset.key_env
            key_source = own if own == "REVIEWBOT_API_KEY" else f"{own} or REVIEWBOT_API_KEY"
        values: dict[str, Any] = {
            "base_url": settings.require_base_url(),
            "api_key": settings.require_api_key(),
            "model": settings.effective_model,
            "provider": settings.preset,
            "max_tokens": settings.max_tokens,
            "temperature": settings.temperature,
            "reasoning_effort": settings.reasoning_effort,
            "reasoning_max_tokens": settings.reasoning_max_tokens,
            "reasoning_exclude": settings.reasoning_exclude,
            "context_size": settings.context_window,
            "idle_timeout": settings.idle_timeout,
            "max_retry_seconds": settings.max_retry_seconds,
            "key_source": key_source,
        }
        values.update(overrides)
        return cls(**values)

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=max(self.max_attempts, 1),
            max_retry_seconds=self.max_retry_seconds,
            base_delay=self.backoff_base,
            max_delay=self.backoff_max,
        )


# What an HTTP exchange with a model API can fail with short of an HTTP answer.
TRANSPORT_ERRORS = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.DecodingError,
    httpx.InvalidURL,
    httpx.UnsupportedProtocol,
)


def transport_failure(exc: Exception, cfg: ClientConfig) -> Retryable | ConfigError:
    """A ``TRANSPORT_ERRORS`` failure as a retryable one, or a config error for a bad URL."""
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return ConfigError(
            f"model base URL {cfg.base_url!r} is not usable ({exc})",
            hint="set REVIEWBOT_BASE_URL to an http(s) URL",
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return Retryable(f"connecting to {cfg.base_url} timed out")
    if isinstance(exc, httpx.ConnectError):
        return Retryable(f"cannot connect to {cfg.base_url} ({exc})")
    if isinstance(exc, httpx.ReadTimeout):
        return Retryable(f"no data from the server for {cfg.idle_timeout:g} s")
    if isinstance(exc, httpx.TimeoutException):
        return Retryable(f"the request timed out ({type(exc).__name__})")
    return Retryable(f"the connection dropped mid-reply ({exc})")


def http_failure(reply: httpx.Response, context: ErrorContext) -> ModelError | Retryable:
    """What an HTTP error answer (already read) means: retry, or which ``ModelError``."""
    try:
        body: Any = json.loads(reply.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = reply.text
    retry_after = parse_retry_after(reply.headers.get("retry-after"))
    return classify_error_body(reply.status_code, body, context, retry_after)


def error_context(cfg: ClientConfig) -> ErrorContext:
    return ErrorContext(
        base_url=cfg.base_url,
        model=cfg.model,
        key_source=cfg.key_source or cfg.provider.key_env,
        api_key=cfg.api_key,
    )


def http_timeout(cfg: ClientConfig) -> httpx.Timeout:
    """Connect bounded by ``connect_timeout``; reads and writes by ``idle_timeout`` (the
    silence between two received bytes, not the whole reply)."""
    return httpx.Timeout(
        connect=cfg.connect_timeout,
        read=cfg.idle_timeout,
        write=cfg.idle_timeout,
        pool=cfg.connect_timeout,
    )


class HttpModelClient:
    """What the httpx model clients share: the injectables (``sleep``, ``rng``, ``clock``,
    ``transport``), the connection pool, closing, and one turn retried within bounds."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 (backoff jitter, not secrets)
        self._clock = clock
        self._context = error_context(config)
        self._http = httpx.Client(
            timeout=http_timeout(config), transport=transport, trust_env=False
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def assistant_message(self, turn: AssistantTurn) -> dict[str, Any]:
        """``turn`` as the assistant message this provider expects back."""
        return turn.to_message(self.config.provider.reasoning_style)

    def _retried(
        self, attempt: Callable[[], AssistantTurn], on_event: EventCallback | None, what: str
    ) -> AssistantTurn:
        def on_retry(number: int, wait: float, failure: Retryable) -> None:
            if on_event is not None:
                on_event(Retrying(number, wait, failure.reason))

        return run_with_retries(
            attempt,
            self.config.retry_policy,
            sleep=self._sleep,
            rng=self._rng,
            clock=self._clock,
            on_retry=on_retry,
            give_up=model_give_up(what),
        )


class ChatClient(HttpModelClient):
    """``ModelClient`` over OpenAI-style chat completions."""

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        *,
        on_event: EventCallback | None = None,
        tool_choice: ToolChoice = "auto",
    ) -> AssistantTurn:
        """One model turn, retried within the configured bounds."""
        cfg = self.config
        check_tool_schemas(tools)
        body = build_body(
            model=cfg.model,
            provider=cfg.provider,
            messages=messages,
            tools=tools,
            tool_choice=tool_choice,
            stream=cfg.stream,
            max_tokens=cfg.max_tokens,
            temperature=cfg.temperature,
            reasoning_effort=cfg.reasoning_effort,
            reasoning_max_tokens=cfg.reasoning_max_tokens,
            reasoning_exclude=cfg.reasoning_exclude,
            extra_body=cfg.extra_body,
        )
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = self._headers()
        return self._retried(
            lambda: self._attempt(payload, headers, on_event),
            on_event,
            f"the model API at {cfg.base_url}",
        )

    def _headers(self) -> dict[str, str]:
        cfg = self.config
        headers = {
            "Content-Type": "application/json",
            "Accept": "text/event-stream" if cfg.stream else "application/json",
            "User-Agent": f"reviewbot/{__version__}",
        }
        if cfg.api_key:
            headers["Authorization"] = f"Bearer {cfg.api_key}"
        if cfg.provider.name == "openrouter":
            headers["X-Title"] = "reviewbot"
        headers.update(cfg.extra_headers)
        return headers

    def _attempt(
        self, payload: bytes, headers: dict[str, str], on_event: EventCallback | None
    ) -> AssistantTurn:
        cfg = self.config
        builder = TurnBuilder(on_event)
        try:
            with self._http.stream("POST", cfg.url, content=payload, headers=headers) as reply:
                if reply.status_code >= 400:
                    reply.read()
                    raise self._http_error(reply)
                kind = reply.headers.get("content-type", "")
                if "text/event-stream" in kind:
                    self._read_events(reply, builder)
                else:
                    reply.read()
                    builder.add_completion(self._whole_reply(reply, kind))
        except TRANSPORT_ERRORS as exc:
            raise transport_failure(exc, cfg) from exc
        return builder.build(model=cfg.model, style=cfg.provider.reasoning_style)

    def _read_events(self, reply: httpx.Response, builder: TurnBuilder) -> None:
        done = False
        events = EventSource(reply).iter_sse()
        for event in events:
            data = event.data
            if not data:
                continue
            if data == "[DONE]" or data.strip() == "[DONE]":
                done = True
                # Read to the end of the body so the connection goes back to the pool.
                for _ in zip(range(_DRAIN_LIMIT), events, strict=False):
                    pass
                break
            try:
                chunk = json.loads(data)
            except json.JSONDecodeError as exc:
                raise Retryable("the server sent a malformed stream chunk") from exc
            if not isinstance(chunk, dict):
                raise Retryable("the server sent a malformed stream chunk")
            if "error" in chunk or event.event == "error":
                raise self._stream_error(chunk)
            builder.add_chunk(chunk)
        if not done and builder.finish_reason is None:
            raise Retryable("the stream ended before the reply was complete")

    def _whole_reply(self, reply: httpx.Response, kind: str) -> dict[str, Any]:
        try:
            body = json.loads(reply.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if "json" in kind:
                raise Retryable("the server sent a truncated or malformed reply") from exc
            raise ModelRequestError(
                f"the server at {self.config.base_url} did not answer with JSON "
                f"(content-type {kind or 'none'!r})",
                hint="check --base-url: it should end where /chat/completions starts",
            ) from exc
        if not isinstance(body, dict):
            raise Retryable("the server sent a malformed reply")
        if "error" in body:
            raise self._stream_error(body)
        return body

    def _http_error(self, reply: httpx.Response) -> ModelError | Retryable:
        return http_failure(reply, self._context)

    def _stream_error(self, chunk: Mapping[str, Any]) -> ModelError | Retryable:
        error = chunk.get("error")
        code = error.get("code") if isinstance(error, Mapping) else None
        status = code if isinstance(code, int) and 100 <= code < 600 else 0
        failure = classify_error_body(status, chunk, self._context)
        if type(failure) is ModelRequestError:  # an unexplained mid-stream failure
            return Retryable(f"the server reported an error mid-reply: {failure.message}")
        return failure
