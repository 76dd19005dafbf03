"""Each provider's reply shape, streaming and not, and settings -> client config."""

from __future__ import annotations

from typing import Any

import pytest

from reviewbot.agent.schema import parse_arguments
from reviewbot.config import load_settings
from reviewbot.errors import ConfigError, MissingApiKeyError
from reviewbot.llm.client import ChatClient, ClientConfig
from reviewbot.llm.errors import ModelAuthError, ModelRequestError
from reviewbot.llm.types import ContentDelta, ReasoningDelta, StreamEvent
from tests.fakes.k2_server import MODES, FakeCall, K2Server, Turn
from tests.llm.conftest import PROVIDER_OF_MODE, TOOLS, tool_results

REASONING_KEY = {
    "moonshot": "reasoning_content",
    "vllm": "reasoning_content",
    "reasoning": "reasoning",
    "openrouter": "reasoning_details",
}


def _session(k2_server: K2Server, client: ChatClient) -> list[Any]:
    k2_server.script(
        [
            Turn(
                reasoning="Read both files.",
                tool_calls=[
                    FakeCall("read_file", {"path": "a.py"}),
                    FakeCall("read_file", {"path": "b.py"}),
                ],
            ),
            Turn(reasoning="All clear.", content="LGTM"),
        ]
    )
    messages: list[dict[str, Any]] = [{"role": "user", "content": "review " * 50}]
    first = client.complete(messages, TOOLS)
    messages.append(client.assistant_message(first))
    messages.extend(tool_results(first))
    second = client.complete(messages, TOOLS)
    return [first, second]


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("mode", MODES)
def test_each_provider_mode_round_trips(
    k2_server: K2Server, make_client, mode: str, stream: bool
) -> None:
    k2_server.mode = mode  # type: ignore[assignment]
    client = make_client(PROVIDER_OF_MODE[mode], stream=stream)
    first, second = _session(k2_server, client)

    assert first.reasoning == "Read both files."
    assert [parse_arguments(c)["path"] for c in first.tool_calls] == ["a.py", "b.py"]
    assert second.content == "LGTM"
    sent = k2_server.requests[1]["messages"][1]
    assert REASONING_KEY[mode] in sent
    assert k2_server.requests[0]["stream"] is stream
    # usage: the server's own numbers, with cached tokens in that provider's field
    reported = k2_server.usages[1]
    assert second.usage.input_tokens == reported["prompt_tokens"]
    assert second.usage.output_tokens == reported["completion_tokens"]
    assert second.usage.cached_tokens > 0
    if mode in ("openrouter", "reasoning"):
        assert (
            second.usage.reasoning_tokens
            == reported["completion_tokens_details"]["reasoning_tokens"]
        )


def test_openrouter_reasoning_details_come_back_unmodified(
    k2_server: K2Server, make_client
) -> None:
    k2_server.mode = "openrouter"
    client = make_client("openrouter")
    first, _ = _session(k2_server, client)
    expected = [
        {"type": "reasoning.text", "text": "Read both files.", "format": "unknown", "index": 0}
    ]
    assert list(first.reasoning_details) == expected
    sent = k2_server.requests[1]["messages"][1]
    assert sent["reasoning_details"] == expected and sent["reasoning"] == "Read both files."


def test_openrouter_rejects_modified_reasoning_details(k2_server: K2Server, make_client) -> None:
    k2_server.mode = "openrouter"
    k2_server.script([Turn(reasoning="Think.", tool_calls=[FakeCall("read_file", {"path": "a"})])])
    client = make_client("openrouter")
    messages: list[dict[str, Any]] = [{"role": "user", "content": "go"}]
    turn = client.complete(messages, TOOLS)
    message = client.assistant_message(turn)
    message["reasoning_details"] = [{"type": "reasoning.text", "text": "Think!", "index": 0}]
    with pytest.raises(ModelRequestError, match="reasoning_details was modified"):
        client.complete([*messages, message, *tool_results(turn)], TOOLS)


def test_server_that_does_not_stream_is_read_whole(k2_server: K2Server, make_client) -> None:
    k2_server.streaming = False
    k2_server.script([Turn(reasoning="Short thought.", content="Answer.")])
    events: list[StreamEvent] = []
    turn = make_client(stream=True).complete(
        [{"role": "user", "content": "q"}], TOOLS, on_event=events.append
    )
    assert (turn.reasoning, turn.content) == ("Short thought.", "Answer.")
    assert [type(e) for e in events[:2]] == [ReasoningDelta, ContentDelta]
    assert turn.usage.input_tokens > 0


def test_config_from_settings_names_the_key_variable(k2_server: K2Server) -> None:
    key = "sk-moonshot-secret-987654"
    settings = load_settings(
        root=None, env={"MOONSHOT_API_KEY": key, "REVIEWBOT_BASE_URL": k2_server.base_url}
    )
    config = ClientConfig.from_settings(settings, max_attempts=1)
    assert config.model == "kimi-k2-thinking" and config.key_source == "MOONSHOT_API_KEY"
    assert config.idle_timeout == settings.idle_timeout
    assert key not in repr(config)

    k2_server.api_key = "another-key"
    with ChatClient(config) as client, pytest.raises(ModelAuthError) as caught:
        client.complete([{"role": "user", "content": "q"}], TOOLS)
    text = caught.value.one_line()
    assert "MOONSHOT_API_KEY" in text and "401" in text and key not in text


def test_config_from_settings_needs_key_and_url() -> None:
    with pytest.raises(MissingApiKeyError):
        ClientConfig.from_settings(load_settings(root=None, env={}))
    settings = load_settings(
        root=None, env={"REVIEWBOT_PROVIDER": "openai-compatible", "REVIEWBOT_API_KEY": "k"}
    )
    with pytest.raises(ConfigError, match="base URL"):
        ClientConfig.from_settings(settings)
    settings = load_settings(
        root=None,
        env={"REVIEWBOT_PROVIDER": "openrouter"},
        flags={"api_key": "sk-flag-key-0000"},
    )
    config = ClientConfig.from_settings(settings)
    assert config.key_source == "--api-key"
    assert config.base_url == "https://openrouter.ai/api/v1"
    assert config.model == "moonshotai/kimi-k2-thinking"
