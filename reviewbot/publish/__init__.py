"""Destinations for a review's result: one module per destination."""

from __future__ import annotations

from typing import Protocol

from reviewbot.review.result import ReviewResult


class Publisher(Protocol):
    """Sends or writes a finished result somewhere."""

    def publish(self, result: ReviewResult) -> None: ...
