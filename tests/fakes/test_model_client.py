"""The in-process model double answers a script as the real client does over HTTP from the
loopback K2 server: same content, reasoning, tool calls (ids and argument text byte for
byte), finish reason and usage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviewbot.llm.client import ChatClient, ClientConfig
from reviewbot.llm.errors import ContextLengthError, ModelRequestError
from reviewbot.llm.providers import PROVIDERS
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.fakes.model_client import ScriptedModel, fails

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "description": "read",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
        },
    }
]
ASK = [{"role": "system", "content": "review"}, {"role": "user", "content": "go"}]
SCRIPT = [
    Turn(reasoning="Look first.", tool_calls=[FakeCall("read_file", {"path": "a.py"})]),
    Turn(content="Prose instead of a tool call."),
    Turn(reasoning="", tool_calls=[FakeCall("read_file", '{"path": "b.p')], finish_reason="length"),
    Turn(tool_calls=[FakeCall("no_such_tool", "{}"), FakeCall("read_file", "[1]")]),
    Turn(content="done", send_reasoning=False),
]


@pytest.fixture
def http_client(k2_server: K2Server) -> Iterator[ChatClient]:
    config = ClientConfig(
        base_url=k2_server.base_url,
        api_key="sk-double-test-0000",
        model="kimi-k2-thinking",
        provider=PROVIDERS["openai-compatible"],
        max_retry_seconds=1,
    )
    with ChatClient(config) as client:
        yield client


def test_the_double_answers_like_the_client_over_http(
    k2_server: K2Server, http_client: ChatClient
) -> None:
    k2_server.script(SCRIPT)
    double = ScriptedModel(SCRIPT)
    messages = list(ASK)
    sent = []
    for _ in SCRIPT:
        sent.append(list(messages))
        over_http = http_client.complete(messages, TOOLS)
        in_process = double.complete(messages, TOOLS)
        assert in_process.content == over_http.content
        assert in_process.reasoning == over_http.reasoning
        assert in_process.tool_calls == over_http.tool_calls
        assert in_process.finish_reason == over_http.finish_reason
        assert in_process.usage.output_tokens == over_http.usage.output_tokens
        assert in_process.to_message() == over_http.to_message()
        messages.append(over_http.to_message())
        messages += [
            {"role": "tool", "tool_call_id": c.id, "name": c.name, "content": "ok"}
            for c in over_http.tool_calls
        ]
    assert [r["messages"] for r in double.requests] == sent
    assert len(k2_server.requests) == len(SCRIPT)


def test_a_used_up_script_and_a_scripted_failure_raise_model_errors() -> None:
    double = ScriptedModel([fails(ContextLengthError("too long", sent_tokens=9, limit=8))])
    with pytest.raises(ContextLengthError, match="too long"):
        double.complete(list(ASK), TOOLS)
    with pytest.raises(ModelRequestError, match="no turn left"):
        double.complete(list(ASK), TOOLS)
    assert len(double.requests) == 2


def test_later_requests_report_the_shared_prefix_as_cached() -> None:
    double = ScriptedModel([Turn(content="a"), Turn(content="b")])
    first = double.complete(list(ASK), TOOLS)
    second = double.complete([*ASK, first.to_message()], TOOLS)
    assert first.usage.cached_tokens == 0
    assert 0 < second.usage.cached_tokens < second.usage.input_tokens
