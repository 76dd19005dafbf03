"""Clients wired to the fake K2 server, with bounds small enough for a fast suite."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from reviewbot.llm.client import ChatClient, ClientConfig
from reviewbot.llm.providers import PROVIDERS
from tests.fakes.inference_sh_server import InferenceShServer
from tests.fakes.k2_server import K2Server

# A chat-completions server that names the field `reasoning` (newer vLLM). No preset is
# one (inference.sh speaks its task API, tested in test_inference_sh*), so tests make it.
REASONING_SERVER = replace(
    PROVIDERS["openai-compatible"], name="reasoning-server", reasoning_style="reasoning"
)
TEST_PROVIDERS = {**PROVIDERS, REASONING_SERVER.name: REASONING_SERVER}
PROVIDER_OF_MODE = {
    "moonshot": "moonshot",
    "openrouter": "openrouter",
    "reasoning": "reasoning-server",
    "vllm": "openai-compatible",
}
API_KEY = "sk-test-0123456789abcdef"

TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "description": "Read a file of the repository.",
            "parameters": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "start_line": {"type": "integer"},
                    "end_line": {"type": "integer"},
                },
                "required": ["path"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "search_code",
            "description": "Search the repository.",
            "parameters": {
                "type": "object",
                "properties": {
                    "pattern": {"type": "string"},
                    "options": {
                        "type": "object",
                        "properties": {"globs": {"type": "array", "items": {"type": "string"}}},
                    },
                },
                "required": ["pattern"],
            },
        },
    },
]


class RecordingSleep:
    """Records the waits asked for and sleeps a capped real time."""

    def __init__(self, cap: float = 0.02) -> None:
        self.cap = cap
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(min(seconds, self.cap))


def config_for(
    server: K2Server | InferenceShServer, provider: str = "moonshot", **overrides: Any
) -> ClientConfig:
    config = ClientConfig(
        base_url=server.base_url,
        api_key=API_KEY,
        model="kimi-k2-thinking",
        provider=TEST_PROVIDERS[provider],
        idle_timeout=2.0,
        connect_timeout=2.0,
        max_retry_seconds=5.0,
        max_attempts=5,
        backoff_base=0.01,
        backoff_max=0.05,
        key_source="MOONSHOT_API_KEY",
    )
    return replace(config, **overrides)


@pytest.fixture
def make_client(k2_server: K2Server) -> Iterator[Callable[..., ChatClient]]:
    """``make_client(provider="moonshot", sleep=None, **config_overrides)``."""
    clients: list[ChatClient] = []

    def factory(
        provider: str = "moonshot",
        *,
        sleep: Callable[[float], None] | None = None,
        **overrides: Any,
    ) -> ChatClient:
        client = ChatClient(
            config_for(k2_server, provider, **overrides),
            sleep=sleep or time.sleep,
            rng=random.Random(7),
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


def tool_results(turn: Any, text: str = "ok") -> list[dict[str, Any]]:
    return [{"role": "tool", "tool_call_id": c.id, "content": text} for c in turn.tool_calls]
