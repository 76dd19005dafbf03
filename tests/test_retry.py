"""The one retry policy (reviewbot/retry.py): backoff, Retry-After, attempts, time bounds,
a budget shared by a run's calls, waits that do not count as failures, and a write that
landed before its failure."""

from __future__ import annotations

import random
import time
from email.utils import formatdate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewbot.errors import ReviewbotError
from reviewbot.llm.errors import ModelUnavailableError
from reviewbot.llm.retry import model_give_up
from reviewbot.retry import (
    GiveUpReason,
    Retryable,
    RetryPolicy,
    WaitBudget,
    parse_retry_after,
    run_with_retries,
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
        on_retry=lambda n, wait, failure: reported.append((n, wait, failure.reason)),
        give_up=model_give_up("the model API"),
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
            give_up=model_give_up("the model API"),
        )
    assert calls == 3


class Clock:
    """A fake clock that sleeping moves on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def failing(*failures: Retryable, then: str = "done") -> tuple[list[int], object]:
    calls = [0]
    queue = list(failures)

    def attempt() -> str:
        calls[0] += 1
        if queue:
            raise queue.pop(0)
        return then

    return calls, attempt


class Stopped(ReviewbotError):
    pass


def stopped(last: Retryable, why: GiveUpReason, tries: int, spent: float) -> ReviewbotError:
    return Stopped(f"{why} after {tries}: {last.reason}")


def test_waits_that_do_not_count_are_bounded_by_the_shared_budget() -> None:
    clock, budget = Clock(), WaitBudget(10.0)
    limited = [Retryable("rate limit", retry_after=4.0, counts=False) for _ in range(5)]
    calls, attempt = failing(*limited)
    policy = RetryPolicy(max_attempts=2, max_retry_seconds=float("inf"), jitter=False)
    with pytest.raises(Stopped, match="time after 3: rate limit"):
        run_with_retries(
            attempt, policy, sleep=clock.sleep, clock=lambda: clock.now, give_up=stopped,
            budget=budget,
        )  # fmt: skip
    assert clock.slept == [4.0, 4.0] and budget.spent == 8.0  # five waits would pass the two
    assert calls[0] == 3  # more tries than max_attempts: a rate limit is not a failure


def test_backoff_without_jitter_is_the_ceiling_and_attempts_count() -> None:
    clock = Clock()
    calls, attempt = failing(*(Retryable("HTTP 502") for _ in range(9)))
    policy = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=3.0, jitter=False)
    with pytest.raises(Stopped, match="attempts after 4: HTTP 502"):
        run_with_retries(attempt, policy, sleep=clock.sleep, give_up=stopped)
    assert clock.slept == [1.0, 2.0, 3.0] and calls[0] == 4


def test_a_write_that_landed_is_not_sent_again() -> None:
    clock = Clock()
    calls, attempt = failing(Retryable("HTTP 502"), Retryable("HTTP 502"))
    looked: list[str] = []

    def landed(failure: Retryable) -> str | None:
        looked.append(failure.reason)
        return "the review that landed"

    result = run_with_retries(
        attempt, RetryPolicy(jitter=False), sleep=clock.sleep, give_up=stopped,
        before_retry=landed,
    )  # fmt: skip
    assert result == "the review that landed" and calls[0] == 1 and looked == ["HTTP 502"]


def test_the_time_bound_counts_from_the_start_of_the_call() -> None:
    clock = Clock()
    _, attempt = failing(*(Retryable("HTTP 503", retry_after=2.0) for _ in range(9)))
    policy = RetryPolicy(max_attempts=99, max_retry_seconds=5.0)
    with pytest.raises(ModelUnavailableError, match=r"kept failing for 4\.0 s over 3 attempts"):
        run_with_retries(
            attempt, policy, sleep=clock.sleep, clock=lambda: clock.now,
            give_up=model_give_up("the model API"),
        )  # fmt: skip
    assert clock.slept == [2.0, 2.0]
