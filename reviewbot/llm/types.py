"""Values the model client hands to the rest of reviewbot.

A reply is an ``AssistantTurn``; it knows how to become the assistant message that goes
back into the conversation (``to_message``), in the reasoning style of the provider that
produced it. While a reply streams, the client reports ``StreamEvent`` values to an
optional ``on_event`` callback so a terminal can show live progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reviewbot.llm.providers import ReasoningStyle


@dataclass(frozen=True)
class ToolCall:
    id: str  # exactly as the model sent it, e.g. "functions.read_file:0"
    name: str
    arguments: str  # raw JSON text as received (possibly invalid or truncated)


@dataclass(frozen=True)
class Usage:
    """Token counts of one call (or a sum of calls).

    ``input_tokens`` includes ``cached_tokens``; ``output_tokens`` includes
    ``reasoning_tokens`` (reasoning is billed as output). ``reported_cost_usd`` is what the
    provider said the call cost, when it says (an inference.sh app's ``output_meta``);
    a sum keeps it only when every part had one.
    """

    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    reported_cost_usd: float | None = None

    def __add__(self, other: Usage) -> Usage:
        mine, theirs = self.reported_cost_usd, other.reported_cost_usd
        return Usage(
            self.input_tokens + other.input_tokens,
            self.cached_tokens + other.cached_tokens,
            self.output_tokens + other.output_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
            mine + theirs if mine is not None and theirs is not None else None,
        )

    @property
    def uncached_tokens(self) -> int:
        return max(self.input_tokens - self.cached_tokens, 0)


@dataclass(frozen=True)
class AssistantTurn:
    content: str
    reasoning: str | None  # None: the provider sent no reasoning field at all
    reasoning_details: tuple[dict[str, Any], ...] | None  # OpenRouter's, opaque
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str | None
    usage: Usage
    model: str
    # How the provider that produced this turn wants reasoning sent back.
    reasoning_style: ReasoningStyle = "reasoning_content"

    @property
    def is_empty(self) -> bool:
        """No answer and no tool call (reasoning alone does not count)."""
        return not self.content.strip() and not self.tool_calls

    def to_message(self, style: ReasoningStyle | None = None) -> dict[str, Any]:
        """The assistant message to append to the conversation.

        ``style`` defaults to the style of the provider that produced the turn:

        - ``reasoning_content`` (Moonshot, vLLM, SGLang): ``reasoning_content``, sent as
          ``""`` on tool-call turns when the model gave none (Moonshot answers 400 otherwise);
        - ``openrouter``: ``reasoning_details`` exactly as received, plus ``reasoning``;
        - ``reasoning`` (inference.sh): ``reasoning``, ``""`` on tool-call turns.

        Content stays a string (``""`` when empty); tool call ids and argument text are
        sent back byte for byte as received.
        """
        style = style or self.reasoning_style
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if style == "openrouter":
            if self.reasoning is not None or self.tool_calls:
                message["reasoning"] = self.reasoning or ""
            if self.reasoning_details is not None:
                message["reasoning_details"] = list(self.reasoning_details)
        else:
            key = "reasoning_content" if style == "reasoning_content" else "reasoning"
            if self.reasoning is not None or self.tool_calls:
                message[key] = self.reasoning or ""
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in self.tool_calls
            ]
        return message


# Stream events ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True)
class ContentDelta:
    text: str


@dataclass(frozen=True)
class ToolCallDelta:
    index: int
    id: str | None  # present on the first fragment of a call
    name: str | None
    arguments_fragment: str


@dataclass(frozen=True)
class Retrying:
    """The call failed and will be tried again; deltas seen so far are void."""

    attempt: int  # the attempt that failed (1 = the first)
    wait_seconds: float
    reason: str


@dataclass(frozen=True)
class UsageEvent:
    usage: Usage


StreamEvent = ReasoningDelta | ContentDelta | ToolCallDelta | Retrying | UsageEvent
EventCallback = Callable[[StreamEvent], None]
