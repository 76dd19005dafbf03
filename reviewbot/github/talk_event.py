"""Which GitHub events are conversation, read from the Actions event payload. Pure.

- A question: a comment that mentions the bot (``@reviewbot``, configurable) or starts
  with ``/ask``, on a review thread or a line (``pull_request_review_comment`` created) or
  on the pull request (``issue_comment`` created on a pull request). Asked by a bot: no.
- Feedback to learn from: a reply in a review thread that rejects a finding ("false
  positive", "won't fix", ...), a review thread resolved, a pull request closed. 👍/👎
  reactions send no event: they are read whenever one of these (or a review) runs.

The commenter's write access is checked against the API later, never taken from here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reviewbot.github.event import COMMAND, is_bot

ASK = re.compile(r"\A\s*/ask(?:\s|\Z)")
REJECTION = re.compile(
    r"(?i)\b(?:false[ -]positive|not an? (?:bug|issue|problem)|won'?t fix|wontfix|"
    r"will not fix|by design|works as intended|as intended|intentional)\b"
)
WONT_FIX = re.compile(r"(?i)\b(?:won'?t fix|wontfix|will not fix)\b")


@dataclass(frozen=True)
class Ask:
    number: int
    comment_id: int
    on_thread: bool  # a review comment (reply in its thread), else a PR comment
    author: str
    body: str


@dataclass(frozen=True)
class Feedback:
    number: int
    why: Literal["reply", "resolved", "closed"]


def mentions(body: str, mention: str) -> bool:
    """Whether ``body`` mentions ``mention`` (``@name``) as a word, outside code."""
    name = mention.strip().lstrip("@")
    if not name:
        return False
    prose = re.sub(r"```.*?```|`[^`\n]*`", " ", body, flags=re.S)
    return re.search(rf"(?<![\w@/.]){re.escape('@' + name)}(?![\w-])", prose, re.I) is not None


def asks(body: str, mention: str) -> bool:
    return bool(ASK.match(body)) or mentions(body, mention)


def read_talk(event_name: str, payload: Mapping[str, Any], mention: str) -> Ask | Feedback | None:
    """The conversation this event is, or None (then it may still ask for a review)."""
    action = str(payload.get("action") or "")
    comment = payload.get("comment") or {}
    body = str(comment.get("body") or "")
    user = comment.get("user") or {}
    if event_name == "pull_request_review_comment" and action == "created":
        if is_bot(user):
            return None
        number = int((payload.get("pull_request") or {}).get("number") or 0)
        if comment.get("in_reply_to_id") and REJECTION.search(body):
            return Feedback(number, "reply")
        if asks(body, mention):
            return Ask(number, int(comment["id"]), True, str(user.get("login") or ""), body)
        return None
    if event_name == "issue_comment" and action == "created":
        issue = payload.get("issue") or {}
        if not issue.get("pull_request") or is_bot(user) or COMMAND.match(body):
            return None
        if asks(body, mention):
            number = int(issue["number"])
            return Ask(number, int(comment["id"]), False, str(user.get("login") or ""), body)
        return None
    if event_name == "pull_request_review_thread" and action == "resolved":
        return Feedback(int((payload.get("pull_request") or {})["number"]), "resolved")
    if event_name in ("pull_request", "pull_request_target") and action == "closed":
        return Feedback(int((payload.get("pull_request") or {})["number"]), "closed")
    return None
