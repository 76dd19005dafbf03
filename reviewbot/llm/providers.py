"""Provider presets: where K2 Thinking is served and how each endpoint wants reasoning.

Every field is a default the user can override (base URL, model id, key variable). All
presets but inference.sh speak OpenAI-style chat completions; inference.sh runs an app
(``model`` is the app reference) through its task API (``reviewbot.llm.inference_sh``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ReasoningStyle = Literal["reasoning_content", "openrouter", "reasoning"]
# How a reasoning effort is asked for: not at all, OpenRouter's `reasoning` object, or
# the OpenAI-style top-level `reasoning_effort`.
ReasoningRequest = Literal["none", "openrouter", "reasoning_effort"]
# The wire: chat completions, or inference.sh's task API (create, stream, poll, cancel).
Api = Literal["chat", "tasks"]


@dataclass(frozen=True)
class Provider:
    name: str
    base_url: str
    model: str
    key_env: str
    # How reasoning arrives on a reply and must be sent back on tool-call turns.
    reasoning_style: ReasoningStyle
    reasoning_request: ReasoningRequest = "reasoning_effort"
    # Send `stream_options: {"include_usage": true}` (Moonshot reports usage on the last
    # streamed choice without being asked, so it is not sent there).
    stream_usage_option: bool = True
    api: Api = "chat"


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider(
            name="moonshot",
            base_url="https://api.moonshot.ai/v1",
            model="kimi-k2-thinking",
            key_env="MOONSHOT_API_KEY",
            reasoning_style="reasoning_content",
            reasoning_request="none",
            stream_usage_option=False,
        ),
        Provider(
            name="openrouter",
            base_url="https://openrouter.ai/api/v1",
            model="moonshotai/kimi-k2-thinking",
            key_env="OPENROUTER_API_KEY",
            reasoning_style="openrouter",
            reasoning_request="openrouter",
        ),
        Provider(
            name="inference-sh",
            base_url="https://api.inference.sh",
            model="openrouter/kimi-k2-thinking",
            key_env="INFERENCE_API_KEY",
            reasoning_style="reasoning",
            api="tasks",
        ),
        Provider(
            name="openai-compatible",
            base_url="",
            model="kimi-k2-thinking",
            key_env="REVIEWBOT_API_KEY",
            reasoning_style="reasoning_content",
        ),
    )
}

# Every environment variable that may hold a model key (tests clear all of them).
KEY_ENV_VARS: tuple[str, ...] = tuple(
    sorted({"REVIEWBOT_API_KEY", *(p.key_env for p in PROVIDERS.values())})
)
