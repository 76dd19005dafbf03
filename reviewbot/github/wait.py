"""When GitHub says "slow down": how long to wait, and when to stop waiting.

GitHub signals its limits three ways: ``403`` or ``429`` with ``Retry-After`` (seconds),
``403``/``429`` with ``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset`` (epoch
seconds: the primary limit), and ``403``/``429`` whose message names a secondary rate
limit without any header (wait "a few minutes"; GitHub's advice is at least a minute).
A plain ``403`` (a missing permission) is not a limit and is never waited on.
Transient server errors (``500``, ``502``, ``503``, ``504``) are retried with backoff.
Waiting and giving up follow the one retry policy (``reviewbot.retry``).
"""

from __future__ import annotations

from collections.abc import Mapping

from reviewbot.retry import parse_retry_after

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})


def rate_limit_wait(
    status: int,
    headers: Mapping[str, str],
    message: str,
    *,
    default_wait: float,
    now: float,
) -> float | None:
    """Seconds to wait before trying again, or ``None`` when this is not a rate limit."""
    if status not in (403, 429):
        return None
    lowered = {k.lower(): str(v) for k, v in headers.items()}
    after = lowered.get("retry-after")
    if after:
        seconds = parse_retry_after(after, now)
        if seconds is not None:
            return seconds
    reset = lowered.get("x-ratelimit-reset", "")
    if lowered.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return max(int(reset) - now, 0.0) + 1.0
    if status == 429 or "rate limit" in message.lower():
        return default_wait
    return None
