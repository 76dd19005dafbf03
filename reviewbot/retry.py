"""The one retry policy of every HTTP peer reviewbot talks to: model APIs and GitHub.

A failure worth another try raises ``Retryable`` inside an attempt. ``run_with_retries``
waits (what ``Retry-After`` or a rate limit asks, else exponential backoff, with full
jitter for model APIs) and tries again until the attempt returns, or gives up when:

- ``max_attempts`` failures that count have happened (a rate-limit wait does not count:
  it is GitHub saying "later", not the call failing);
- the next wait would pass ``max_retry_seconds`` since the call started, or, when the
  caller shares a ``WaitBudget`` across its calls (a whole ``reviewbot github`` run), the
  seconds left in it.

Giving up raises what ``give_up`` makes of the last failure (a one-line ``ReviewbotError``
of the peer's own kind). ``before_retry`` lets a caller look for the effect of a write
that may have landed before its failure, so it is not sent twice.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal, TypeVar

from reviewbot.errors import ReviewbotError

T = TypeVar("T")

GiveUpReason = Literal["attempts", "time"]
# Makes the error raised at the end from the last failure, why, the tries and the seconds.
GiveUp = Callable[["Retryable", GiveUpReason, int, float], ReviewbotError]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    max_retry_seconds: float = 300.0  # since the call started (math.inf: no such bound)
    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: bool = True  # full jitter; without it the ceiling itself

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds before retry ``attempt`` (1-based): up to
        ``min(max_delay, base_delay * 2**(attempt-1))``, uniformly so with jitter."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(attempt - 1, 0))
        jittered = (rng or random.Random()).uniform(0.0, ceiling)  # noqa: S311 - not crypto
        return jittered if self.jitter else ceiling


class Retryable(Exception):
    """A transient failure inside one attempt (never escapes ``run_with_retries``)."""

    def __init__(
        self,
        reason: str,
        retry_after: float | None = None,
        *,
        counts: bool = True,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.counts = counts  # False: a rate-limit wait, not a failed attempt
        self.cause = cause


@dataclass
class WaitBudget:
    """The most seconds a run spends waiting, all its calls together."""

    limit: float
    spent: float = 0.0

    def take(self, seconds: float) -> bool:
        """Spend ``seconds`` if they fit in what is left; False (nothing spent) if not."""
        if self.spent + seconds > self.limit:
            return False
        self.spent += seconds
        return True


def run_with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None],
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
    on_retry: Callable[[int, float, Retryable], None] | None = None,
    give_up: GiveUp,
    budget: WaitBudget | None = None,
    before_retry: Callable[[Retryable], T | None] | None = None,
) -> T:
    """Call ``attempt`` until it returns, retrying ``Retryable`` failures within bounds.

    ``on_retry(failures, wait, failure)`` is told before each wait; ``give_up(failure, why,
    tries, seconds)`` makes the error raised at the end; ``before_retry(failure)``, after
    the wait, may return a result that makes the retry unnecessary.
    """
    started = clock()
    failures = tries = 0
    while True:
        tries += 1
        try:
            return attempt()
        except Retryable as failure:
            last = failure
        if last.counts:
            failures += 1
            if failures >= policy.max_attempts:
                raise give_up(last, "attempts", tries, clock() - started) from last.cause
        wait = last.retry_after if last.retry_after is not None else policy.backoff(failures, rng)
        spent = clock() - started
        over_time = math.isfinite(policy.max_retry_seconds) and (
            spent + wait > policy.max_retry_seconds
        )
        if over_time or (budget is not None and not budget.take(wait)):
            raise give_up(last, "time", tries, spent) from last.cause
        if on_retry is not None:
            on_retry(failures, wait, last)
        sleep(wait)
        if before_retry is not None:
            found = before_retry(last)
            if found is not None:
                return found


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)
