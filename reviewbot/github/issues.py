"""One tracking issue per hidden marker: found again, updated, never duplicated."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reviewbot.github.body import BODY_LIMIT, fit_body
from reviewbot.github.types import IssueInfo, IssueRef

if TYPE_CHECKING:
    from reviewbot.github.api import GitHubApi


def hidden_marker(marker: str) -> str:
    """``marker`` as an HTML comment (kept as given when it already is one)."""
    text = marker.strip()
    if text.startswith("<!--") and text.endswith("-->"):
        return text
    if "--" in text or not text:
        raise ValueError("a marker must be non-empty and must not contain '--'")
    return f"<!-- {text} -->"


def find_issue(
    api: GitHubApi,
    repo: str,
    marker: str,
    labels: Sequence[str] = (),
    *,
    viewer: str | None = None,
) -> IssueInfo | None:
    """The issue whose body carries ``marker``, open ones first; only one written by a bot
    account or by ``viewer`` (the token's user) counts. Issues with ``labels`` are looked
    at first, then every issue (a label may have been removed)."""
    tag = hidden_marker(marker)

    def ours(issue: IssueInfo) -> bool:
        mine = issue.author.is_bot or (viewer is not None and issue.author.login == viewer)
        return not issue.is_pull and tag in issue.body and mine

    found = [i for i in api.issues(repo, labels=labels) if ours(i)]
    if not found and labels:
        found = [i for i in api.issues(repo) if ours(i)]
    found.sort(key=lambda i: (i.state != "open", i.number))
    return found[0] if found else None


def upsert_issue(
    api: GitHubApi,
    repo: str,
    marker: str,
    title: str,
    body: str,
    labels: Sequence[str] = (),
    *,
    reopen: bool = False,
) -> IssueRef:
    """Update the issue whose body carries ``marker`` (open ones first, then closed), or
    create it; never a second one. Issues written by people are not taken over: only
    one by a bot account or by the token's own user counts as ours.

    ``body`` gets the hidden marker appended when it lacks it and is cut to fit GitHub's
    limit. ``reopen`` reopens a closed one.
    """
    tag = hidden_marker(marker)
    text = body if tag in body else f"{body.rstrip()}\n\n{tag}\n"
    if len(text) > BODY_LIMIT:
        text = fit_body(text, BODY_LIMIT - len(tag) - 4) + f"\n{tag}\n"
    viewer = api.viewer_login()

    def find() -> IssueInfo | None:
        return find_issue(api, repo, tag, labels, viewer=viewer)

    existing = find()
    if existing is None:
        made = api.create_issue(repo, title=title, body=text, labels=labels, landed=find)
        return IssueRef(made.number, made.url, created=True)
    state = "open" if reopen and existing.state != "open" else None
    missing = [name for name in labels if name not in existing.labels]
    updated = api.update_issue(
        repo,
        existing.number,
        title=title,
        body=text,
        labels=[*existing.labels, *missing] if missing else None,
        state=state,
    )
    return IssueRef(updated.number, updated.url or existing.url, created=False)
