"""What reviewbot posted on a pull request before, read back from its hidden markers.

``read_prior`` reads the review comments and reviews whose first line is a marker of
``body``, from the token's own login only (anyone else could paste a marker, another
GitHub App's bot included); the caller learns that login (``lock.PullLock.own_login``).
``Prior`` answers whether a finding is there already (same fingerprint, or
``similar()``), the last complete review of a head, and the open threads' severities;
``without`` leaves out one run's own reviews (what *others* posted, for ``review``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from reviewbot.github.api import GitHubApi
from reviewbot.github.body import Marker, parse_marker, title_of
from reviewbot.github.types import PostedComment, PostedReview, ThreadInfo
from reviewbot.review.findings import Finding, Severity, similar


@dataclass(frozen=True)
class PriorFinding:
    """A finding reviewbot posted inline earlier, as far as its comment tells."""

    finding: Finding
    comment_id: int
    head: str
    review_id: int | None = None


@dataclass(frozen=True)
class Prior:
    findings: tuple[PriorFinding, ...]
    reviews: tuple[tuple[Marker, PostedReview], ...]
    threads: tuple[ThreadInfo, ...]
    trusted: Callable[[str], bool]  # the login that posted reviewbot's comments

    @property
    def fingerprints(self) -> frozenset[str]:
        carried = {fp for marker, _ in self.reviews for fp in marker.carried}
        return frozenset({p.finding.fingerprint for p in self.findings} | carried)

    def final_review(self, head: str) -> tuple[Marker, PostedReview] | None:
        """The last complete review of ``head`` (its final part), if any."""
        done = [(m, r) for m, r in self.reviews if m.final and m.head == head]
        return done[-1] if done else None

    @property
    def last_head(self) -> str:
        """The head of the latest complete review ("" when none)."""
        done = [m for m, _ in self.reviews if m.final]
        return done[-1].head if done else ""

    def without(self, review_ids: Collection[int]) -> Prior:
        """What others posted: this Prior less the reviews ``review_ids`` and their comments."""
        return Prior(
            tuple(p for p in self.findings if p.review_id not in review_ids),
            tuple((m, r) for m, r in self.reviews if r.id not in review_ids),
            self.threads,
            self.trusted,
        )

    def repeats(self, finding: Finding) -> bool:
        if finding.fingerprint and finding.fingerprint in self.fingerprints:
            return True
        return any(similar(finding, p.finding) for p in self.findings)

    def open_thread_severities(self) -> list[str]:
        """Severities of earlier findings whose threads are neither resolved nor outdated."""
        by_comment = {p.comment_id: p for p in self.findings}
        out: list[str] = []
        for thread in self.threads:
            found = by_comment.get(thread.first_comment_id or -1)
            if found is not None and not thread.resolved and not thread.outdated:
                out.append(found.finding.severity)
        return out


def _as_finding(comment: PostedComment, marker: Marker) -> Finding:
    known = marker.severity in ("critical", "major", "minor", "nit")
    severity: Severity = marker.severity if known else "minor"  # type: ignore[assignment]
    line = comment.line or comment.original_line or 1
    start = comment.start_line if comment.start_line and comment.start_line < line else None
    return Finding(
        path=comment.path,
        line=start or line,
        end_line=line if start else None,
        side=comment.side,
        severity=severity,
        title=title_of(comment.body),
        body="",
        fingerprint=marker.fingerprint,
    )


def trusted_author(viewer: Callable[[], str | None]) -> Callable[[str], bool]:
    """Who may have written reviewbot's comments: the token's own login, and nobody when it
    is not known (a dry run with an installation token). ``viewer`` is asked only once a
    marker is there to judge: learning the login may cost a pending review."""

    def trusted(login: str) -> bool:
        mine = viewer()
        return mine is not None and login.lower() == mine.lower()

    return trusted


def read_prior(
    api: GitHubApi, repo: str, number: int, *, viewer: Callable[[], str | None]
) -> Prior:
    """What reviewbot posted on the pull request before this run."""
    return read_again(api, repo, number, trusted_author(viewer))


def read_again(api: GitHubApi, repo: str, number: int, trusted: Callable[[str], bool]) -> Prior:
    """``read_prior`` with the trust rule of an earlier read. Comments of pending reviews
    (a run's lock, see ``lock``) do not count, should GitHub list them."""
    comments = api.review_comments(repo, number)
    listed = api.reviews(repo, number)  # after the comments: a review submitted between counts
    pending = {r.id for r in listed if r.state == "PENDING"}
    findings = []
    for comment in comments:
        marker = parse_marker(comment.body)
        if marker is None or marker.kind != "finding" or comment.in_reply_to:
            continue
        if comment.review_id in pending:
            continue
        if trusted(comment.author.login):
            found = _as_finding(comment, marker)
            findings.append(PriorFinding(found, comment.id, marker.head, comment.review_id))
    reviews = []
    for review in listed:
        marker = parse_marker(review.body)
        if marker is None or marker.kind != "review" or review.state == "PENDING":
            continue
        if trusted(review.author.login):
            reviews.append((marker, review))
    threads = api.threads(repo, number)
    return Prior(tuple(findings), tuple(reviews), tuple(threads), trusted)
