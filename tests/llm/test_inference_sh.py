"""reviewbot's inference.sh client against the fake task API: tool-call sessions with the
reasoning sent back, every line style and envelope, live progress, a stream that ends early
or is refused, failed / cancelled / rejected / stuck tasks, retries, bad keys, usage from
``usage`` or ``output_meta``, the reasoning settings, and Ctrl-C cancelling the task."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reviewbot.errors import ModelError
from reviewbot.llm.connect import open_client
from reviewbot.llm.errors import (
    ContextLengthError,
    ModelAuthError,
    ModelNotFoundError,
    ModelQuotaError,
    ModelUnavailableError,
)
from reviewbot.llm.inference_sh.client import TaskClient
from reviewbot.llm.pricing import K2_THINKING, cost_usd
from reviewbot.llm.types import (
    ContentDelta,
    ReasoningDelta,
    Retrying,
    StreamEvent,
    ToolCallDelta,
    UsageEvent,
)
from tests.fakes.inference_sh_app import APP
from tests.fakes.inference_sh_server import API_KEY, InferenceShServer
from tests.fakes.inference_sh_tasks import CANCELLED, HttpFault, TaskFault
from tests.fakes.k2_server import FakeCall, Turn
from tests.llm.conftest import TOOLS, RecordingSleep, config_for, tool_results

TURNS = [
    Turn(
        reasoning="Read both files before judging.",
        content="Reading.",
        tool_calls=[
            FakeCall("read_file", {"path": "a.py"}),
            FakeCall("search_code", {"pattern": "def parse"}),
        ],
    ),
    Turn(reasoning="All clear.", content="LGTM"),
]
PROMPT: list[dict[str, Any]] = [
    {"role": "system", "content": "You review code."},
    {"role": "user", "content": "Review the change."},
]


@pytest.fixture
def make_client(inference_sh: InferenceShServer) -> Iterator[Callable[..., TaskClient]]:
    clients: list[TaskClient] = []

    def factory(**overrides: Any) -> TaskClient:
        sleep = overrides.pop("sleep", None) or RecordingSleep()
        settings = {
            "model": APP,
            "api_key": API_KEY,
            "key_source": "INFERENCE_API_KEY",
            "max_attempts": 4,
            "poll_interval": 0.01,
            **overrides,
        }
        config = config_for(inference_sh, "inference-sh", **settings)
        client = open_client(config, sleep=sleep, rng=random.Random(3))
        assert isinstance(client, TaskClient)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


def session(client: TaskClient, events: list[StreamEvent] | None = None) -> list[Any]:
    """Two turns: tool calls, their results, the answer."""
    messages = list(PROMPT)
    first = client.complete(messages, TOOLS, on_event=events.append if events is not None else None)
    messages.append(client.assistant_message(first))
    messages.extend(tool_results(first))
    second = client.complete(messages, TOOLS)
    return [first, second]


@pytest.mark.parametrize("style", ["task", "partial", "sparse", "delta"])
def test_a_tool_call_session_sends_the_reasoning_back(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient], style: str
) -> None:
    inference_sh.line_style = style  # type: ignore[assignment]
    inference_sh.delta_tool_calls = True
    inference_sh.script(TURNS)
    first, second = session(make_client())
    assert first.reasoning == "Read both files before judging." and first.content == "Reading."
    assert [(c.name, json.loads(c.arguments)) for c in first.tool_calls] == [
        ("read_file", {"path": "a.py"}),
        ("search_code", {"pattern": "def parse"}),
    ]
    assert first.finish_reason == "tool_calls" and second.finish_reason == "stop"
    assert second.content == "LGTM"
    assert inference_sh.violations == []
    sent = inference_sh.runs[1]["input"]
    assert sent["system_prompt"] == "You review code."
    assert (sent["role"], sent["tool_call_id"]) == ("tool", first.tool_calls[1].id)
    assistant = sent["context"][1]
    assert assistant["reasoning"] == "Read both files before judging."
    assert [c["function"]["arguments"] for c in assistant["tool_calls"]] == [
        '{"path":"a.py"}',
        '{"pattern":"def parse"}',
    ]
    assert second.usage.input_tokens > second.usage.cached_tokens > 0
    assert inference_sh.cancels == []


@pytest.mark.parametrize("envelope", ["auto", "bare", "data", "v1"])
def test_every_envelope_is_read(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient], envelope: str
) -> None:
    inference_sh.envelope = envelope  # type: ignore[assignment]
    inference_sh.script(TURNS)
    first, second = session(make_client())
    assert len(first.tool_calls) == 2 and second.content == "LGTM"
    assert inference_sh.violations == []


@pytest.mark.parametrize("style", ["partial", "delta"])
def test_partial_outputs_become_live_progress(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient], style: str
) -> None:
    inference_sh.line_style = style  # type: ignore[assignment]
    inference_sh.delta_tool_calls = True
    inference_sh.step = 0.1  # slow enough that the stream sees snapshots on a loaded machine
    inference_sh.script(TURNS[:1])
    events: list[StreamEvent] = []
    turn = make_client().complete(list(PROMPT), TOOLS, on_event=events.append)
    reasoning = [e.text for e in events if isinstance(e, ReasoningDelta)]
    assert len(reasoning) > 1 and "".join(reasoning) == turn.reasoning
    assert "".join(e.text for e in events if isinstance(e, ContentDelta)) == "Reading."
    calls = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [e.name for e in calls if e.name] == ["read_file", "search_code"]
    for index, call in enumerate(turn.tool_calls):
        text = "".join(e.arguments_fragment for e in calls if e.index == index)
        assert text == call.arguments
    assert isinstance(events[-1], UsageEvent) and events[-1].usage == turn.usage


def test_a_stream_that_ends_early_falls_back_to_polling(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.step = 0.1  # the task outlives the first stream even on a loaded machine
    inference_sh.script(TURNS[:1])
    inference_sh.inject(TaskFault.stream_ends_early(after=1))
    turn = make_client().complete(list(PROMPT), TOOLS)
    assert turn.reasoning == TURNS[0].reasoning and len(turn.tool_calls) == 2
    paths = [path for method, path in inference_sh.requests if method == "GET"]
    assert paths[0] == "/tasks/task_000001/stream"
    assert paths.count("/tasks/task_000001/stream") == 1
    assert paths.count("/tasks/task_000001") >= 1
    assert len(inference_sh.runs) == 1 and inference_sh.cancels == []


def test_a_refused_stream_is_polled(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.script(TURNS[:1])
    inference_sh.inject(HttpFault(503, route="stream"))
    turn = make_client().complete(list(PROMPT), TOOLS)
    assert len(turn.tool_calls) == 2 and len(inference_sh.runs) == 1


def test_a_failed_task_is_one_line_naming_it(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.script(TURNS[:1])
    error = f"OpenRouter API error: invalid tool schema\nat x (key {API_KEY})"
    inference_sh.inject(TaskFault.failed(error))
    with pytest.raises(ModelError) as caught:
        make_client().complete(list(PROMPT), TOOLS)
    text = caught.value.one_line()
    assert "task_000001" in text and "invalid tool schema at x (key ****)" in text
    assert "\n" not in text and len(inference_sh.runs) == 1  # not retried


def test_a_transient_failure_runs_a_new_task(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.script([TURNS[0], TURNS[0]])
    inference_sh.inject(TaskFault.failed("OpenRouter API 429 from deepinfra: rate limited"))
    events: list[StreamEvent] = []
    turn = make_client().complete(list(PROMPT), TOOLS, on_event=events.append)
    assert len(turn.tool_calls) == 2 and len(inference_sh.runs) == 2
    (retry,) = [e for e in events if isinstance(e, Retrying)]
    assert "task_000001" in retry.reason and "429" in retry.reason


def test_a_context_too_long_for_the_model_is_reported_as_such(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    message = "maximum context length is 262144 tokens. However, you requested 300000 tokens"
    inference_sh.script(TURNS[:1])
    inference_sh.inject(TaskFault.failed(f"OpenRouter API error: {message}"))
    with pytest.raises(ContextLengthError) as caught:
        make_client().complete(list(PROMPT), TOOLS)
    assert (caught.value.sent_tokens, caught.value.limit) == (300000, 262144)
    assert "task_000001" in caught.value.one_line()


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        (
            TaskFault.cancelled(),
            ModelError,
            "task_000001 for openrouter/kimi-k2-thinking was cancelled",
        ),
        (TaskFault.rejected("insufficient balance"), ModelQuotaError, "rejected task task_000001"),
    ],
)
def test_cancelled_and_rejected_tasks(
    inference_sh: InferenceShServer,
    make_client: Callable[..., TaskClient],
    fault: TaskFault,
    error: type[Exception],
    words: str,
) -> None:
    inference_sh.script(TURNS[:1])
    inference_sh.inject(fault)
    with pytest.raises(error) as caught:
        make_client().complete(list(PROMPT), TOOLS)
    assert words in str(caught.value)
    assert len(inference_sh.runs) == 1 and inference_sh.cancels == []


@pytest.mark.parametrize("version", ["2", "1"])
def test_a_bad_key_names_the_variable_not_the_key(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient], version: str
) -> None:
    inference_sh.api_key = "inf_the_right_one"
    client = make_client(extra_headers={"X-API-Version": version})
    with pytest.raises(ModelAuthError) as caught:
        client.complete(list(PROMPT), TOOLS)
    text = caught.value.one_line()
    assert "401" in text and "Invalid or missing API key" in text
    assert "INFERENCE_API_KEY" in text and API_KEY not in text
    assert inference_sh.tasks == {}


def test_an_unknown_app_is_not_found(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    with pytest.raises(ModelNotFoundError, match="openrouter/kimi-k3"):
        make_client(model="openrouter/kimi-k3").complete(list(PROMPT), TOOLS)


def test_busy_answers_are_retried(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.script(TURNS[:1])
    inference_sh.inject(HttpFault(429, retry_after="0.01"))
    inference_sh.inject(HttpFault(503))
    sleep = RecordingSleep()
    turn = make_client(sleep=sleep).complete(list(PROMPT), TOOLS)
    assert len(turn.tool_calls) == 2 and len(inference_sh.runs) == 1
    assert sleep.waits[0] == 0.01


def test_a_stuck_task_is_cancelled_and_run_again(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.script([TURNS[0], TURNS[0]])
    inference_sh.inject(TaskFault.hold(after=1))
    turn = make_client(idle_timeout=1.0).complete(list(PROMPT), TOOLS)
    assert len(turn.tool_calls) == 2
    assert inference_sh.cancels == ["task_000001"]
    assert inference_sh.status("task_000001") == CANCELLED


def test_when_retries_run_out_every_task_is_cancelled(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.script([TURNS[0]] * 2)
    inference_sh.inject(TaskFault.hold(after=1))
    inference_sh.inject(TaskFault.hold(after=1))
    client = make_client(idle_timeout=1.0, max_attempts=2)
    with pytest.raises(ModelUnavailableError, match="made no progress"):
        client.complete(list(PROMPT), TOOLS)
    assert inference_sh.cancels == client.cancelled == ["task_000001", "task_000002"]


def test_ctrl_c_cancels_the_running_task(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.script(TURNS[:1])
    inference_sh.inject(TaskFault.hold(after=2))

    def interrupt(event: StreamEvent) -> None:
        if isinstance(event, ReasoningDelta):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make_client().complete(list(PROMPT), TOOLS, on_event=interrupt)
    assert inference_sh.cancels == ["task_000001"]


def test_usage_and_cost_from_output_meta(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.usage_style = "output_meta"
    inference_sh.script(TURNS)
    first, second = session(make_client())
    for turn in (first, second):
        assert turn.usage.input_tokens > 0 and turn.usage.output_tokens > 0
        assert turn.usage.reasoning_tokens > 0
        assert turn.usage.reported_cost_usd is not None
        assert cost_usd(turn.usage, K2_THINKING) == turn.usage.reported_cost_usd
    assert second.usage.cached_tokens > 0
    assert (first.usage + second.usage).reported_cost_usd == pytest.approx(
        first.usage.reported_cost_usd + second.usage.reported_cost_usd  # type: ignore[operator]
    )


def test_reasoning_settings_reach_the_app(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.script([*TURNS, *TURNS])
    session(make_client())
    first = inference_sh.runs[0]["input"]
    assert first["reasoning_effort"] == "high" and first["reasoning_exclude"] is False
    assert "reasoning_max_tokens" not in first
    assert (first["temperature"], first["max_tokens"]) == (1.0, 32768)

    excluded = make_client(
        reasoning_effort="low",
        reasoning_max_tokens=4000,
        reasoning_exclude=True,
        context_size=262144,
    )
    one, _ = session(excluded)
    asked = inference_sh.runs[2]["input"]
    assert (asked["reasoning_effort"], asked["reasoning_max_tokens"]) == ("low", 4000)
    assert (asked["reasoning_exclude"], asked["context_size"]) == (True, 262144)
    assert one.reasoning is None and len(one.tool_calls) == 2  # thought, not returned
    assert one.usage.reasoning_tokens > 0
    assert inference_sh.runs[3]["input"]["context"][1]["reasoning"] == ""
    assert inference_sh.violations == []


def test_a_cut_off_reply_and_tool_choice_none(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient]
) -> None:
    inference_sh.script([Turn(reasoning="Long.", content="The answer is", finish_reason="length")])
    turn = make_client().complete(list(PROMPT), TOOLS, tool_choice="none")
    assert turn.finish_reason == "length"
    assert inference_sh.runs[0]["input"]["tool_choice"] == {"mode": "none"}


@pytest.mark.parametrize("arguments", ['{"path": "a.p', '["a.py"]'])
def test_arguments_that_are_not_an_object_go_back_as_an_empty_one(
    inference_sh: InferenceShServer, make_client: Callable[..., TaskClient], arguments: str
) -> None:
    inference_sh.strict_roundtrip = False  # what the platform would refuse is what we test
    cut = Turn(reasoning="r", tool_calls=[FakeCall("read_file", arguments)])
    inference_sh.script([cut, Turn(content="done")])
    client = make_client()
    messages = list(PROMPT)
    turn = client.complete(messages, TOOLS)
    assert turn.tool_calls[0].arguments == arguments
    messages += [client.assistant_message(turn), *tool_results(turn, "error: not JSON")]
    client.complete(messages, TOOLS)
    (call,) = inference_sh.runs[1]["input"]["context"][1]["tool_calls"]
    assert call["function"]["arguments"] == "{}"
    assert inference_sh.violations == []
