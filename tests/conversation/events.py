"""Conversation webhook payloads for the `reviewbot github` bench, made from the real ones."""

from __future__ import annotations

import copy
from typing import Any

from tests.fakes.github_events import load_event
from tests.github.conftest import NUMBER, Bench, load_webhook


def _user(login: str) -> dict[str, Any]:
    return {"login": login, "id": 5000 + len(login), "type": "User"}


def review_comment_event(bench: Bench, comment: dict[str, Any]) -> dict[str, Any]:
    """``pull_request_review_comment`` created, for a comment as the fake GitHub has it."""
    event = copy.deepcopy(load_event("pull_request_review_comment.created.1"))
    opened = bench.event()
    event["pull_request"] = opened["pull_request"]
    event["repository"] = opened["repository"]
    event["comment"].update(
        {k: comment[k] for k in ("id", "body", "path", "commit_id", "diff_hunk", "html_url")}
    )
    event["comment"]["user"] = comment["user"]
    event["comment"]["author_association"] = comment["author_association"]
    if comment.get("in_reply_to_id"):
        event["comment"]["in_reply_to_id"] = comment["in_reply_to_id"]
    event["sender"] = comment["user"]
    return event


def issue_comment_event(bench: Bench, comment_id: int, body: str, login: str) -> dict[str, Any]:
    """``issue_comment`` created on the pull request (see tests/github/webhooks)."""
    event = load_webhook("issue_comment.created.1")
    event["issue"]["number"] = NUMBER
    event["issue"]["pull_request"] = {"url": "https://api.github.com/pulls/2"}
    event["comment"].update({"id": comment_id, "body": body, "user": _user(login)})
    return event
