"""Backoff, Retry-After, bounds, and the mapping of error answers."""

from __future__ import annotations

import random
import time
from email.utils import formatdate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewbot.llm.errors import (
    ContextLengthError,
    ModelAuthError,
    ModelNotFoundError,
    ModelRequestError,
    ModelUnavailableError,
)
from reviewbot.llm.retry import (
    ErrorContext,
    Retryable,
    RetryPolicy,
    classify_error_body,
    context_length_error,
    parse_retry_after,
    run_with_retries,
)

CTX = ErrorContext(
    base_url="http://127.0.0.1:1/v1",
    model="kimi-k2-thinking",
    key_source="MOONSHOT_API_KEY",
    api_key="sk-secret-1",
)


@given(
    attempt=st.integers(1, 30),
    base=st.floats(0.001, 5),
    cap=st.floats(0.001, 60),
    seed=st.integers(0, 2**32),
)
def test_full_jitter_stays_within_the_exponential_ceiling(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    policy = RetryPolicy(base_delay=base, max_delay=cap)
    wait = policy.backoff(attempt, random.Random(seed))
    assert 0 <= wait <= min(cap, base * 2 ** (attempt - 1))


def test_retry_after_forms() -> None:
    now = time.time()
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert 9 <= parse_retry_after(formatdate(now + 10, usegmt=True), now=now) <= 10  # type: ignore[operator]
    assert parse_retry_after(formatdate(now - 100, usegmt=True), now=now) == 0.0


def test_run_with_retries_counts_attempts_and_reports_waits() -> None:
    outcomes: list[object] = [
        Retryable("HTTP 503"),
        Retryable("HTTP 429", retry_after=0.01),
        "done",
    ]
    reported: list[tuple[int, float, str]] = []

    def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)

    result = run_with_retries(
        attempt,
        RetryPolicy(base_delay=0.001),
        sleep=time.sleep,
        rng=random.Random(1),
        on_retry=lambda n, wait, reason: reported.append((n, wait, reason)),
    )
    assert result == "done"
    assert [(n, reason) for n, _, reason in reported] == [(1, "HTTP 503"), (2, "HTTP 429")]
    assert reported[1][1] == 0.01


def test_run_with_retries_gives_up_after_max_attempts() -> None:
    calls = 0

    def attempt() -> None:
        nonlocal calls
        calls += 1
        raise Retryable("connection refused")

    with pytest.raises(ModelUnavailableError, match="failed 3 times in a row: connection refused"):
        run_with_retries(
            attempt,
            RetryPolicy(max_attempts=3, base_delay=0.001),
            sleep=time.sleep,
            rng=random.Random(),
        )
    assert calls == 3


@pytest.mark.parametrize(
    ("message", "sent", "limit"),
    [
        (
            "Invalid request: Your request exceeded model token limit: 262144 (requested: 269030)",
            269030,
            262144,
        ),
        (
            "This model's maximum context length is 262144 tokens. However, you requested "
            "300000 tokens (268000 in the messages, 32000 in the completion).",
            300000,
            262144,
        ),
        (
            "This model's maximum context length is 4097 tokens. However, your messages "
            "resulted in 4294 tokens.",
            4294,
            4097,
        ),
        ("prompt is too long: 270000 tokens > 262144 maximum", 270000, 262144),
        ("context_length_exceeded", None, None),
    ],
)
def test_context_length_messages_are_parsed(
    message: str, sent: int | None, limit: int | None
) -> None:
    error = context_length_error(message)
    assert isinstance(error, ContextLengthError)
    assert (error.sent_tokens, error.limit) == (sent, limit)


def test_unrelated_400_is_a_plain_request_error() -> None:
    assert context_length_error("messages[2].role is invalid") is None
    error = classify_error_body(400, {"error": {"message": "bad role"}}, CTX)
    assert type(error) is ModelRequestError and "bad role" in str(error)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, {"error": {"message": "Invalid Authentication sk-secret-1"}}, ModelAuthError),
        (404, {"detail": "Not Found"}, ModelNotFoundError),
        (
            400,
            {
                "object": "error",
                "message": "maximum context length is 10 tokens. However, you requested 20 tokens",
            },
            ContextLengthError,
        ),
        (408, "", Retryable),
        (409, {"error": "conflict"}, Retryable),
        (504, "<html>gateway timeout</html>", Retryable),
        (200, {"error": {"message": "overloaded", "type": "engine_overloaded_error"}}, Retryable),
    ],
)
def test_classification(status: int, body: object, kind: type[Exception]) -> None:
    result = classify_error_body(status, body, CTX)
    assert isinstance(result, kind)
    assert "sk-secret-1" not in str(result)
