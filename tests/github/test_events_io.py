"""Reading the Actions environment and event; writing outputs and the log safely."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewbot.errors import ConfigError
from reviewbot.github.actions_io import SafeLog, output_text, write_outputs
from reviewbot.github.event import ActionEnv, Skip, Trigger, read_trigger
from reviewbot.review.sanitize import ZWSP
from tests.fakes.github_events import load_event
from tests.github.conftest import load_webhook, parse_outputs


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pull_request.opened.1", Trigger(2, "pull_request", "opened")),
        ("pull_request.synchronize.1", Trigger(2, "pull_request", "synchronize")),
        ("pull_request.reopened.1", Trigger(2, "pull_request", "reopened")),
        ("pull_request.ready_for_review.1", Trigger(2, "pull_request", "ready_for_review")),
        ("pull_request.closed.1", Skip("pull_request action 'closed' does not ask for a review")),
        (
            "pull_request.converted_to_draft.1",
            Skip("pull_request action 'converted_to_draft' does not ask for a review"),
        ),
    ],
)
def test_pull_request_events(name: str, expected: Trigger | Skip) -> None:
    assert read_trigger("pull_request", load_event(name)) == expected


def test_pull_request_target_is_read_the_same_way() -> None:
    event = load_event("pull_request.opened.1")
    assert read_trigger("pull_request_target", event) == Trigger(2, "pull_request_target", "opened")


def test_the_review_command() -> None:
    event = load_webhook("issue_comment.created.1")
    assert read_trigger("issue_comment", event) == Skip(
        "the comment is on an issue, not a pull request"
    )
    event["issue"]["pull_request"] = {"url": "x"}
    event["comment"]["body"] = "  /review\nplease look at the cache"
    found = read_trigger("issue_comment", event)
    assert found == Trigger(1, "issue_comment", "created", "Codertocat", 492700400)
    assert isinstance(found, Trigger) and found.on_request
    event["comment"]["user"] |= {"login": "renovate[bot]", "type": "Bot"}
    assert read_trigger("issue_comment", event) == Skip("/review came from a bot (renovate[bot])")
    event["action"] = "edited"
    assert isinstance(read_trigger("issue_comment", event), Skip)


def test_environment_is_checked(tmp_path: Path) -> None:
    base = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(tmp_path / "e.json"),
        "GITHUB_REPOSITORY": "o/r",
    }
    with pytest.raises(ConfigError, match="GITHUB_TOKEN is not set"):
        ActionEnv.from_environ(base)
    with pytest.raises(ConfigError, match="GITHUB_REPOSITORY not set"):
        ActionEnv.from_environ({"GITHUB_EVENT_NAME": "x", "GITHUB_EVENT_PATH": "y"})
    env = ActionEnv.from_environ(
        {**base, "GITHUB_TOKEN": "t", "GITHUB_SERVER_URL": "https://ghe.example.com:8443/",
         "GITHUB_API_URL": "https://ghe.example.com/api/v3/"}
    )  # fmt: skip
    assert env.host == "ghe.example.com" and env.api_url == "https://ghe.example.com/api/v3"
    assert env.step_summary is None and env.output is None


@given(st.dictionaries(st.sampled_from(["findings", "review-url", "a_b"]), st.text()))
def test_outputs_survive_any_value(values: dict[str, str]) -> None:
    assert parse_outputs(output_text(values)) == values


def test_outputs_append_to_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("earlier=1\n")
    write_outputs(target, {"findings": "2\nreview-url=http://evil"})
    text = target.read_text()
    assert text.startswith("earlier=1\nfindings<<ghadelimiter_")
    with pytest.raises(ValueError, match="bad output name"):
        output_text({"a\nb": "x"})


def test_safe_log_cannot_carry_commands_or_secrets() -> None:
    sink = io.StringIO()
    log = SafeLog(sink, ["s3cret-token-value"])
    log.write("ok ::not-start\n::set-output name=a::b\n  ::add-mask::")
    log.write("x\n##[error]boom s3cret-token-value\npartial")
    log.flush()
    assert sink.getvalue() == (
        f"ok ::not-start\n:{ZWSP}:set-output name=a::b\n  :{ZWSP}:add-mask::x\n"
        f"#{ZWSP}#[error]boom [REDACTED]\npartial"
    )
