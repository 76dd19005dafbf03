"""The K2 fake's 400s fire on bad conversations, so passing sessions mean something."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reviewbot.llm.errors import ModelRequestError
from tests.fakes.k2_server import MISSING_REASONING, FakeCall, K2Server, Turn
from tests.llm.conftest import TOOLS

CALL = {
    "id": "functions.read_file:0",
    "type": "function",
    "function": {"name": "read_file", "arguments": "{}"},
}


def _post(server: K2Server, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=5)


def _conversation(assistant: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "review"},
        assistant,
        {"role": "tool", "tool_call_id": "functions.read_file:0", "content": "x"},
    ]


def test_missing_reasoning_content_is_refused_like_moonshot(
    k2_server: K2Server, make_client
) -> None:
    k2_server.script([Turn(content="never served")])
    bad = _conversation({"role": "assistant", "content": "", "tool_calls": [CALL]})
    with pytest.raises(ModelRequestError) as caught:
        make_client().complete(bad, TOOLS)
    assert MISSING_REASONING in str(caught.value) and "HTTP 400" in str(caught.value)
    assert k2_server.remaining == 1
    # The same conversation with reasoning, even empty, is accepted.
    good = _conversation(
        {"role": "assistant", "content": "", "reasoning_content": "", "tool_calls": [CALL]}
    )
    assert make_client().complete(good, TOOLS).content == "never served"


@pytest.mark.parametrize(
    ("mode", "key"), [("reasoning", "reasoning"), ("openrouter", "reasoning_details")]
)
def test_each_mode_wants_its_own_reasoning_field(k2_server: K2Server, mode: str, key: str) -> None:
    k2_server.mode = mode  # type: ignore[assignment]
    body = {
        "model": "m",
        "messages": _conversation(
            {"role": "assistant", "content": "", "reasoning_content": "r", "tool_calls": [CALL]}
        ),
    }
    reply = _post(k2_server, body)
    assert reply.status_code == 400
    assert f"{key} is missing in assistant tool call message" in reply.json()["error"]["message"]


@pytest.mark.parametrize(
    ("messages", "words"),
    [
        (
            [
                {"role": "user", "content": "q"},
                {"role": "tool", "tool_call_id": "functions.x:9", "content": "r"},
            ],
            "is not found",
        ),
        (
            [
                {"role": "user", "content": "q"},
                {"role": "assistant", "content": "", "reasoning_content": "", "tool_calls": [CALL]},
                {"role": "user", "content": "again"},
            ],
            "must be followed by tool messages",
        ),
        (
            [
                {"role": "user", "content": "q"},
                {"role": "assistant", "content": "", "reasoning_content": "", "tool_calls": [CALL]},
            ],
            "left unanswered",
        ),
    ],
)
def test_tool_results_must_answer_open_calls(
    k2_server: K2Server, messages: list[dict[str, Any]], words: str
) -> None:
    reply = _post(k2_server, {"model": "m", "messages": messages})
    assert reply.status_code == 400 and words in reply.json()["error"]["message"]


def test_schema_properties_need_a_type(k2_server: K2Server) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "t",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "a": {"type": "object", "properties": {"b": {"description": "no type"}}}
                    },
                },
            },
        }
    ]
    reply = _post(
        k2_server, {"model": "m", "messages": [{"role": "user", "content": "q"}], "tools": tools}
    )
    assert reply.status_code == 400 and "t.a.b has no type" in reply.json()["error"]["message"]


@pytest.mark.parametrize(
    "choice", ["required", {"type": "function", "function": {"name": "read_file"}}]
)
def test_tool_choice_must_be_auto_or_none(k2_server: K2Server, choice: object) -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "q"}],
        "tools": TOOLS,
        "tool_choice": choice,
    }
    reply = _post(k2_server, body)
    assert reply.status_code == 400 and "tool_choice" in reply.json()["error"]["message"]


def test_changed_tool_call_or_reasoning_is_caught(k2_server: K2Server, make_client) -> None:
    k2_server.script([Turn(reasoning="Plan.", tool_calls=[FakeCall("read_file", {"path": "a"})])])
    client = make_client()
    ask = [{"role": "user", "content": "q"}]
    turn = client.complete(ask, TOOLS)
    for change, words in [
        (
            lambda m: m["tool_calls"][0]["function"].update(arguments='{"path": "a"}'),
            "differs from what the model sent",
        ),
        (lambda m: m.update(reasoning_content="Plan"), "reasoning_content differs"),
    ]:
        message = client.assistant_message(turn)
        change(message)
        result = {"role": "tool", "tool_call_id": turn.tool_calls[0].id, "content": "x"}
        reply = _post(k2_server, {"model": "m", "messages": [*ask, message, result]})
        assert reply.status_code == 400 and words in reply.json()["error"]["message"]
