"""A time limit that reaches the processes started under it.

The agent gives each tool call its own limit (``with time_limit(seconds): ...``); the git
runner asks ``remaining()`` before and while it waits for git and stops a process that
outlives the limit. A context variable, so that a limit set in one thread (the tool's
worker) applies to what that thread starts and to nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("reviewbot_deadline", default=None)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Everything started inside gets at most ``seconds`` (``None``: no limit)."""
    token = _DEADLINE.set(time.monotonic() + seconds if seconds else None)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left under the current limit (0 when it has passed), or ``None``."""
    deadline = _DEADLINE.get()
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)
