"""Where learnings live: one issue of the repository, found by its hidden marker.

Why an issue and not a committed file: learning happens inside a workflow run, which may
write issues (``issues: write``) but should never push to a branch; maintainers see the
issue in the tracker (pin it), edit its table in the browser, and GitHub keeps the edit
history. Only an issue opened by the token's own login counts (a pull-request run learns
it; elsewhere the rule of ``find_issue``: a bot account or the token's user): someone
else's issue carrying the marker, another app's included, is not read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reviewbot.github.api import GitHubApi
from reviewbot.github.connection import ApiConfig
from reviewbot.github.issues import find_issue, upsert_issue
from reviewbot.github.types import IssueInfo
from reviewbot.learnings import store
from reviewbot.learnings.model import Learning


@dataclass(frozen=True)
class Loaded:
    issue: IssueInfo | None
    stored: store.Stored

    @property
    def url(self) -> str:
        return self.issue.url if self.issue is not None else ""


class LearningsIssue:
    """``owner``: the run's own login, learnt when asked (a pull-request run learns it even
    for an Actions token, see ``Action.identity``); with it, only that login's issue is read
    or written, since another app's bot could copy the marker. Without it, the rule of
    ``find_issue`` (a bot account or the token's user)."""

    def __init__(
        self, api: GitHubApi, repo: str, owner: Callable[[], str | None] | None = None
    ) -> None:
        self.api = api
        self.repo = repo
        self.owner = owner
        self._viewer: str | None = None
        self._looked = False

    def viewer(self) -> str | None:
        if not self._looked:
            who = self.owner if self.owner is not None else self.api.viewer_login
            self._viewer, self._looked = who(), True
        return self._viewer

    def load(self) -> Loaded:
        found = find_issue(
            self.api, self.repo, f"<!-- {store.MARKER} -->",
            viewer=self.viewer, only_viewer=self.owner is not None,
        )  # fmt: skip
        if found is None:
            return Loaded(None, store.Stored((), ()))
        return Loaded(found, store.parse(found.body))

    def learn(self, source: str, make: Callable[[int], Learning]) -> Learning | None:
        """Add the learning ``make(number)`` for feedback ``source`` (a comment id), unless
        that feedback was learnt from already (also when its learning was forgotten since)."""
        loaded = self.load()
        if source in loaded.stored.seen:
            return None
        learning = make(loaded.stored.next_number())
        body = loaded.issue.body if loaded.issue is not None else store.render([])
        self._write(store.added(body, learning, source))
        return learning

    def forget(self, ident: str) -> bool:
        """Remove learning ``ident``'s row; False when there is none."""
        loaded = self.load()
        if loaded.issue is None:
            return False
        changed = store.without(loaded.issue.body, ident)
        if changed is None:
            return False
        self._write(changed)
        return True

    def _write(self, body: str) -> None:
        marker = f"<!-- {store.MARKER} -->"
        owner = self.viewer if self.owner is not None else None
        upsert_issue(self.api, self.repo, marker, store.TITLE, body, owner=owner)


def read_learnings(environ: Mapping[str, str]) -> tuple[Learning, ...]:
    """The learnings of ``GITHUB_REPOSITORY``, for a run outside a pull request (an audit)."""
    with GitHubApi(ApiConfig.from_environ(environ)) as api:
        return LearningsIssue(api, environ["GITHUB_REPOSITORY"]).load().stored.learnings
