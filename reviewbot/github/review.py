"""Publishing a review on a pull request: what was posted before, what is new, batches,
refused comments, and threads whose findings are gone.

``read_prior`` (``prior``) reads back what reviewbot posted
earlier. ``publish`` then posts only findings that are not there yet (same fingerprint, or
``similar()``), inline where GitHub accepts them and in the review body otherwise, in
reviews of at most ``BATCH`` comments with the summary in the last one.

Each review is created pending, which takes the pull request's lock (``lock``);
what is posted is read again while holding it, the review is adjusted if another run
posted in the meantime, and then it is submitted. A run that finds a complete review of
its head that appeared while it ran (a double-triggered workflow) posts nothing more. A
``422`` is bisected with pending probe reviews (created, then deleted) down to the
comments GitHub refuses; those move to the body and the review is still posted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from reviewbot.errors import GitHubError
from reviewbot.github.api import GitHubApi
from reviewbot.github.body import (
    Marker,
    Style,
    SummaryExtras,
    SummaryInput,
    comment_body,
    part_body,
    summary_body,
)
from reviewbot.github.lock import Holder, PullLock
from reviewbot.github.prior import Prior, read_again
from reviewbot.github.types import GitHubRefusal, NewComment, PostedReview
from reviewbot.review.anchor import LineMap, anchor
from reviewbot.review.findings import Finding, at_least, highest, similar
from reviewbot.review.result import ReviewResult

__all__ = ["BATCH", "Published", "Publisher", "Target"]

BATCH = 30  # comments per review: GitHub's practical limit
MAX_PROBES = 64  # pending reviews spent finding refused comments in one batch


@dataclass(frozen=True)
class Target:
    repo: str
    number: int
    head_sha: str


@dataclass(frozen=True)
class Published:
    review_url: str  # this run's last review, or the concurrent run's that made it stop
    inline: tuple[Finding, ...]
    in_body: tuple[Finding, ...]
    repeated: int
    resolved: int
    highest: str  # highest severity of the open findings ("" for none)
    concurrent: bool = False  # stopped: another run posted a complete review of this head


def batch_id(head: str, fingerprints: Sequence[str], part: int) -> str:
    digest = hashlib.sha256(f"{head}\0{','.join(fingerprints)}\0{part}".encode())
    return digest.hexdigest()[:16]


def _comment(finding: Finding, head: str, style: Style) -> NewComment:
    body = comment_body(finding, head, style)
    if finding.end_line is not None and finding.end_line != finding.line:
        last = finding.end_line
        return NewComment(finding.path, last, finding.side, body, finding.line, finding.side)
    return NewComment(finding.path, finding.line, finding.side, body)


@dataclass
class _Run:
    """One publishing run's state, shared by its parts."""

    result: ReviewResult
    anchored: list[Finding]
    since: str
    planned: int  # inline findings planned when the run began
    known: frozenset[int]  # complete reviews of this head when the run began
    extras: SummaryExtras
    inline_min_severity: str = "nit"  # findings below it go to the body, not on lines
    posted: list[Finding] = field(default_factory=list)  # inline, by this run
    refused: list[Finding] = field(default_factory=list)  # GitHub refuses them inline
    in_body: list[Finding] = field(default_factory=list)  # in the final part's body
    mine: set[int] = field(default_factory=set)  # ids of this run's reviews
    resolved: int | None = None  # None: not done yet
    url: str = ""

    def todo(self, chunk: Sequence[Finding], others: Prior) -> list[Finding]:
        """What of ``chunk`` is still to post inline."""
        return [f for f in chunk if f not in self.refused and not others.repeats(f)]

    def body_findings(self, others: Prior) -> list[Finding]:
        """New findings that go into the final part's body."""
        return [
            f
            for f in self.anchored
            if (not f.anchored or f in self.refused or not self.on_line(f))
            and not others.repeats(f)
        ]

    def on_line(self, finding: Finding) -> bool:
        """Whether a finding's severity earns it a comment on its line."""
        return at_least(finding.severity, self.inline_min_severity)


@dataclass(frozen=True)
class _Held:
    review: PostedReview | None  # None in a dry run
    batch: list[Finding]


class Publisher:
    """Posts one run's findings on one pull request."""

    def __init__(
        self,
        api: GitHubApi,
        target: Target,
        style: Style,
        *,
        log: Callable[[str], None] = lambda _line: None,
        preview: Callable[[str], None] | None = None,
        holder: Holder | None = None,
        stale: float | None = None,
    ) -> None:
        """``preview``: a dry run; what would be posted goes there and nothing is written.
        ``holder``: this workflow run (for the lock); ``stale``: seconds after which
        another run's pending review is taken over (``ApiConfig.lock_stale``)."""
        self.api = api
        self.target = target
        self.style = style
        self.log = log
        self.preview = preview
        self.lock = PullLock(
            api, target.repo, target.number, target.head_sha, holder or Holder.from_environ({}),
            stale=api.config.lock_stale if stale is None else stale, log=log,
        )  # fmt: skip

    def publish(
        self,
        result: ReviewResult,
        prior: Prior,
        lines: LineMap,
        *,
        since: str = "",
        resolve_outdated: bool = True,
        once_per_head: bool = True,
        extras: SummaryExtras | None = None,
        inline_min_severity: str = "nit",
    ) -> Published:
        """Post what ``prior`` (read before the review) does not hold yet. With
        ``once_per_head``, a complete review of this head that another run posts
        meanwhile ends the run without posting more. Findings below
        ``inline_min_severity`` are listed in the review body, not posted on lines."""
        head = self.target.head_sha
        anchored = [anchor(f, lines) for f in result.findings]
        known = frozenset(r.id for m, r in prior.reviews if m.final and m.head == head)
        run = _Run(
            result, anchored, since, 0, known, extras or SummaryExtras(), inline_min_severity
        )
        inline = [f for f in anchored if f.anchored and run.on_line(f) and not prior.repeats(f)]
        run.planned = len(inline)
        if not resolve_outdated:
            run.resolved = 0
        chunks = [inline[i : i + BATCH] for i in range(0, len(inline), BATCH)] or [[]]
        fingerprints = [f.fingerprint for f in inline]
        others = prior
        for index, chunk in enumerate(chunks, start=1):
            marker = Marker("review", head, batch=batch_id(head, fingerprints, index),
                            part=index, parts=len(chunks))  # fmt: skip
            others, stop = self.post_part(run, marker, chunk, others, once_per_head)
            if stop is not None:
                self.log(f"another run posted its review of {head[:12]} meanwhile: {stop.html_url}")
                return self.outcome(run, prior, stop)
        return self.outcome(run, prior, None)

    def outcome(self, run: _Run, prior: Prior, stop: PostedReview | None) -> Published:
        open_severities = [f.severity for f in run.anchored] + prior.open_thread_severities()
        new = len(run.posted) + len(run.in_body)
        return Published(
            review_url=stop.html_url if stop is not None else run.url,
            inline=tuple(run.posted),
            in_body=tuple(run.in_body),
            repeated=len(run.anchored) - new,
            resolved=run.resolved or 0,
            highest=highest(open_severities),
            concurrent=stop is not None,
        )

    def post_part(
        self, run: _Run, marker: Marker, chunk: list[Finding], others: Prior, once: bool
    ) -> tuple[Prior, PostedReview | None]:
        """Post one part: hold the lock with it, read again what is posted, try again if
        another run posted meanwhile, else submit. Answers what others posted, and the
        complete review by another run that stopped this one (if any)."""
        while True:
            batch = run.todo(chunk, others)
            if not batch and not marker.final:
                return others, None  # another run posted these findings
            held = self.hold(run, batch)
            try:
                others = self.read_again(run, others)
                stop = self.concurrent(run, others) if once else None
                if held is None or stop is not None or run.todo(chunk, others) != held.batch:
                    if held is not None:
                        self.release(held)
                    if stop is not None:
                        return others, stop
                    continue  # waited for another run, or it posted some of these meanwhile
                if not held.batch and not marker.final:
                    self.release(held)  # GitHub refuses every comment of this part
                    return others, None
                if run.resolved is None:
                    run.resolved = self.resolve_gone(others, run.anchored)
                if self.submit(run, marker, held, others):
                    return others, None
            except BaseException:
                if held is not None:
                    self.release(held, quietly=True)
                raise

    def read_again(self, run: _Run, others: Prior) -> Prior:
        """What others posted, read now (a dry run keeps what it read first)."""
        if self.preview is not None:
            return others
        fresh = read_again(self.api, self.target.repo, self.target.number, others.trusted)
        return fresh.without(run.mine)

    def concurrent(self, run: _Run, others: Prior) -> PostedReview | None:
        """A complete review of this head by another run that appeared since the start."""
        done = [
            r
            for m, r in others.reviews
            if m.final and m.head == self.target.head_sha and r.id not in run.known
        ]
        return done[-1] if done else None

    def hold(self, run: _Run, batch: list[Finding]) -> _Held | None:
        """A pending review with ``batch`` (less the comments GitHub refuses), holding
        the lock; None when another run held it (read again, then try again)."""
        if self.preview is not None:
            return _Held(None, batch)
        comments = {id(f): _comment(f, self.target.head_sha, self.style) for f in batch}
        try:
            made = self.lock.pending([comments[id(f)] for f in batch])
            return None if made is None else _Held(made, batch)
        except GitHubRefusal as refusal:
            if not batch:
                raise
            self.log(f"GitHub refused the review ({refusal.one_line()}); finding the bad comments")
        refused = self.find_refused(batch, comments)
        run.refused += refused
        self.log(f"GitHub refuses {len(refused)} comment(s) inline; they go into the review body")
        accepted = [f for f in batch if f not in refused]
        made = self.lock.pending([comments[id(f)] for f in accepted])
        return None if made is None else _Held(made, accepted)

    def release(self, held: _Held, *, quietly: bool = False) -> None:
        if held.review is None:
            return
        try:
            self.lock.release(held.review.id)
        except GitHubError as exc:
            if not quietly:
                raise
            self.log(f"could not delete pending review {held.review.id} ({exc.one_line()})")

    def submit(self, run: _Run, marker: Marker, held: _Held, others: Prior) -> bool:
        """Submit the held part with its body (False: another run took it over)."""
        body = self.body(run, marker, held.batch, others)
        if held.review is None:
            self.show(marker, body, held.batch)
        else:
            review = self.lock.submit(held.review.id, body)
            if review is None:
                return False
            run.mine.add(review.id)
            run.url = review.html_url
        run.posted += held.batch
        return True

    def show(self, marker: Marker, body: str, batch: list[Finding]) -> None:
        assert self.preview is not None
        shown = [f"--- review (part {marker.part} of {marker.parts})", body]
        for f in batch:
            c = _comment(f, self.target.head_sha, self.style)
            span = f"{c.start_line}-{c.line}" if c.start_line else str(c.line)
            shown += [f"--- comment on {c.path}:{span} ({c.side})", c.body]
        self.preview("\n".join(shown))

    def body(self, run: _Run, marker: Marker, batch: list[Finding], others: Prior) -> str:
        if not marker.final:
            first = len(run.posted) + 1
            return part_body(marker, first, first + len(batch) - 1, run.planned)
        run.in_body = run.body_findings(others)
        marked = replace(
            marker,
            carried=tuple(f.fingerprint for f in run.in_body),
            total=len(run.anchored),
            highest=highest(f.severity for f in run.anchored),
        )
        inline = [*run.posted, *batch]
        data = SummaryInput(
            summary=run.result.summary,
            inline=inline,
            in_body=run.in_body,
            stats=run.result.stats,
            notes=run.result.notes,
            since=run.since,
            repeated=len(run.anchored) - len(inline) - len(run.in_body),
            resolved=run.resolved or 0,
            extras=run.extras,
            inline_min_severity=run.inline_min_severity,
        )
        return summary_body(marked, data, self.style)

    def find_refused(self, batch: list[Finding], comments: dict[int, NewComment]) -> list[Finding]:
        """The comments GitHub refuses, found by bisection with pending probe reviews."""
        budget = [MAX_PROBES]

        def accepted(group: list[Finding]) -> bool:
            if budget[0] <= 0:
                return False  # out of probes: the rest is treated as refused
            budget[0] -= 1
            probe = None
            while probe is None:  # None: another run held the lock; it is gone now
                try:
                    probe = self.lock.pending([comments[id(f)] for f in group])
                except GitHubRefusal:
                    return False
            self.lock.release(probe.id)
            return True

        def search(group: list[Finding], known_bad: bool) -> list[Finding]:
            if len(group) == 1:
                return group if known_bad or not accepted(group) else []
            if not known_bad and accepted(group):
                return []
            left, right = group[: len(group) // 2], group[len(group) // 2 :]
            bad_left = search(left, known_bad=False)
            return bad_left + search(right, known_bad=not bad_left)

        return search(batch, known_bad=True)

    def resolve_gone(self, prior: Prior, current: Sequence[Finding]) -> int:
        """Resolve the threads of earlier findings that are outdated and not found again."""
        by_comment = {p.comment_id: p for p in prior.findings}
        fingerprints = {f.fingerprint for f in current}
        resolved = 0
        for thread in prior.threads:
            earlier = by_comment.get(thread.first_comment_id or -1)
            if earlier is None or thread.resolved or not thread.outdated:
                continue
            old = earlier.finding
            if old.fingerprint in fingerprints or any(similar(old, f) for f in current):
                continue
            if self.preview is None:
                self.api.resolve_thread(thread.id)
            resolved += 1
        if resolved:
            done = "would resolve" if self.preview is not None else "resolved"
            self.log(f"{done} {resolved} thread(s) of earlier findings that are gone")
        return resolved
