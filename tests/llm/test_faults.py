"""Every fault the fake server can play: recovered within bounds, or one clear error."""

from __future__ import annotations

import socket
import time
from email.utils import formatdate
from typing import Any

import pytest

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.schema import parse_arguments
from reviewbot.errors import ReviewbotError
from reviewbot.llm.client import ChatClient
from reviewbot.llm.errors import (
    ContextLengthError,
    ModelAuthError,
    ModelNotFoundError,
    ModelPermissionError,
    ModelQuotaError,
    ModelRequestError,
    ModelUnavailableError,
)
from reviewbot.llm.types import Retrying, StreamEvent
from tests.fakes.k2_server import FakeCall, Fault, K2Server, Turn
from tests.llm.conftest import API_KEY, TOOLS, RecordingSleep, config_for, tool_results

pytestmark = pytest.mark.faults

ANSWER = Turn(
    reasoning="Thinking it through carefully.", content="The answer, in full.", chunk_chars=4
)
ASK = [{"role": "user", "content": "review"}]


def _complete(client: ChatClient) -> tuple[Any, list[Retrying]]:
    events: list[StreamEvent] = []
    turn = client.complete(ASK, TOOLS, on_event=events.append)
    return turn, [e for e in events if isinstance(e, Retrying)]


def _assert_answer(turn: Any) -> None:
    assert (turn.reasoning, turn.content) == (ANSWER.reasoning, ANSWER.content)


def test_429_with_retry_after_seconds(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.rate_limited(retry_after="1"))
    sleep = RecordingSleep()
    turn, retries = _complete(make_client(sleep=sleep))
    _assert_answer(turn)
    assert sleep.waits == [1.0]
    assert retries[0].attempt == 1 and "429" in retries[0].reason
    assert "rate_limit_reached_error" in retries[0].reason


def test_429_with_retry_after_http_date(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(
        Fault.rate_limited(retry_after=formatdate(time.time() + 3, usegmt=True))
    )
    sleep = RecordingSleep()
    _assert_answer(make_client(sleep=sleep).complete(ASK, TOOLS))
    assert 1.0 <= sleep.waits[0] <= 3.5


def test_429_without_retry_after_backs_off_with_jitter(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.rate_limited(count=2))
    sleep = RecordingSleep()
    _assert_answer(make_client(sleep=sleep, backoff_base=0.01).complete(ASK, TOOLS))
    assert len(sleep.waits) == 2
    assert 0 <= sleep.waits[0] <= 0.01 and 0 <= sleep.waits[1] <= 0.02


def test_engine_overloaded_is_retried(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.overloaded(count=2))
    turn, retries = _complete(make_client())
    _assert_answer(turn)
    assert len(retries) == 2 and "engine_overloaded_error" in retries[0].reason


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_bursts_are_retried(k2_server: K2Server, make_client, status: int) -> None:
    k2_server.script([ANSWER]).inject(Fault.burst(status, 3))
    turn, retries = _complete(make_client())
    _assert_answer(turn)
    assert [r.attempt for r in retries] == [1, 2, 3]
    assert all(f"HTTP {status}" in r.reason for r in retries)
    assert len(k2_server.requests) == 4


def test_a_burst_longer_than_the_attempts_gives_up(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.burst(503, 10))
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match=r"failed 5 times in a row: HTTP 503"):
        make_client(max_attempts=5).complete(ASK, TOOLS)
    assert time.monotonic() - started < 2
    assert len(k2_server.requests) == 5


def test_retry_after_beyond_the_time_bound_gives_up_at_once(
    k2_server: K2Server, make_client
) -> None:
    k2_server.script([ANSWER]).inject(Fault.rate_limited(retry_after="600"))
    sleep = RecordingSleep()
    with pytest.raises(ModelUnavailableError, match="asked to wait 600 s") as caught:
        make_client(sleep=sleep, max_retry_seconds=30).complete(ASK, TOOLS)
    assert sleep.waits == []
    assert "\n" not in caught.value.one_line()


def test_total_retry_time_is_bounded(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.burst(503, 50))
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match=r"kept failing for 0\.\d s"):
        make_client(
            max_retry_seconds=0.3, max_attempts=50, backoff_base=0.2, backoff_max=0.2
        ).complete(ASK, TOOLS)
    assert time.monotonic() - started < 1.0
    assert 2 <= len(k2_server.requests) < 50


def test_dropped_connection_mid_stream_is_retried(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.drop(after_chunks=4))
    turn, retries = _complete(make_client())
    _assert_answer(turn)
    assert len(retries) == 1 and "dropped" in retries[0].reason


def test_stalled_stream_hits_the_idle_timeout(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.stall(10, after_chunks=3))
    started = time.monotonic()
    turn, retries = _complete(make_client(idle_timeout=0.3))
    _assert_answer(turn)
    assert time.monotonic() - started < 2
    assert len(retries) == 1 and "no data from the server for 0.3 s" in retries[0].reason


def test_slow_but_steady_stream_is_not_cut(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.stall(0.4, after_chunks=3, resume=True))
    started = time.monotonic()
    turn, retries = _complete(make_client(idle_timeout=1.0))
    _assert_answer(turn)
    assert retries == [] and len(k2_server.requests) == 1
    assert time.monotonic() - started >= 0.4


def test_malformed_chunk_is_retried(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.malformed(after_chunks=2))
    turn, retries = _complete(make_client())
    _assert_answer(turn)
    assert "malformed" in retries[0].reason


def test_error_event_mid_stream_is_retried(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.stream_error(after_chunks=3))
    turn, retries = _complete(make_client())
    _assert_answer(turn)
    assert "engine_overloaded_error" in retries[0].reason


def test_quota_error_mid_stream_is_not_retried(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.stream_error("exceeded_current_quota_error"))
    with pytest.raises(ModelQuotaError):
        make_client().complete(ASK, TOOLS)
    assert len(k2_server.requests) == 1


def test_context_length_is_a_distinct_error(k2_server: K2Server, make_client) -> None:
    k2_server.script([ANSWER]).inject(Fault.context_length(sent=300_000, limit=262_144))
    with pytest.raises(ContextLengthError) as caught:
        make_client().complete(ASK, TOOLS)
    assert (caught.value.sent_tokens, caught.value.limit) == (300_000, 262_144)
    assert "300,000 tokens sent, limit 262,144" in caught.value.one_line()
    assert len(k2_server.requests) == 1


def test_401_names_the_variable_and_hides_the_key(k2_server: K2Server, make_client) -> None:
    echo = {
        "error": {
            "message": f"Incorrect API key provided: {API_KEY}",
            "type": "invalid_authentication_error",
        }
    }
    k2_server.inject(Fault.status_code(401, body=echo))
    with pytest.raises(ModelAuthError) as caught:
        make_client().complete(ASK, TOOLS)
    text = caught.value.one_line()
    assert "MOONSHOT_API_KEY" in text and API_KEY not in text and "****" in text
    assert len(k2_server.requests) == 1


@pytest.mark.parametrize(
    ("status", "message", "error"),
    [
        (402, "Payment Required", ModelQuotaError),
        (403, "Your account is suspended, insufficient balance", ModelQuotaError),
        (403, "Access to this model is denied in your region", ModelPermissionError),
        (429, "You exceeded your current quota", ModelQuotaError),
        (422, "messages[3].content must be a string", ModelRequestError),
    ],
)
def test_other_refusals_are_not_retried(
    k2_server: K2Server, make_client, status: int, message: str, error: type[Exception]
) -> None:
    kind = "exceeded_current_quota_error" if status == 429 else "invalid_request_error"
    k2_server.inject(Fault.status_code(status, body={"error": {"message": message, "type": kind}}))
    with pytest.raises(error) as caught:
        make_client().complete(ASK, TOOLS)
    assert message in str(caught.value)
    assert len(k2_server.requests) == 1


def test_unknown_model_names_model_and_base_url(k2_server: K2Server, make_client) -> None:
    k2_server.models = {"kimi-k2-thinking"}
    with pytest.raises(ModelNotFoundError) as caught:
        make_client(model="kimi-k2-thinkng").complete(ASK, TOOLS)
    text = caught.value.one_line()
    assert "'kimi-k2-thinkng'" in text and k2_server.base_url in text and "REVIEWBOT_MODEL" in text


def test_unreachable_server_gives_up_within_bounds(k2_server: K2Server) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = config_for(k2_server, base_url=f"http://127.0.0.1:{port}/v1", max_attempts=3)
    with ChatClient(config) as client, pytest.raises(ModelUnavailableError, match="cannot connect"):
        client.complete(ASK, TOOLS)


def test_empty_reply_is_returned_as_empty(k2_server: K2Server, make_client) -> None:
    k2_server.inject(Fault.empty_reply())
    client = make_client()
    turn = client.complete(ASK, TOOLS)
    assert turn.is_empty and turn.content == "" and turn.reasoning is None
    assert client.assistant_message(turn) == {"role": "assistant", "content": ""}


def test_reasoning_only_reply_keeps_its_reasoning(k2_server: K2Server, make_client) -> None:
    k2_server.inject(Fault.reasoning_only("Still thinking."))
    client = make_client()
    turn = client.complete(ASK, TOOLS)
    assert turn.is_empty and turn.reasoning == "Still thinking." and turn.finish_reason == "stop"
    assert client.assistant_message(turn)["reasoning_content"] == "Still thinking."


@pytest.mark.parametrize("into", ["content", "reasoning"])
@pytest.mark.parametrize("spelling", ["tool_calls", "tool_call"])
def test_leaked_markup_becomes_tool_calls(
    k2_server: K2Server, make_client, into: str, spelling: str
) -> None:
    calls = [FakeCall("read_file", {"path": "a.py"}), FakeCall("search_code", {"pattern": "x"})]
    k2_server.inject(Fault.leaked_markup(calls, into=into, spelling=spelling))  # type: ignore[arg-type]
    k2_server.script([Turn(reasoning="ok", content="Done.")])
    client = make_client()
    turn = client.complete(ASK, TOOLS)

    assert [(c.id, c.name, parse_arguments(c)) for c in turn.tool_calls] == [
        ("functions.read_file:0", "read_file", {"path": "a.py"}),
        ("functions.search_code:1", "search_code", {"pattern": "x"}),
    ]
    assert turn.finish_reason == "tool_calls"
    text = turn.content if into == "content" else turn.reasoning
    assert text == "Let me look at the code."
    follow = [*ASK, client.assistant_message(turn), *tool_results(turn)]
    assert client.complete(follow, TOOLS).content == "Done."  # the server accepts them back


def test_truncated_leaked_arguments_surface_as_tool_errors(
    k2_server: K2Server, make_client
) -> None:
    k2_server.inject(
        Fault.reply(
            Turn(
                reasoning="r",
                content="<|tool_calls_section_begin|><|tool_call_begin|>functions.read_file:0"
                '<|tool_call_argument_begin|>{"path": "a.p',
                finish_reason="length",
            )
        )
    )
    turn = make_client().complete(ASK, TOOLS)
    assert turn.finish_reason == "length" and turn.content == ""
    with pytest.raises(ToolArgumentError, match=r"read_file.*truncated"):
        parse_arguments(turn.tool_calls[0])


def test_script_exhaustion_is_reported(k2_server: K2Server, make_client) -> None:
    with pytest.raises(ModelRequestError, match="no turn left"):
        make_client().complete(ASK, TOOLS)


def test_every_failure_is_one_line(k2_server: K2Server, make_client) -> None:
    faults = [Fault.burst(502, 9), Fault.context_length(), Fault.unauthorized()]
    for fault in faults:
        k2_server.inject(fault)
        with pytest.raises(ReviewbotError) as caught:
            make_client(max_attempts=2).complete(ASK, TOOLS)
        assert "\n" not in caught.value.one_line()
        k2_server._faults.clear()
