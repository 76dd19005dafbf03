"""Answers in threads, end to end: `reviewbot github` on the comment events, the fake
GitHub, the loopback model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conversation.events import issue_comment_event, review_comment_event
from tests.fakes.inference_sh_server import API_KEY as INFERENCE_SH_KEY
from tests.fakes.inference_sh_server import InferenceShServer
from tests.fakes.k2_server import FakeCall, Turn
from tests.github.conftest import NAME, NUMBER, OWNER, Bench, comment, review_script

QUESTION = "@reviewbot why does the expired entry still come back here?"
ANSWER = "Because `get()` returns `value` before the TTL check runs: see line 11."


def reviewed(bench: Bench) -> dict[str, Any]:
    """The pull request reviewed once; reviewbot's inline finding."""
    event = bench.seed()
    bench.k2.script(review_script(comment("app/cache.py", 11, "Expired entries are returned")))
    assert bench.run(event).code == 0
    [finding] = bench.comments()
    return finding


def answer_script() -> list[Turn]:
    return [
        Turn(reasoning="Read it.", tool_calls=[FakeCall("read_file", {"path": "app/cache.py"})]),
        Turn(reasoning="Got it.", tool_calls=[FakeCall("answer", {"text": ANSWER})]),
    ]


def ask_in_thread(bench: Bench, finding: dict[str, Any], login: str, body: str) -> dict[str, Any]:
    asked = bench.server.reply_in_thread(finding["id"], body, author=login)
    [question] = [c for c in bench.comments() if c["id"] == asked]
    return review_comment_event(bench, question)


@pytest.fixture
def finding(bench: Bench) -> dict[str, Any]:
    bench.server.set_permission("maintainer", "write")
    bench.server.set_permission("stranger", "read")
    return reviewed(bench)


def test_a_mention_in_a_review_thread_gets_exactly_one_threaded_reply(
    bench: Bench, finding: dict[str, Any]
) -> None:
    event = ask_in_thread(bench, finding, "maintainer", QUESTION)
    before = len(bench.k2.requests)
    bench.k2.script(answer_script())
    run = bench.run(event, event_name="pull_request_review_comment")
    assert run.code == 0, run.stderr
    thread = [c for c in bench.comments() if c.get("in_reply_to_id") == finding["id"]]
    assert [c["user"]["login"] for c in thread] == ["maintainer", "github-actions[bot]"]
    answer = thread[1]
    assert answer["body"].startswith(f"<!-- reviewbot:answer to={event['comment']['id']} -->")
    assert ANSWER in answer["body"]
    # The model saw the thread's code, the earlier finding and the question, as data.
    first = bench.k2.requests[before]
    said = json.dumps(first["messages"])
    assert "Expired entries are returned" in said and "why does the expired entry" in said
    assert "def get(self, key):" in said  # the file around the line
    assert {t["function"]["name"] for t in first["tools"]} == {
        "read_file", "list_files", "search_code", "git_log", "answer"
    }  # fmt: skip
    assert "Answered maintainer's question" in run.summary
    # The same event again (a re-run, a duplicate delivery): no second answer, no model call.
    requests = len(bench.k2.requests)
    again = bench.run(event, event_name="pull_request_review_comment")
    assert again.code == 0 and "answered already" in again.summary
    assert len(bench.k2.requests) == requests
    assert len([c for c in bench.comments() if c.get("in_reply_to_id") == finding["id"]]) == 2


def test_a_strangers_mention_gets_nothing(bench: Bench, finding: dict[str, Any]) -> None:
    event = ask_in_thread(bench, finding, "stranger", QUESTION)
    requests = len(bench.k2.requests)
    run = bench.run(event, event_name="pull_request_review_comment")
    assert run.code == 0, run.stderr
    assert "stranger, who has read access" in run.summary
    assert len(bench.k2.requests) == requests
    replies = [c for c in bench.comments() if c.get("in_reply_to_id") == finding["id"]]
    assert [c["user"]["login"] for c in replies] == ["stranger"]
    assert not [r for r in bench.server.requests if r.path.endswith("/reactions")]


def test_ask_on_the_pull_request_answers_there(bench: Bench, finding: dict[str, Any]) -> None:
    asked = bench.server.add_issue_comment(OWNER, NAME, NUMBER, "/ask what does put() do?",
                                           author="maintainer")  # fmt: skip
    bench.k2.script([Turn(tool_calls=[FakeCall("answer", {"text": "It stores the value."})])])
    event = issue_comment_event(bench, asked, "/ask what does put() do?", "maintainer")
    run = bench.run(event, event_name="issue_comment")
    assert run.code == 0, run.stderr
    said = bench.server.issue_comments(OWNER, NAME, NUMBER)
    assert [c["user"]["login"] for c in said] == ["maintainer", "github-actions[bot]"]
    assert said[1]["body"].startswith(f"<!-- reviewbot:answer to={asked} -->\n> /ask what")
    assert "It stores the value." in said[1]["body"]


def test_two_runs_at_once_post_one_answer(bench: Bench, finding: dict[str, Any]) -> None:
    event = ask_in_thread(bench, finding, "maintainer", QUESTION)
    bench.k2.script(answer_script())
    env = {"GITHUB_EVENT_NAME": "pull_request_review_comment"}
    runs = [bench.start(event, f"twin{i}", env) for i in range(2)]
    for run in runs:
        _out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    answers = [c for c in bench.comments() if c["body"].startswith("<!-- reviewbot:answer")]
    assert len(answers) == 1


def test_an_answer_under_inference_sh_speaks_its_task_api(
    bench: Bench, finding: dict[str, Any], inference_sh: InferenceShServer
) -> None:
    # The answering agent opens its model client as a review does: the provider's own wire.
    event = ask_in_thread(bench, finding, "maintainer", QUESTION)
    inference_sh.script(answer_script())
    provider = {
        "REVIEWBOT_PROVIDER": "inference-sh",
        "REVIEWBOT_BASE_URL": inference_sh.base_url,
        "REVIEWBOT_API_KEY": INFERENCE_SH_KEY,
    }
    requests = len(bench.k2.requests)
    run = bench.run(event, event_name="pull_request_review_comment", env=provider)
    assert run.code == 0, run.stderr
    assert len(bench.k2.requests) == requests  # nothing went to the chat-completions server
    assert inference_sh.violations == []
    assert len(inference_sh.runs) == 2  # one task per turn: the read, then the answer
    [read] = [m for m in inference_sh.runs[-1]["input"]["context"] if m["role"] == "assistant"]
    assert read["reasoning"] == "Read it." and read["tool_calls"]
    thread = [c for c in bench.comments() if c.get("in_reply_to_id") == finding["id"]]
    assert ANSWER in thread[-1]["body"]
