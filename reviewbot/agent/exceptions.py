"""The agent's control-flow exceptions, in one place.

None of them reaches a user: the loop turns each into what happens next.

- ``ToolArgumentError``: a tool call cannot run as sent (bad JSON, unknown or ill-typed
  argument, a comment off the diff); its message goes back to the model as the tool's output.
- ``Submitted``: the model called ``finish_review``; the phase is complete.
- ``LimitsExceeded``: steps, cost or time ran out; the run stops cleanly with what it has.
"""

from __future__ import annotations


class ToolArgumentError(ValueError):
    """The model's arguments do not fit the tool; the message is written for the model."""


class Submitted(Exception):
    """The model called ``finish_review``: the review is complete."""

    def __init__(self, summary: str) -> None:
        super().__init__(summary)
        self.summary = summary


class LimitsExceeded(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
