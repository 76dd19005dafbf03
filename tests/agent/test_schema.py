"""Tools are plain typed functions; their schemas and argument checks follow the signature."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.schema import parse_arguments
from reviewbot.agent.tools import FunctionTool
from reviewbot.llm.types import ToolCall


def lookup(path: str, line: int, side: Literal["RIGHT", "LEFT"] | None = None,
           exact: bool | None = None) -> str:  # fmt: skip
    """Look something up.

    Args:
        path: where to look
        line: which line
        side: which side
            of the diff
    """
    return f"{path}:{line}:{side}:{exact}"


TOOL = FunctionTool.of(lookup)


def all_properties_typed(schema: Any) -> bool:
    if isinstance(schema, dict):
        props = schema.get("properties", {})
        return all("type" in p and all_properties_typed(p) for p in props.values())
    return True


def test_schema_from_signature_and_docstring() -> None:
    schema = TOOL.schema()
    fn = schema["function"]
    assert schema["type"] == "function"
    assert fn["name"] == "lookup"
    assert fn["description"] == "Look something up."
    params = fn["parameters"]
    assert params["required"] == ["path", "line"]
    assert params["properties"]["line"] == {"type": "integer", "description": "which line"}
    assert params["properties"]["side"] == {
        "type": "string",
        "description": "which side of the diff",
        "enum": ["RIGHT", "LEFT"],
    }
    assert params["properties"]["exact"]["type"] == "boolean"
    assert params["additionalProperties"] is False
    assert all_properties_typed(params)


def test_arguments_checked_with_reasons() -> None:
    assert TOOL.invoke({"path": "a.py", "line": "12"}) == "a.py:12:None:None"
    with pytest.raises(ToolArgumentError, match="missing required argument 'line'"):
        TOOL.invoke({"path": "a.py"})
    with pytest.raises(ToolArgumentError, match="unknown argument"):
        TOOL.invoke({"path": "a.py", "line": 1, "colour": "red"})
    with pytest.raises(ToolArgumentError, match="must be one of RIGHT, LEFT"):
        TOOL.invoke({"path": "a.py", "line": 1, "side": "MIDDLE"})
    with pytest.raises(ToolArgumentError, match="must be an integer"):
        TOOL.invoke({"path": "a.py", "line": True})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=4,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["path", "line", "side", "exact", "other"]), json_values))
def test_any_json_arguments_either_run_or_explain(arguments: dict[str, Any]) -> None:
    try:
        out = TOOL.invoke(arguments)
    except ToolArgumentError as exc:
        message = str(exc)
        assert message
    else:
        path, line, *_ = out.split(":")
        assert path == arguments["path"]
        assert int(line) == int(arguments["line"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"path": "a"}', {"path": "a"}),
        ("", {}),
        ("  \n", {}),
        (' {"a": [1, {"b": null}]} ', {"a": [1, {"b": None}]}),
    ],
)
def test_parse_arguments_accepts_objects(text: str, expected: dict[str, object]) -> None:
    assert parse_arguments(ToolCall("i", "t", text)) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"path": "a', "truncated"),
        ('{"path": ', "truncated"),
        ('{"path" "a"}', "invalid at character"),
        ('"just a string"', "got str"),
        ("null", "got NoneType"),
        ("[1]", "got list"),
    ],
)
def test_parse_arguments_refuses_with_a_message_for_the_model(text: str, words: str) -> None:
    with pytest.raises(ToolArgumentError) as caught:
        parse_arguments(ToolCall("i", "add_comment", text))
    assert "add_comment" in str(caught.value) and words in str(caught.value)
    assert "\n" not in str(caught.value)
