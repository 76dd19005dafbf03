"""Which GitHub event asks for a review, read from the Actions environment. Pure.

Reviewed: ``pull_request`` and ``pull_request_target`` with action ``opened``,
``synchronize``, ``reopened``, ``ready_for_review`` or ``labeled`` (the fork-safe workflow
reviews a stranger's pull request when a maintainer labels it; the workflow's condition checks
the label's name); ``issue_comment`` (``created``) on a
pull request whose first line is the ``/review`` command (the commenter's write access is
checked against the API later). Everything else is skipped with a reason, exit 0: drafts,
closed pull requests, pull requests opened by bots (a ``/review`` from a person still
reviews a bot's or a draft pull request), other actions and events.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewbot.errors import ConfigError

PR_EVENTS = ("pull_request", "pull_request_target")
PR_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review", "labeled")
COMMAND = re.compile(r"\A\s*/review(?:\s|\Z)")


@dataclass(frozen=True)
class ActionEnv:
    """The variables GitHub Actions sets that ``reviewbot github`` reads."""

    event_name: str
    event_path: Path
    repository: str  # owner/name
    token: str
    api_url: str = "https://api.github.com"
    graphql_url: str = ""
    server_url: str = "https://github.com"
    step_summary: Path | None = None
    output: Path | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ActionEnv:
        missing = [
            name
            for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY")
            if not environ.get(name)
        ]
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} not set: `reviewbot github` runs inside GitHub Actions",
                hint="use `reviewbot review` locally",
            )
        token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN") or ""
        if not token:
            raise ConfigError(
                "GITHUB_TOKEN is not set",
                hint="pass it to the step: `env: GITHUB_TOKEN: ${{ github.token }}`",
            )
        repository = environ["GITHUB_REPOSITORY"]
        if not re.fullmatch(r"[\w.\-]+/[\w.\-]+", repository):
            raise ConfigError(f"GITHUB_REPOSITORY {repository!r} is not owner/name")
        return cls(
            event_name=environ["GITHUB_EVENT_NAME"],
            event_path=Path(environ["GITHUB_EVENT_PATH"]),
            repository=repository,
            token=token,
            api_url=(environ.get("GITHUB_API_URL") or cls.api_url).rstrip("/"),
            graphql_url=environ.get("GITHUB_GRAPHQL_URL", ""),
            server_url=(environ.get("GITHUB_SERVER_URL") or cls.server_url).rstrip("/"),
            step_summary=_path(environ.get("GITHUB_STEP_SUMMARY")),
            output=_path(environ.get("GITHUB_OUTPUT")),
        )

    @property
    def host(self) -> str:
        """The GitHub host links may point to (github.com, or the GHES host)."""
        rest = self.server_url.split("://", 1)[-1]
        return rest.split("/", 1)[0].split(":", 1)[0].lower()


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


@dataclass(frozen=True)
class Trigger:
    """A review to run."""

    number: int
    event: str
    action: str
    requested_by: str = ""  # /review: the commenter, whose write access is checked
    comment_id: int = 0
    from_fork: bool = False  # pull_request events: the head is in another repository

    @property
    def on_request(self) -> bool:
        return bool(self.requested_by)


@dataclass(frozen=True)
class Skip:
    reason: str


def load_payload(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read GITHUB_EVENT_PATH {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise ConfigError(f"GITHUB_EVENT_PATH {path} is not JSON") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"GITHUB_EVENT_PATH {path} is not a JSON object")
    return data


def is_bot(user: Mapping[str, Any] | None) -> bool:
    if not user:
        return False
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def read_trigger(event_name: str, payload: Mapping[str, Any]) -> Trigger | Skip:
    """What the event asks for, or why there is nothing to do."""
    action = str(payload.get("action") or "")
    if event_name in PR_EVENTS:
        pr = payload.get("pull_request") or {}
        if action not in PR_ACTIONS:
            return Skip(f"{event_name} action {action!r} does not ask for a review")
        found = pull_skip(
            state=str(pr.get("state") or "open"),
            draft=bool(pr.get("draft")),
            author=pr.get("user"),
            on_request=False,
        )
        if found:
            return Skip(found)
        head_repo = (pr.get("head") or {}).get("repo") or {}
        base_repo = (payload.get("repository") or {}).get("full_name", "")
        fork = str(head_repo.get("full_name", "")).lower() != str(base_repo).lower()
        return Trigger(int(pr["number"]), event_name, action, from_fork=fork)
    if event_name == "issue_comment":
        issue = payload.get("issue") or {}
        comment = payload.get("comment") or {}
        if action != "created":
            return Skip(f"issue_comment action {action!r} does not ask for a review")
        if not issue.get("pull_request"):
            return Skip("the comment is on an issue, not a pull request")
        if not COMMAND.match(str(comment.get("body") or "")):
            return Skip("the comment is not a /review command")
        user = comment.get("user") or {}
        if is_bot(user):
            return Skip(f"/review came from a bot ({user.get('login')})")
        return Trigger(
            int(issue["number"]),
            event_name,
            action,
            requested_by=str(user.get("login") or ""),
            comment_id=int(comment.get("id") or 0),
        )
    return Skip(f"event {event_name!r} is not one reviewbot reviews")


def pull_skip(
    *, state: str, draft: bool, author: Mapping[str, Any] | None, on_request: bool
) -> str | None:
    """Why a pull request is not reviewed, or None. A /review request overrides the draft
    and bot-author rules, never the closed one."""
    login = (author or {}).get("login", "?")
    if state != "open":
        return f"the pull request is {state}"
    if on_request:
        return None
    if draft:
        return "the pull request is a draft (mark it ready, or comment /review)"
    if is_bot(author):
        return f"the pull request was opened by a bot ({login})"
    return None
