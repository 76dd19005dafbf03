"""Model API failures, as ``reviewbot.errors.ModelError`` subclasses (exit code 3).

The agent catches ``ContextLengthError`` to shrink the conversation; everything else is
reported to the user as one line that says what to change.
"""

from __future__ import annotations

from reviewbot.errors import ModelError


class ModelAuthError(ModelError):
    """401: the key was rejected."""


class ModelQuotaError(ModelError):
    """402, or a 403/429 that says the balance or quota is exhausted."""


class ModelPermissionError(ModelError):
    """403 for another reason (region, model access, key scope)."""


class ModelNotFoundError(ModelError):
    """404: no such model (or endpoint) at that base URL."""


class ModelRequestError(ModelError):
    """Another 4xx: the server refused what was sent (the server's message is kept)."""


class ContextLengthError(ModelRequestError):
    """The conversation does not fit the model's window."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        sent_tokens: int | None = None,
        limit: int | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.sent_tokens = sent_tokens
        self.limit = limit


class ModelUnavailableError(ModelError):
    """Transient failures went on past the retry bound (attempts or seconds)."""
