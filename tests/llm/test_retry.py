"""The mapping of a model API's error answers (the retry policy itself: tests/test_retry.py)."""

from __future__ import annotations

import pytest

from reviewbot.llm.errors import (
    ContextLengthError,
    ModelAuthError,
    ModelNotFoundError,
    ModelRequestError,
)
from reviewbot.llm.retry import ErrorContext, classify_error_body, context_length_error
from reviewbot.retry import Retryable

CTX = ErrorContext(
    base_url="http://127.0.0.1:1/v1",
    model="kimi-k2-thinking",
    key_source="MOONSHOT_API_KEY",
    api_key="sk-secret-1",
)


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
