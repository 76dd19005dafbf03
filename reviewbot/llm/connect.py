"""The model client for a configuration: chat completions, or inference.sh's task API."""

from __future__ import annotations

from typing import Any

from reviewbot.llm.client import ChatClient, ClientConfig
from reviewbot.llm.inference_sh.client import TaskClient


def open_client(config: ClientConfig, **options: Any) -> ChatClient | TaskClient:
    """A ``ModelClient`` that speaks the wire of ``config.provider`` (close it when done);
    ``options`` are the clients' injectables (``sleep``, ``rng``, ``clock``, ``transport``)."""
    if config.provider.api == "tasks":
        return TaskClient(config, **options)
    return ChatClient(config, **options)
