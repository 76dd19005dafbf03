"""Turn values: argument parsing, usage sums, and messages per reasoning style."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewbot.llm.types import AssistantTurn, ToolCall, Usage

CALL = ToolCall(id="functions.read_file:0", name="read_file", arguments='{"path":"a.py"}')
DETAILS = (
    {"type": "reasoning.text", "text": "why", "format": "unknown", "index": 0, "signature": None},
)


def _turn(**kw: object) -> AssistantTurn:
    values: dict[str, object] = {
        "content": "",
        "reasoning": "why",
        "reasoning_details": None,
        "tool_calls": (CALL,),
        "finish_reason": "tool_calls",
        "usage": Usage(),
        "model": "kimi-k2-thinking",
    }
    values.update(kw)
    return AssistantTurn(**values)  # type: ignore[arg-type]


@given(st.lists(st.tuples(*[st.integers(0, 10**9)] * 4), max_size=6))
def test_usage_addition_sums_fields(rows: list[tuple[int, int, int, int]]) -> None:
    total = sum((Usage(*row) for row in rows), Usage())
    for i, field in enumerate(
        ("input_tokens", "cached_tokens", "output_tokens", "reasoning_tokens")
    ):
        assert getattr(total, field) == sum(row[i] for row in rows)


def test_message_for_reasoning_content_style() -> None:
    message = _turn().to_message("reasoning_content")
    assert message == {
        "role": "assistant",
        "content": "",
        "reasoning_content": "why",
        "tool_calls": [
            {
                "id": "functions.read_file:0",
                "type": "function",
                "function": {"name": "read_file", "arguments": '{"path":"a.py"}'},
            }
        ],
    }


def test_missing_reasoning_is_sent_as_empty_on_tool_turns() -> None:
    assert _turn(reasoning=None).to_message("reasoning_content")["reasoning_content"] == ""
    assert _turn(reasoning="").to_message("reasoning")["reasoning"] == ""
    no_tools = _turn(reasoning=None, tool_calls=(), content="done").to_message("reasoning_content")
    assert no_tools == {"role": "assistant", "content": "done"}


def test_message_for_openrouter_keeps_details_unmodified() -> None:
    message = _turn(reasoning_details=DETAILS).to_message("openrouter")
    assert message["reasoning_details"] == list(DETAILS)
    assert message["reasoning_details"][0] is DETAILS[0]
    assert message["reasoning"] == "why" and "reasoning_content" not in message


def test_message_for_reasoning_style_and_default_style() -> None:
    assert "reasoning" in _turn().to_message("reasoning")
    turn = _turn(reasoning_style="reasoning")
    assert turn.to_message()["reasoning"] == "why"
    assert "reasoning_content" not in turn.to_message()
