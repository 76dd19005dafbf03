"""An in-process ``ModelClient`` for unit tests of the agent loop.

It plays the same script entries as the loopback K2 server (``Turn``, or a callable that
reads the request and answers with a ``Turn``; the model doubles of ``k2_doubles`` work
here too) without HTTP: each ``complete`` records the request, takes the next entry and
answers the ``AssistantTurn`` the real client would have assembled from the server's
stream (tests/fakes/test_model_client.py holds the two to the same answers). An entry made
with ``fails(error)`` raises it instead, as the client does after its retries.

Usage is counted as the K2 fake counts it (``estimate_tokens`` over the request), with
the longest prefix shared with an earlier request reported as cached.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from typing import Any

from reviewbot.llm.client import ToolChoice
from reviewbot.llm.errors import ModelRequestError
from reviewbot.llm.types import AssistantTurn, EventCallback, ToolCall, Usage
from tests.fakes.k2_server import ScriptEntry, Turn, common_prefix, estimate_tokens

MODEL = "kimi-k2-thinking"


def fails(error: Exception) -> Callable[[dict[str, Any]], Turn]:
    """A script entry that raises ``error`` (a ``ModelError``, as after the client's retries)."""

    def entry(request: dict[str, Any]) -> Turn:
        raise error

    return entry


class ScriptedModel:
    """A ``ModelClient`` answering from a script; ``requests`` holds what it was sent."""

    def __init__(self, script: Sequence[ScriptEntry] = ()) -> None:
        self.script: list[ScriptEntry] = list(script)
        self.requests: list[dict[str, Any]] = []
        self.usages: list[Usage] = []
        self._calls = 0
        self._prompts: list[str] = []

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        *,
        on_event: EventCallback | None = None,
        tool_choice: ToolChoice = "auto",
    ) -> AssistantTurn:
        request = {"messages": copy.deepcopy(messages), "tools": tools, "tool_choice": tool_choice}
        self.requests.append(request)
        if not self.script:
            raise ModelRequestError("the scripted model has no turn left")
        entry = self.script.pop(0)
        turn = entry(request) if callable(entry) else entry
        calls = []
        for call in turn.tool_calls:
            calls.append(
                ToolCall(call.id or f"functions.{call.name}:{self._calls}", call.name, call.text)
            )
            self._calls += 1
        usage = self._usage(request, turn)
        self.usages.append(usage)
        return AssistantTurn(
            content=turn.content,
            # Over HTTP an empty reasoning sends no delta: the client has none.
            reasoning=turn.reasoning if turn.send_reasoning and turn.reasoning else None,
            reasoning_details=None,
            tool_calls=tuple(calls),
            finish_reason=turn.finish_reason or ("tool_calls" if calls else "stop"),
            usage=usage,
            model=MODEL,
        )

    def assistant_message(self, turn: AssistantTurn) -> dict[str, Any]:
        return turn.to_message()

    def _usage(self, request: dict[str, Any], turn: Turn) -> Usage:
        # As the K2 fake counts: its estimate over tools and messages, the longest prefix
        # shared with an earlier request cached.
        prompt = json.dumps(
            {"tools": request["tools"], "messages": request["messages"]}, separators=(",", ":")
        )
        shared = max((common_prefix(prompt, before) for before in self._prompts), default=0)
        self._prompts.append(prompt)
        prompt_tokens = estimate_tokens(prompt)
        reasoning = estimate_tokens(turn.reasoning)
        answer = estimate_tokens(turn.content) + sum(
            estimate_tokens(c.name + c.text) for c in turn.tool_calls
        )
        return Usage(
            input_tokens=prompt_tokens,
            cached_tokens=min(shared // 4, prompt_tokens),
            output_tokens=reasoning + answer,
            reasoning_tokens=reasoning,
        )
