"""Learning from what maintainers do with reviewbot's findings on a pull request.

A finding is rejected when someone with write access replies in its thread with a
rejection ("false positive", "won't fix", ...), gives its comment a 👎, or resolves its
thread while its lines are unchanged (the thread is not outdated). Each rejected finding
teaches one learning, written to the learnings issue with a link to the finding; the
finding's comment id is remembered there, so the same feedback is never learnt twice,
also after a maintainer forgot the learning.

People without write access (a pull request's author from a fork, say) teach nothing:
otherwise an author could silence the findings on their own change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from reviewbot.github.api import GitHubApi
from reviewbot.github.learnings_issue import LearningsIssue
from reviewbot.github.prior import Prior
from reviewbot.github.talk_api import Talk
from reviewbot.github.talk_event import REJECTION, WONT_FIX
from reviewbot.github.types import WRITE_ACCESS
from reviewbot.learnings.model import Learning, Reason, from_feedback
from reviewbot.review.findings import Finding

MAX_REACTION_READS = 50  # findings whose reactions are read per run (newest first)


@dataclass(frozen=True)
class Rejection:
    comment_id: int  # reviewbot's comment with the finding
    finding: Finding
    reason: Reason
    by: str
    said: str = ""  # the maintainer's reply, if that is how it was rejected
    reply_id: int = 0


class Permissions:
    """Write access by login, each asked of the API once per run."""

    def __init__(self, api: GitHubApi, repo: str) -> None:
        self.api, self.repo = api, repo
        self._known: dict[str, bool] = {}

    def can_write(self, login: str) -> bool:
        if login not in self._known:
            self._known[login] = self.api.permission(self.repo, login) in WRITE_ACCESS
        return self._known[login]


def rejections(
    talk: Talk, api: GitHubApi, prior: Prior, number: int, can_write: Callable[[str], bool]
) -> list[Rejection]:
    """The findings of ``prior`` that people with write access rejected, one per finding."""
    ours = {p.comment_id: p.finding for p in prior.findings}
    found: dict[int, Rejection] = {}
    for reply in api.review_comments(talk.repo, number):
        root = reply.in_reply_to
        if root not in ours or reply.author.is_bot or not REJECTION.search(reply.body):
            continue
        if root not in found and can_write(reply.author.login):
            reason: Reason = "won't fix" if WONT_FIX.search(reply.body) else "false positive"
            found[root] = Rejection(root, ours[root], reason, reply.author.login,
                                    reply.body, reply.id)  # fmt: skip
    for thread in prior.threads:
        first, by = thread.first_comment_id, thread.resolved_by
        unchanged = thread.resolved and not thread.outdated  # its lines are as they were
        if first not in ours or first in found or not unchanged or by is None or by.is_bot:
            continue
        if can_write(by.login):
            found[first] = Rejection(first, ours[first], "resolved unchanged", by.login)
    unread = sorted((c for c in ours if c not in found), reverse=True)[:MAX_REACTION_READS]
    for comment_id in unread:
        for reaction in talk.reactions(comment_id, review=True):
            who = reaction.user
            if reaction.content == "-1" and not who.is_bot and can_write(who.login):
                found[comment_id] = Rejection(comment_id, ours[comment_id], "thumbs down",
                                              who.login)  # fmt: skip
                break
    return [found[k] for k in sorted(found)]


def learn(
    issue: LearningsIssue, found: Iterable[Rejection], link: Callable[[int], str]
) -> list[Learning]:
    """Write a learning for each rejection not learnt from before; the new learnings.
    ``link`` gives the web address of a comment id."""
    seen = issue.load().stored.seen
    made = []
    for rejection in found:
        if str(rejection.comment_id) in seen:
            continue
        source = link(rejection.reply_id or rejection.comment_id)

        def make(n: int, r: Rejection = rejection, source: str = source) -> Learning:
            return from_feedback(r.finding, r.reason, number=n, source=source, said=r.said)

        learnt = issue.learn(str(rejection.comment_id), make)
        if learnt is not None:
            made.append(learnt)
    return made
