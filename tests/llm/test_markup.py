"""Recovery of raw K2 tool-call markup, by example and over generated inputs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.schema import parse_arguments
from reviewbot.llm.markup import CALL_BEGIN, SECTION_BEGINS, recover_tool_calls
from tests.fakes.k2_server import FakeCall, render_markup

MARKERS = [
    "<|tool_calls_section_begin|>",
    "<|tool_call_section_begin|>",
    "<|tool_calls_section_end|>",
    "<|tool_call_section_end|>",
    "<|tool_call_begin|>",
    "<|tool_call_argument_begin|>",
    "<|tool_call_end|>",
]

names = st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
arguments = st.dictionaries(st.text(max_size=10), json_values, max_size=4)
plain_text = st.text(max_size=60).filter(lambda t: "<|" not in t)
calls_strategy = st.lists(st.tuples(names, arguments), min_size=1, max_size=4)


def test_recovers_calls_and_strips_the_markup() -> None:
    text = (
        "I will read both files.\n<|tool_calls_section_begin|>"
        "<|tool_call_begin|>functions.read_file:3<|tool_call_argument_begin|>"
        '{"path": "a.py"}<|tool_call_end|>'
        "<|tool_call_begin|> functions.list_files:4 <|tool_call_argument_begin|> {} "
        "<|tool_call_end|>"
        "<|tool_calls_section_end|>"
    )
    recovered = recover_tool_calls(text)
    assert recovered.text == "I will read both files."
    assert [(c.id, c.name, parse_arguments(c)) for c in recovered.calls] == [
        ("functions.read_file:3", "read_file", {"path": "a.py"}),
        ("functions.list_files:4", "list_files", {}),
    ]


def test_singular_section_spelling_and_text_after() -> None:
    text = (
        render_markup([FakeCall("git_log", {"max_count": 5})], spelling="tool_call") + " trailing"
    )
    recovered = recover_tool_calls(text)
    assert recovered.text == "trailing"
    assert recovered.calls[0].name == "git_log" and parse_arguments(recovered.calls[0]) == {
        "max_count": 5
    }


def test_ids_without_k2_form_are_made_from_the_name() -> None:
    text = f'{SECTION_BEGINS[0]}{CALL_BEGIN}read_file<|tool_call_argument_begin|>{{"path": "x"}}'
    recovered = recover_tool_calls(text, first_index=7)
    assert recovered.calls[0].id == "functions.read_file:7"
    assert parse_arguments(recovered.calls[0]) == {"path": "x"}


def test_bare_call_without_section() -> None:
    text = (
        "before <|tool_call_begin|>functions.read_file:0<|tool_call_argument_begin|>"
        '{"path":"b"}<|tool_call_end|> after'
    )
    recovered = recover_tool_calls(text)
    assert recovered.text == "before  after"
    assert parse_arguments(recovered.calls[0]) == {"path": "b"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ('{"path": "a.py"', "truncated"),
        ("[1, 2]", "must be a JSON object"),
        ("{'a': 1}", "not valid JSON"),
    ],
)
def test_bad_arguments_become_tool_errors(arguments: str, message: str) -> None:
    head = f"{SECTION_BEGINS[0]}{CALL_BEGIN}functions.read_file:0"
    text = f"{head}<|tool_call_argument_begin|>{arguments}"
    (call,) = recover_tool_calls(text).calls
    with pytest.raises(ToolArgumentError, match=message):
        parse_arguments(call)


@given(
    prefix=plain_text, calls=calls_strategy, spelling=st.sampled_from(["tool_calls", "tool_call"])
)
def test_rendered_calls_come_back_exactly(
    prefix: str, calls: list[tuple[str, dict[str, Any]]], spelling: str
) -> None:
    fakes = [FakeCall(name, args) for name, args in calls]
    recovered = recover_tool_calls(prefix + render_markup(fakes, spelling=spelling, first_index=2))
    assert recovered.text == prefix.strip()
    assert [c.name for c in recovered.calls] == [name for name, _ in calls]
    assert [c.id for c in recovered.calls] == [
        f"functions.{n}:{i + 2}" for i, (n, _) in enumerate(calls)
    ]
    assert [parse_arguments(c) for c in recovered.calls] == [
        json.loads(json.dumps(a)) for _, a in calls
    ]


@given(prefix=plain_text, calls=calls_strategy, cut=st.integers(min_value=0, max_value=10_000))
def test_truncated_markup_never_crashes(
    prefix: str, calls: list[tuple[str, dict[str, Any]]], cut: int
) -> None:
    full = prefix + render_markup([FakeCall(n, a) for n, a in calls])
    recovered = recover_tool_calls(full[: min(cut, len(full))])
    assert "<|tool_call" not in recovered.text
    assert len(recovered.calls) <= len(calls)
    for call in recovered.calls:
        try:
            parsed: object = parse_arguments(call)
        except ToolArgumentError as exc:
            parsed = str(exc)
        assert isinstance(parsed, dict) or call.name in parsed


@settings(max_examples=200)
@given(st.lists(st.sampled_from(MARKERS) | st.text(max_size=12), max_size=12))
def test_any_mixture_of_markers_is_handled(parts: list[str]) -> None:
    recovered = recover_tool_calls("".join(parts))
    for marker in MARKERS:
        assert marker not in recovered.text
    for call in recovered.calls:
        assert call.id.startswith("functions.") and call.name


@given(plain_text)
def test_text_without_markup_is_untouched(text: str) -> None:
    recovered = recover_tool_calls(text)
    assert recovered.text == text and recovered.calls == ()
