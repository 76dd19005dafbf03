"""One tracking issue per hidden marker: found again, updated, never duplicated."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    viewer: Callable[[], str | None] = lambda: None,
    only_viewer: bool = False,
) -> IssueInfo | None:
    """The issue whose body carries ``marker``, open ones first; only one written by a bot
    account or by ``viewer()`` (the token's login) counts, and with ``only_viewer`` (a run
    that can learn its login) only one by ``viewer()``: another app's bot could copy the
    marker. ``viewer`` is asked only once an issue carries the marker (learning the login
    may cost a request or two). Issues with ``labels`` are looked at first, then every issue
    (a label may have been removed)."""
    tag = hidden_marker(marker)

    def written_by_us(issue: IssueInfo) -> bool:
        login = viewer()
        if login is not None and issue.author.login.lower() == login.lower():
            return True
        return issue.author.is_bot and not only_viewer

    def ours(issue: IssueInfo) -> bool:
        return not issue.is_pull and tag in issue.body and written_by_us(issue)

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
    owner: Callable[[], str | None] | None = None,
) -> IssueRef:
    """Update the issue whose body carries ``marker`` (open ones first, then closed), or
    create it; never a second one. Issues written by people are not taken over: only
    one by a bot account or by the token's own user counts as ours.

    ``body`` gets the hidden marker appended when it lacks it and is cut to fit GitHub's
    limit. ``reopen`` reopens a closed one. ``owner`` (the run's own login, learnt when
    asked) narrows "ours" to that login's issue.
    """
    tag = hidden_marker(marker)
    text = body if tag in body else f"{body.rstrip()}\n\n{tag}\n"
    if len(text) > BODY_LIMIT:
        text = fit_body(text, BODY_LIMIT - len(tag) - 4) + f"\n{tag}\n"
    known: list[str | None] = []

    def viewer() -> str | None:
        if not known:
            known.append(owner() if owner is not None else api.viewer_login())
        return known[0]

    def find() -> IssueInfo | None:
        return find_issue(api, repo, tag, labels, viewer=viewer, only_viewer=owner is not None)

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
