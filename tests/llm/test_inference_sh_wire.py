"""Properties of the inference.sh input and of reading partial outputs, over spaces of
conversations and of ways a task's output can arrive."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewbot.llm.inference_sh.task import TaskProgress
from reviewbot.llm.inference_sh.wire import build_input
from reviewbot.llm.types import ContentDelta, ReasoningDelta, StreamEvent, ToolCallDelta
from tests.fakes.inference_sh_app import check_input, openai_view
from tests.llm.conftest import TOOLS

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
ARGUMENTS = st.one_of(
    st.dictionaries(st.sampled_from(["path", "line", "pattern"]), TEXT, max_size=3).map(json.dumps),
    TEXT,  # what a model may also send: cut-off or not JSON at all
)


@st.composite
def conversations(draw: st.DrawFn) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if draw(st.booleans()):
        messages.append({"role": "system", "content": draw(TEXT)})
    messages.append({"role": "user", "content": draw(TEXT)})
    number = 0
    for _ in range(draw(st.integers(0, 4))):
        calls = []
        for _ in range(draw(st.integers(0, 3))):
            name = draw(st.sampled_from(["read_file", "search_code"]))
            calls.append(
                {
                    "id": f"functions.{name}:{number}",
                    "type": "function",
                    "function": {"name": name, "arguments": draw(ARGUMENTS)},
                }
            )
            number += 1
        assistant: dict[str, Any] = {"role": "assistant", "content": draw(TEXT)}
        reasoning = draw(st.one_of(st.none(), TEXT))
        if reasoning is not None:
            assistant["reasoning"] = reasoning
        if calls:
            assistant["tool_calls"] = calls
        messages.append(assistant)
        for call in calls:
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": draw(TEXT)})
        if not calls or draw(st.booleans()):
            messages.append({"role": "user", "content": draw(TEXT)})
    return messages


@settings(max_examples=150, deadline=None)
@given(conversations(), st.sampled_from(["", "low", "medium", "high"]), st.booleans())
def test_every_conversation_is_an_input_the_app_accepts(
    messages: list[dict[str, Any]], effort: str, exclude: bool
) -> None:
    value = build_input(
        messages,
        TOOLS,
        tool_choice="auto",
        max_tokens=32768,
        temperature=1.0,
        reasoning_effort=effort,
        reasoning_exclude=exclude,
        context_size=262144,
    )
    assert check_input(value) == []
    assert value["reasoning_effort"] != "none"
    # What the app rebuilds is the conversation, reasoning on every tool-call turn.
    view = openai_view(value)["messages"]
    original = [m for m in messages if m["role"] != "system"]
    if messages[0]["role"] == "system" and messages[0]["content"]:
        assert view[0] == messages[0]
        view = view[1:]
    assert [(m["role"], m["content"]) for m in view] == [
        (m["role"], m["content"]) for m in original
    ]
    for sent, had in zip(view, original, strict=True):
        if had.get("tool_calls"):
            assert sent["reasoning"] == had.get("reasoning", "")
            assert [c["id"] for c in sent["tool_calls"]] == [c["id"] for c in had["tool_calls"]]
        if had["role"] == "tool":
            assert sent["tool_call_id"] == had["tool_call_id"]


def _cuts(draw: st.DrawFn, text: str) -> list[int]:
    points = draw(st.lists(st.integers(0, len(text)), max_size=6))
    return [*sorted(points), len(text)]


def _call(arguments: str) -> dict[str, Any]:
    return {"id": "functions.x:0", "type": "function", "index": 0,
            "function": {"name": "x", "arguments": arguments}}  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.data(), TEXT, TEXT, ARGUMENTS)
def test_growing_outputs_show_each_piece_once(
    data: st.DataObject, reasoning: str, response: str, arguments: str
) -> None:
    """Cumulative snapshots (status updates) or delta events, cut anywhere: the live
    progress adds up to the final text, each piece shown once."""
    events: list[StreamEvent] = []
    progress = TaskProgress({"id": "t", "status": 7}, events.append, lambda: 0.0)
    as_deltas = data.draw(st.booleans())
    final = {"reasoning": reasoning, "response": response, "arguments": arguments}
    grown = dict.fromkeys(final, "")
    for key in final:
        for cut in _cuts(data.draw, final[key]):
            piece, grown[key] = final[key][len(grown[key]) : cut], final[key][:cut]
            if as_deltas:
                delta = {"tool_calls": [_call(piece)]} if key == "arguments" else {key: piece}
                progress.line({"event": "delta", "data": {"delta": delta}})
            else:
                output = {"reasoning": grown["reasoning"], "response": grown["response"]}
                if grown["arguments"] or key == "arguments":
                    output["tool_calls"] = [_call(grown["arguments"])]
                update = {"id": "t", "status": 7, "output": output}
                progress.line({"data": update, "fields": ["output"]})
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == reasoning
    assert "".join(e.text for e in events if isinstance(e, ContentDelta)) == response
    calls = [e for e in events if isinstance(e, ToolCallDelta)]
    assert "".join(e.arguments_fragment for e in calls) == arguments
    assert [e.name for e in calls if e.name] == ["x"]
