"""The context guard: keep every request inside the window.

Before each call the next request's size is projected from the last reported input tokens
plus an estimate of what was appended since. When it would not fit the window minus the
output reserve, the oldest tool outputs are replaced by a one-line stub (Moonshot's own
long-horizon strategy), in one block down to a low-water mark, so the cached prefix is
disturbed rarely rather than on every turn.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HIDDEN = "[output hidden to keep the conversation inside the context window; call the tool again if you still need it]"  # noqa: E501

CountTokens = Callable[[str], int]


def message_tokens(message: dict[str, Any], count: CountTokens) -> int:
    """Tokens a chat message occupies, including its tool calls and reasoning."""
    total = 4
    for key in ("content", "reasoning_content", "reasoning"):
        value = message.get(key)
        if isinstance(value, str):
            total += count(value)
    if message.get("tool_calls"):
        total += count(json.dumps(message["tool_calls"]))
    if message.get("reasoning_details"):
        total += count(json.dumps(message["reasoning_details"]))
    return total


@dataclass(frozen=True)
class GuardConfig:
    context_window: int = 262_144
    output_reserve: int = 32_768
    # After hiding, aim this far below the limit so the guard fires rarely.
    low_water: float = 0.70
    # The first messages (system prompt, packed context, task) are never hidden.
    protected: int = 3


@dataclass
class ContextGuard:
    config: GuardConfig
    count: CountTokens  # the run's token counter (pack/tokens.py): one way to count
    fired: int = 0
    hidden_outputs: int = 0

    @property
    def limit(self) -> int:
        return self.config.context_window - self.config.output_reserve

    def project(
        self, messages: list[dict[str, Any]], last_input: int | None, last_count: int
    ) -> int:
        """Tokens of the next request: the last reported input plus what came since, or a
        full estimate before the first call."""
        if last_input is None:
            return sum(message_tokens(m, self.count) for m in messages)
        added = messages[last_count:]
        return last_input + sum(message_tokens(m, self.count) for m in added)

    def fit(self, messages: list[dict[str, Any]], projected: int) -> int:
        """Hide the oldest tool outputs until the projection is under the low-water mark.
        Returns the new projection. Mutates ``messages`` in place (one block)."""
        if projected <= self.limit:
            return projected
        target = int(self.limit * self.config.low_water)
        self.fired += 1
        for message in messages[self.config.protected :]:
            if projected <= target:
                break
            if message.get("role") != "tool" or message.get("content") == HIDDEN:
                continue
            before = message_tokens(message, self.count)
            message["content"] = HIDDEN
            projected -= before - message_tokens(message, self.count)
            self.hidden_outputs += 1
        return projected
