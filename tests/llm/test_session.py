"""Multi-turn tool-calling sessions against the fake K2 server."""

from __future__ import annotations

from typing import Any

import pytest

from reviewbot.agent.schema import parse_arguments
from reviewbot.llm.errors import ModelRequestError
from reviewbot.llm.types import (
    ContentDelta,
    ReasoningDelta,
    StreamEvent,
    ToolCallDelta,
    UsageEvent,
)
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.llm.conftest import API_KEY, TOOLS, tool_results


def _conversation() -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "You review code. " * 40},
        {"role": "user", "content": "Review the change to a.py."},
    ]


def test_multi_turn_session_round_trips_reasoning(k2_server: K2Server, make_client) -> None:
    k2_server.script(
        [
            Turn(
                reasoning="I should read a.py first.",
                tool_calls=[FakeCall("read_file", {"path": "a.py"})],
            ),
            Turn(reasoning="", tool_calls=[FakeCall("search_code", {"pattern": "TODO"})]),
            Turn(reasoning="Enough evidence.", content="One bug on line 3."),
        ]
    )
    client = make_client()
    messages = _conversation()
    turns = []
    for _ in range(3):
        turn = client.complete(messages, TOOLS)
        turns.append(turn)
        messages.append(client.assistant_message(turn))
        messages.extend(tool_results(turn, "def f():\n    return 1\n"))

    assert turns[0].tool_calls[0].id == "functions.read_file:0"
    assert parse_arguments(turns[0].tool_calls[0]) == {"path": "a.py"}
    assert turns[1].tool_calls[0].id == "functions.search_code:1"
    assert turns[2].content == "One bug on line 3."
    assert turns[2].finish_reason == "stop"
    # What went back: reasoning unchanged, "" stays "", ids and argument text exact.
    sent = k2_server.requests[2]["messages"]
    assert sent[2]["reasoning_content"] == "I should read a.py first."
    assert sent[2]["tool_calls"][0]["function"]["arguments"] == '{"path":"a.py"}'
    assert sent[4]["reasoning_content"] == ""
    assert sent[4]["content"] == ""
    assert sent[5]["tool_call_id"] == "functions.search_code:1"
    # Append-only: each request's messages are a prefix of the next one's.
    for before, after in zip(k2_server.requests, k2_server.requests[1:], strict=False):
        assert after["messages"][: len(before["messages"])] == before["messages"]
    # ... so the server's prefix cache covers most of every later prompt.
    later = [t.usage for t in turns[1:]]
    assert all(u.cached_tokens > 0.8 * u.input_tokens for u in later)
    assert turns[0].usage.cached_tokens == 0


def test_stream_events_arrive_in_order(k2_server: K2Server, make_client) -> None:
    reasoning = "The diff touches the parser; I will check callers. " * 3
    k2_server.script(
        [
            Turn(
                reasoning=reasoning,
                content="Checking.",
                tool_calls=[FakeCall("read_file", {"path": "parser.py", "start_line": 1})],
                chunk_chars=5,
            )
        ]
    )
    events: list[StreamEvent] = []
    turn = make_client().complete(_conversation(), TOOLS, on_event=events.append)

    kinds = [type(e) for e in events]
    first_content = kinds.index(ContentDelta)
    assert all(k is ReasoningDelta for k in kinds[:first_content])
    assert kinds[-1] is UsageEvent
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == reasoning
    assert turn.reasoning == reasoning
    fragments = [e for e in events if isinstance(e, ToolCallDelta)]
    assert fragments[0].id == "functions.read_file:0" and fragments[0].name == "read_file"
    assert len(fragments) > 3  # streamed in pieces
    assert "".join(f.arguments_fragment for f in fragments) == turn.tool_calls[0].arguments
    usage_event = events[-1]
    assert isinstance(usage_event, UsageEvent) and usage_event.usage == turn.usage


@pytest.mark.parametrize("interleave", [False, True])
def test_parallel_tool_calls_in_one_turn(
    k2_server: K2Server, make_client, interleave: bool
) -> None:
    calls = [
        FakeCall("read_file", {"path": "a.py"}),
        FakeCall("read_file", {"path": "b.py", "start_line": 10, "end_line": 40}),
        FakeCall("search_code", {"pattern": "def parse", "options": {"globs": ["*.py"]}}),
    ]
    k2_server.script(
        [
            Turn(
                reasoning="Three reads at once.",
                tool_calls=calls,
                chunk_chars=3,
                interleave=interleave,
            ),
            Turn(reasoning="Done.", content="No findings."),
        ]
    )
    client = make_client()
    messages = _conversation()
    turn = client.complete(messages, TOOLS)

    assert [c.id for c in turn.tool_calls] == [
        "functions.read_file:0",
        "functions.read_file:1",
        "functions.search_code:2",
    ]
    assert [parse_arguments(c) for c in turn.tool_calls] == [dict(c.arguments) for c in calls]  # type: ignore[arg-type]
    assert turn.finish_reason == "tool_calls"
    messages.append(client.assistant_message(turn))
    messages.extend(tool_results(turn))
    assert client.complete(messages, TOOLS).content == "No findings."


def test_request_body_and_headers(k2_server: K2Server, make_client) -> None:
    k2_server.script([Turn(content="hi"), Turn(content="hi")])
    client = make_client(extra_body={"top_p": 0.95})
    client.complete(_conversation(), TOOLS)
    client.complete(_conversation(), [], tool_choice="none")

    body = k2_server.requests[0]
    assert body["model"] == "kimi-k2-thinking"
    assert body["max_tokens"] == 32768 and body["temperature"] == 1.0
    assert body["stream"] is True and body["tool_choice"] == "auto"
    assert body["tools"] == TOOLS and body["top_p"] == 0.95
    assert "stream_options" not in body  # Moonshot reports usage unasked
    assert "reasoning" not in body and "reasoning_effort" not in body
    assert "tools" not in k2_server.requests[1] and "tool_choice" not in k2_server.requests[1]
    headers = k2_server.headers[0]
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert headers["Accept"] == "text/event-stream"


@pytest.mark.parametrize(
    ("provider", "overrides", "expected"),
    [
        (
            "openrouter",
            {"reasoning_effort": "high"},
            {"reasoning": {"effort": "high", "exclude": False}},
        ),
        (
            "openrouter",
            {"reasoning_max_tokens": 8000, "reasoning_effort": "low"},
            {"reasoning": {"max_tokens": 8000, "exclude": False}},
        ),
        ("openrouter", {}, {"reasoning": {"exclude": False}}),
        ("reasoning-server", {"reasoning_effort": "medium"}, {"reasoning_effort": "medium"}),
        ("openai-compatible", {}, {"stream_options": {"include_usage": True}}),
    ],
)
def test_provider_request_extras(
    k2_server: K2Server,
    make_client,
    provider: str,
    overrides: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    modes = {"openai-compatible": "vllm", "reasoning-server": "reasoning"}
    k2_server.mode = modes.get(provider, provider)  # type: ignore[assignment]
    k2_server.script([Turn(reasoning="r", content="hi")])
    make_client(provider, **overrides).complete(_conversation(), TOOLS)
    body = k2_server.requests[0]
    for key, value in expected.items():
        assert body[key] == value


def test_forced_tool_choice_is_refused_before_sending(k2_server: K2Server, make_client) -> None:
    with pytest.raises(ValueError, match="auto"):
        make_client().complete(_conversation(), TOOLS, tool_choice="required")  # type: ignore[arg-type]
    assert k2_server.requests == []


def test_untyped_schema_property_is_refused_before_sending(
    k2_server: K2Server, make_client
) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "add_comment",
                "parameters": {
                    "type": "object",
                    "properties": {"where": {"properties": {"line": {}}}},
                },
            },
        }
    ]
    with pytest.raises(ModelRequestError, match=r"add_comment\.where.*add_comment\.where\.line"):
        make_client().complete(_conversation(), tools)
    assert k2_server.requests == []


def test_scripted_callables_see_the_request(k2_server: K2Server, make_client) -> None:
    def reactive(request: dict[str, Any]) -> Turn:
        last = request["messages"][-1]
        return Turn(reasoning="Reacting.", content=f"you said {last['content']!r}")

    k2_server.script([reactive, reactive])
    client = make_client()
    assert client.complete([{"role": "user", "content": "one"}], TOOLS).content == "you said 'one'"
    assert client.complete([{"role": "user", "content": "two"}], TOOLS).content == "you said 'two'"


@pytest.mark.parametrize("stream", [True, False])
def test_turns_reuse_one_connection(k2_server: K2Server, make_client, stream: bool) -> None:
    k2_server.default_turn = Turn(reasoning="r" * 50, content="c" * 50)
    client = make_client(stream=stream)
    for _ in range(5):
        client.complete(_conversation(), TOOLS)
    assert k2_server.connections == 1


def test_the_fake_bills_prefix_caching_tools_first(k2_server: K2Server, make_client) -> None:
    """The double bills cached tokens as providers' prefix caching does (what measures issue
    13, defect 2): the tools are laid out before the messages, so appending messages keeps
    the cached prefix while a tool declared mid-run costs nearly the whole prompt."""
    k2_server.script([Turn(content="a"), Turn(content="b"), Turn(content="c")])
    client = make_client()
    messages = [{"role": "system", "content": "You review code. " * 400},
                {"role": "user", "content": "Review the change to a.py."}]  # fmt: skip
    first = client.complete(messages, TOOLS)
    messages += [client.assistant_message(first), {"role": "user", "content": "Go on."}]
    same = client.complete(messages, TOOLS)
    messages += [client.assistant_message(same), {"role": "user", "content": "Verify."}]
    verdict = {"type": "function", "function": {
        "name": "verify_finding", "description": "Record a verdict.",
        "parameters": {"type": "object", "properties": {}}}}  # fmt: skip
    changed = client.complete(messages, [*TOOLS, verdict])
    assert first.usage.cached_tokens == 0
    assert same.usage.cached_tokens > 0.95 * same.usage.input_tokens
    assert changed.usage.cached_tokens < 0.25 * changed.usage.input_tokens
    assert k2_server.cached_shares[2] < 0.25
