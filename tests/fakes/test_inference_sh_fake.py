"""The fake inference.sh task API is faithful: the official SDK (`inferencesh` 0.36.0, a dev
dependency) drives it in wait and stream modes, through every line style and envelope,
and meets failed, cancelled, rejected and held tasks, a stream that ends early and a bad
key the way the SDK's own code expects them. Inputs are built with the SDK's models; what
the app would refuse is refused."""

from __future__ import annotations

from typing import Any

import pytest
from inferencesh import Inference
from inferencesh.models.errors import APIError
from inferencesh.models.llm import ContextMessage
from pydantic import ValidationError

from tests.fakes.inference_sh_app import APP, AppInput
from tests.fakes.inference_sh_server import API_KEY, InferenceShServer
from tests.fakes.inference_sh_tasks import CANCELLED, COMPLETED, TaskFault
from tests.fakes.k2_server import FakeCall, Turn

TOOL = {
    "type": "function",
    "function": {
        "name": "read_file",
        "description": "Read a file.",
        "parameters": {
            "type": "object",
            "properties": {"path": {"type": "string", "description": "the file"}},
            "required": ["path"],
        },
    },
}
TURN = Turn(
    reasoning="Read the parser first.",
    content="Looking.",
    tool_calls=[FakeCall("read_file", {"path": "src/parser.py"})],
)


def sdk_input(**overrides: Any) -> dict[str, Any]:
    """An input as the SDK's own models build it (the app's class), as JSON."""
    value = AppInput(
        text="ok: 12 lines",
        role="tool",
        tool_call_id="functions.read_file:0",
        system_prompt="You review code.",
        context=[
            ContextMessage(role="user", text="Review the change."),
            ContextMessage(
                role="assistant",
                text="",
                reasoning="I should read it.",
                tool_calls=[
                    {
                        "id": "functions.read_file:0",
                        "type": "function",
                        "function": {"name": "read_file", "arguments": '{"path":"a.py"}'},
                    }
                ],
            ),
        ],
        tools=[TOOL],
        reasoning_effort="high",
        **overrides,
    )
    return value.model_dump(mode="json", exclude_none=True)


def sdk(server: InferenceShServer) -> Inference:
    return Inference(api_key=API_KEY, base_url=server.base_url)


@pytest.mark.parametrize("envelope", ["auto", "bare", "data", "v1"])
def test_wait_mode_returns_the_final_output(inference_sh: InferenceShServer, envelope: str) -> None:
    inference_sh.envelope = envelope  # type: ignore[assignment]
    inference_sh.strict_roundtrip = False  # the history is hand-made, not the fake's
    value = sdk_input()
    inference_sh.script([TURN])
    result = sdk(inference_sh).run({"app": APP, "input": value})
    assert isinstance(result, dict)
    assert result["status"] == COMPLETED
    output = result["output"]
    assert output["response"] == "Looking." and output["reasoning"] == "Read the parser first."
    (call,) = output["tool_calls"]
    assert call["function"] == {"name": "read_file", "arguments": '{"path":"src/parser.py"}'}
    assert output["usage"]["prompt_tokens"] > 0
    assert inference_sh.violations == []
    assert inference_sh.runs[-1]["input"] == value


@pytest.mark.parametrize("style", ["task", "partial", "delta"])
def test_stream_mode_shows_the_output_growing(inference_sh: InferenceShServer, style: str) -> None:
    inference_sh.line_style = style  # type: ignore[assignment]
    inference_sh.step = 0.1  # slow enough for the stream to show several snapshots
    inference_sh.script([TURN])
    value = {"text": "Review it.", "reasoning_effort": "low"}
    updates = list(sdk(inference_sh).run({"app": APP, "input": value}, stream=True))
    assert updates[-1]["status"] == COMPLETED
    assert updates[-1]["output"]["tool_calls"][0]["function"]["name"] == "read_file"
    seen = [(u.get("output") or {}).get("reasoning") or "" for u in updates]
    assert len(set(seen) - {""}) > 1 and seen[-1] == "Read the parser first."
    assert all(seen[i].startswith(seen[i - 1]) for i in range(1, len(seen)) if seen[i])
    assert inference_sh.violations == []


def test_the_sdk_reconciles_a_stream_that_ends_early(inference_sh: InferenceShServer) -> None:
    inference_sh.step = 0.1  # the task outlives the first stream by most of a second
    inference_sh.script([TURN])
    inference_sh.inject(TaskFault.stream_ends_early(after=1))
    stream = sdk(inference_sh).run(
        {"app": APP, "input": {"text": "Review it."}}, stream=True, reconnect_delay_ms=5
    )
    updates = list(stream)
    assert updates[-1]["status"] == COMPLETED
    task = f"/tasks/{updates[-1]['id']}"
    # stream, the SDK's reconciling GET (still running), a second stream to the end
    assert [path for _, path in inference_sh.requests][1:] == [
        f"{task}/stream",
        task,
        f"{task}/stream",
    ]


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (TaskFault.failed("OpenRouter API error: boom"), "OpenRouter API error: boom"),
        (TaskFault.cancelled(), "task cancelled"),
        (TaskFault.rejected("insufficient balance"), "task rejected: insufficient balance"),
    ],
)
def test_tasks_that_end_badly_raise_in_the_sdk(
    inference_sh: InferenceShServer, fault: TaskFault, words: str
) -> None:
    inference_sh.script([TURN])
    inference_sh.inject(fault)
    with pytest.raises(RuntimeError, match=words):
        sdk(inference_sh).run({"app": APP, "input": {"text": "Review it."}})


def test_a_held_task_is_cancelled_through_the_sdk(inference_sh: InferenceShServer) -> None:
    inference_sh.script([TURN])
    inference_sh.inject(TaskFault.hold(after=1))
    client = sdk(inference_sh)
    task = client.run({"app": APP, "input": {"text": "Review it."}}, wait=False)
    client.cancel(task["id"])
    with pytest.raises(RuntimeError, match="task cancelled"):
        client.wait_for_completion(task["id"])
    assert inference_sh.cancels == [task["id"]]
    assert client.get_task(task["id"]).data["status"] == CANCELLED


@pytest.mark.parametrize("version", [None, "2"])
def test_a_bad_key_is_refused(inference_sh: InferenceShServer, version: str | None) -> None:
    client = Inference(api_key="inf_wrong", base_url=inference_sh.base_url)
    if version:
        client._headers = lambda: {  # type: ignore[method-assign]
            "Content-Type": "application/json",
            "Authorization": "Bearer inf_wrong",
            "X-API-Version": version,
        }
    with pytest.raises(APIError) as caught:
        client.run({"app": APP, "input": {"text": "Review it."}})
    assert caught.value.status_code == 401
    assert "Invalid or missing API key" in str(caught.value)
    assert inference_sh.runs == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"temperature": 2.5}, "temperature"),
        ({"reasoning_effort": "maximal"}, "reasoning_effort"),
        ({"reasoning_budget": 10}, "unknown input field 'reasoning_budget'"),
        ({"context": [{"role": "user"}]}, "context.0.text"),
        ({"context": [{"role": "robot", "text": "x"}]}, "context.0.role"),
        ({"tools": [{"type": "function", "function": {"parameters": {"type": "set"}}}]}, "tools.0"),
    ],
)
def test_inputs_the_app_would_refuse_are_refused(
    inference_sh: InferenceShServer, change: dict[str, Any], words: str
) -> None:
    inference_sh.script([TURN])
    with pytest.raises(APIError) as caught:
        sdk(inference_sh).run({"app": APP, "input": {"text": "Review it.", **change}})
    assert caught.value.status_code == 422
    assert any(words in v for v in inference_sh.violations), inference_sh.violations


def test_an_unknown_app_is_not_found(inference_sh: InferenceShServer) -> None:
    with pytest.raises(APIError) as caught:
        sdk(inference_sh).run({"app": "openrouter/kimi-k3", "input": {"text": "x"}})
    assert caught.value.status_code == 404


def test_the_sdk_cannot_accumulate_tool_call_deltas(inference_sh: InferenceShServer) -> None:
    """Pinned: the SDK 0.36 validates accumulated deltas as its contract ``LLMOutput``, whose
    tool-call arguments are an object, so argument fragments (strings) break it. reviewbot
    takes tool calls from the final task instead (docs/providers.md, not checked offline)."""
    inference_sh.line_style = "delta"
    inference_sh.delta_tool_calls = True
    inference_sh.script([TURN])
    with pytest.raises(ValidationError, match="arguments"):
        list(sdk(inference_sh).run({"app": APP, "input": {"text": "Review it."}}, stream=True))


@pytest.mark.parametrize(("effort", "returned"), [(None, False), ("none", False), ("low", True)])
def test_like_the_app_reasoning_comes_back_only_when_asked_for(
    inference_sh: InferenceShServer, effort: str | None, returned: bool
) -> None:
    inference_sh.script([TURN])
    value: dict[str, Any] = {"text": "Review it."}
    if effort is not None:
        value["reasoning_effort"] = effort
    result = sdk(inference_sh).run({"app": APP, "input": value})
    assert isinstance(result, dict)
    assert ("reasoning" in result["output"]) is returned
    assert (result["output"]["usage"]["reasoning_tokens"] > 0) is returned
