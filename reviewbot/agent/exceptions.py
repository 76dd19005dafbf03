"""The agent's control-flow exceptions, in one place.

None of them reaches a user: the loop turns each into what happens next.

- ``ToolArgumentError``: a tool call cannot run as sent (bad JSON, unknown or ill-typed
  argument, a comment off the diff); its message goes back to the model as the tool's output.
- ``Submitted``: the model ended its phase (``finish_review``, or twice no tool call).
- ``LimitsExceeded``: steps, cost or time ran out; the run stops cleanly with what it has.
- ``ToolTimedOut``: one tool call ran past its own time limit; the model is told.
"""

from __future__ import annotations


class ToolArgumentError(ValueError):
    """The model's arguments do not fit the tool; the message is written for the model."""


class Submitted(Exception):
    """The model ended its phase: it called ``finish_review`` (``ended="finished"``, or
    ``"finished_early"`` with verdicts missing), or answered twice without a tool call
    (``"prose"``, ``"cut_off"``)."""

    def __init__(self, summary: str, ended: str = "finished") -> None:
        super().__init__(summary)
        self.summary = summary
        self.ended = ended


class LimitsExceeded(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class ToolTimedOut(Exception):
    """A tool call ran past its own time limit (``Limits.tool_seconds``)."""
