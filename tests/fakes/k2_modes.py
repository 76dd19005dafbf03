"""The provider dialects the K2 fake speaks, and the error the real API gives for a tool-call
turn sent back without its reasoning."""

from __future__ import annotations

from typing import Literal

Mode = Literal["moonshot", "openrouter", "reasoning", "vllm"]
MODES: tuple[Mode, ...] = ("moonshot", "openrouter", "reasoning", "vllm")
MISSING_REASONING = (
    "thinking is enabled but reasoning_content is missing in assistant tool call message"
)
