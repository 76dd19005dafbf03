"""What a model API's failures mean: which are worth another try, and what a final one says.

Transient failures (connection errors, idle streams, dropped streams, malformed chunks,
HTTP 408/409/429/5xx, Moonshot's ``engine_overloaded_error``) raise ``Retryable`` inside
an attempt, retried by the one retry policy (``reviewbot.retry``: exponential backoff with
full jitter, or what ``Retry-After`` asks); ``model_give_up`` words the
``ModelUnavailableError`` at the end. Other HTTP errors become the ``ModelError``
subclasses of ``reviewbot.llm.errors`` through ``classify_error_body``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from reviewbot.errors import ModelError
from reviewbot.llm.errors import (
    ContextLengthError,
    ModelAuthError,
    ModelNotFoundError,
    ModelPermissionError,
    ModelQuotaError,
    ModelRequestError,
    ModelUnavailableError,
)
from reviewbot.retry import GiveUp, GiveUpReason, Retryable

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 522, 524, 529})
RETRYABLE_TYPES = frozenset({"engine_overloaded_error", "rate_limit_reached_error", "overloaded"})
QUOTA_TYPES = frozenset({"exceeded_current_quota_error", "insufficient_quota", "quota_exceeded"})
_QUOTA_WORDS = re.compile(r"quota|balance|credit|billing|insufficient funds", re.IGNORECASE)


def model_give_up(what: str) -> GiveUp:
    """How a model call gives up: ``ModelUnavailableError`` naming ``what``."""

    def give_up(last: Retryable, why: GiveUpReason, tries: int, spent: float) -> ModelError:
        if why == "attempts":
            return ModelUnavailableError(
                f"{what} failed {tries} times in a row: {last.reason}", hint="try again later"
            )
        asked = (
            f" (it asked to wait {last.retry_after:.0f} s)" if last.retry_after is not None else ""
        )
        return ModelUnavailableError(
            f"{what} kept failing for {spent:.1f} s over {tries} attempts{asked}: {last.reason}",
            hint="try again later or raise max_retry_seconds",
        )

    return give_up


# Error bodies -----------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorContext:
    """What an error message may name (never the key itself)."""

    base_url: str
    model: str
    key_source: str  # e.g. "MOONSHOT_API_KEY" or "--api-key"
    api_key: str = ""  # only to scrub it from server messages

    def scrub(self, text: str) -> str:
        text = " ".join(text.split())
        if len(self.api_key) >= 4:
            text = text.replace(self.api_key, "****")
        return text[:500]


def error_fields(body: Any) -> tuple[str, str]:
    """(message, type or code) from the usual error shapes; empty strings when absent."""
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, str):
            return inner, ""
        if isinstance(inner, Mapping):
            message = inner.get("message") or inner.get("detail") or ""
            kind = inner.get("type") or inner.get("code") or ""
            if isinstance(message, list | dict):
                message = json.dumps(message)
            return str(message), str(kind)
    return "", ""


def classify_error_body(
    status: int, body: Any, ctx: ErrorContext, retry_after: float | None = None
) -> ModelError | Retryable:
    """A ``Retryable`` or a ``ModelError`` for an error answer (HTTP or mid-stream)."""
    message, kind = error_fields(body)
    if not message and isinstance(body, str):
        message = body
    said = ctx.scrub(message) or "no message"
    label = f"HTTP {status}" if status else "stream error"
    if kind in QUOTA_TYPES:
        return _quota(label, said, ctx)
    if kind in RETRYABLE_TYPES or status in RETRYABLE_STATUS:
        return Retryable(f"{label} {kind + ': ' if kind else ''}{said}", retry_after)
    if status == 401:
        return ModelAuthError(
            f"the model API at {ctx.base_url} rejected the API key (401: {said})",
            hint=f"check the key in {ctx.key_source}",
        )
    if status == 402:
        return _quota(label, said, ctx)
    if status == 403:
        if _QUOTA_WORDS.search(said):
            return _quota(label, said, ctx)
        return ModelPermissionError(
            f"the model API at {ctx.base_url} refused the request (403: {said})",
            hint=f"check that the key in {ctx.key_source} may use model {ctx.model!r}",
        )
    if status == 404:
        return ModelNotFoundError(
            f"model {ctx.model!r} not found at {ctx.base_url} (404: {said})",
            hint="check --model / REVIEWBOT_MODEL and --base-url / REVIEWBOT_BASE_URL",
        )
    context_error = context_length_error(said, kind)
    if context_error is not None:
        return context_error
    return ModelRequestError(f"the model API refused the request ({label}: {said})")


def _quota(label: str, said: str, ctx: ErrorContext) -> ModelQuotaError:
    return ModelQuotaError(
        f"the model account behind {ctx.key_source} is out of quota or credit ({label}: {said})",
        hint="top up or raise the limit at the provider, or use another --provider",
    )


_LIMIT_PATTERNS = (
    # Moonshot: "exceeded model token limit: 262144 (requested: 269030)"
    re.compile(r"token limit:?\s*(?P<limit>\d+)\D{0,20}?requested:?\s*(?P<sent>\d+)", re.I),
    # OpenAI, vLLM, OpenRouter: "maximum context length is 262144 tokens. However, you
    # requested 300000 tokens" / "your messages resulted in 4294 tokens"
    re.compile(
        r"maximum context length is (?P<limit>\d+) tokens.*?"
        r"(?:resulted in|requested(?: about)?) (?P<sent>\d+) tokens",
        re.I,
    ),
    re.compile(r"prompt is too long:?\s*(?P<sent>\d+) tokens?\s*>\s*(?P<limit>\d+)", re.I),
)
_CONTEXT_WORDS = re.compile(
    r"context[ _]length|context window|token limit|too many tokens|prompt is too long|"
    r"input is too long|maximum context",
    re.I,
)


def context_length_error(message: str, kind: str = "") -> ContextLengthError | None:
    """A ``ContextLengthError`` when the message says the prompt did not fit."""
    if not (_CONTEXT_WORDS.search(message) or "context_length" in kind):
        return None
    sent = limit = None
    for pattern in _LIMIT_PATTERNS:
        found = pattern.search(message)
        if found:
            sent, limit = int(found["sent"]), int(found["limit"])
            break
    if sent is not None and limit is not None:
        text = f"the conversation is too long for the model: {sent:,} tokens sent, limit {limit:,}"
    else:
        text = f"the conversation is too long for the model ({message})"
    return ContextLengthError(
        text,
        hint="hide older tool output or lower --budget",
        sent_tokens=sent,
        limit=limit,
    )
