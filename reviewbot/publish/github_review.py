"""Publishing a review on a pull request: what was posted before, what is new, batches,
refused comments, and threads whose findings are gone.

``read_prior`` reads back what reviewbot posted earlier (by the markers of
``github_body``, from comments by a bot account or by the token's own user).
``publish`` then posts only findings that are not there yet (same fingerprint, or
``similar()``), inline where GitHub accepts them and in the review body otherwise, in
reviews of at most ``BATCH`` comments with the summary in the last one. A ``422`` is
bisected with pending reviews (created, then deleted) down to the comments GitHub refuses;
those move to the body and the review is still posted. Each review carries a batch id, so
a ``5xx`` after GitHub already took it does not post it twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from reviewbot.publish.github import (
    GitHubApi,
    GitHubRefusal,
    NewComment,
    PostedComment,
    PostedReview,
    ThreadInfo,
)
from reviewbot.publish.github_body import (
    Marker,
    Style,
    SummaryInput,
    comment_body,
    parse_marker,
    part_body,
    summary_body,
    title_of,
)
from reviewbot.review.anchor import LineMap, anchor
from reviewbot.review.findings import Finding, Severity, severity_rank, similar
from reviewbot.review.result import ReviewResult

BATCH = 30  # comments per review: GitHub's practical limit
MAX_PROBES = 64  # pending reviews spent finding refused comments in one batch
PROBE_MARKER = "<!-- reviewbot:probe -->"


@dataclass(frozen=True)
class Target:
    repo: str
    number: int
    head_sha: str


@dataclass(frozen=True)
class PriorFinding:
    """A finding reviewbot posted inline earlier, as far as its comment tells."""

    finding: Finding
    comment_id: int
    head: str


@dataclass(frozen=True)
class Prior:
    findings: tuple[PriorFinding, ...]
    reviews: tuple[tuple[Marker, PostedReview], ...]
    threads: tuple[ThreadInfo, ...]
    trusted: Callable[[str, str], bool]

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


def read_prior(api: GitHubApi, repo: str, number: int, *, viewer: str | None) -> Prior:
    """What reviewbot posted on the pull request before this run."""

    def trusted(login: str, kind: str) -> bool:
        return kind == "Bot" or login.endswith("[bot]") or (viewer is not None and login == viewer)

    findings = []
    for comment in api.review_comments(repo, number):
        marker = parse_marker(comment.body)
        if marker is None or marker.kind != "finding" or comment.in_reply_to:
            continue
        if trusted(comment.author.login, comment.author.type):
            findings.append(PriorFinding(_as_finding(comment, marker), comment.id, marker.head))
    reviews = []
    for review in api.reviews(repo, number):
        marker = parse_marker(review.body)
        ours = trusted(review.author.login, review.author.type)
        if marker is not None and marker.kind == "review" and review.state != "PENDING" and ours:
            reviews.append((marker, review))
    threads = api.threads(repo, number)
    return Prior(tuple(findings), tuple(reviews), tuple(threads), trusted)


@dataclass(frozen=True)
class Published:
    review_url: str
    inline: tuple[Finding, ...]
    in_body: tuple[Finding, ...]
    repeated: int
    resolved: int
    highest: str  # highest severity of the open findings ("" for none)


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
    new: list[Finding]
    inline: list[Finding]
    in_body: list[Finding]
    since: str
    resolved: int
    posted: list[Finding] = field(default_factory=list)
    url: str = ""


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
    ) -> None:
        """``preview``: a dry run; what would be posted goes there and nothing is written."""
        self.api = api
        self.target = target
        self.style = style
        self.log = log
        self.preview = preview

    def publish(
        self,
        result: ReviewResult,
        prior: Prior,
        lines: LineMap,
        *,
        since: str = "",
        resolve_outdated: bool = True,
    ) -> Published:
        head = self.target.head_sha
        anchored = [anchor(f, lines) for f in result.findings]
        new = [f for f in anchored if not prior.repeats(f)]
        resolved = self.resolve_gone(prior, anchored) if resolve_outdated else 0
        inline = [f for f in new if f.anchored]
        run = _Run(result, anchored, new, inline, [f for f in new if not f.anchored], since,
                   resolved)  # fmt: skip
        batches = [inline[i : i + BATCH] for i in range(0, len(inline), BATCH)] or [[]]
        fingerprints = [f.fingerprint for f in new]
        for index, batch in enumerate(batches, start=1):
            marker = Marker("review", head, batch=batch_id(head, fingerprints, index),
                            part=index, parts=len(batches))  # fmt: skip
            accepted, refused = self.post(run, marker, batch)
            if refused and not marker.final:
                run.in_body.extend(refused)
            run.posted.extend(accepted)
        open_severities = [f.severity for f in anchored] + prior.open_thread_severities()
        return Published(
            review_url=run.url,
            inline=tuple(run.posted),
            in_body=tuple(run.in_body),
            repeated=len(anchored) - len(new),
            resolved=resolved,
            highest=_highest_of(open_severities),
        )

    def body(self, run: _Run, marker: Marker, batch: list[Finding], accepted: list[Finding]) -> str:
        if not marker.final:
            first = len(run.posted) + 1
            return part_body(marker, first, first + len(accepted) - 1, len(run.inline))
        carried = [*run.in_body, *(f for f in batch if f not in accepted)]
        marked = replace(
            marker,
            carried=tuple(f.fingerprint for f in carried),
            total=len(run.anchored),
            highest=_highest(run.anchored),
        )
        data = SummaryInput(
            summary=run.result.summary,
            inline=[*run.posted, *accepted],
            in_body=carried,
            stats=run.result.stats,
            notes=run.result.notes,
            since=run.since,
            repeated=len(run.anchored) - len(run.new),
            resolved=run.resolved,
        )
        return summary_body(marked, data, self.style)

    def post(
        self, run: _Run, marker: Marker, batch: list[Finding]
    ) -> tuple[list[Finding], list[Finding]]:
        """Post one review; on a 422, find the refused comments and post without them."""
        head = self.target.head_sha
        comments = {id(f): _comment(f, head, self.style) for f in batch}
        try:
            self._create(run, marker, [comments[id(f)] for f in batch],
                         self.body(run, marker, batch, batch))  # fmt: skip
            return batch, []
        except GitHubRefusal as refusal:
            if not batch:
                raise
            self.log(f"GitHub refused the review ({refusal.one_line()}); finding the bad comments")
        refused = self.find_refused(batch, comments)
        accepted = [f for f in batch if f not in refused]
        self.log(f"GitHub refuses {len(refused)} comment(s) inline; they go into the review body")
        self._create(run, marker, [comments[id(f)] for f in accepted],
                     self.body(run, marker, batch, accepted))  # fmt: skip
        return accepted, refused

    def _create(self, run: _Run, marker: Marker, comments: list[NewComment], body: str) -> None:
        target = self.target
        if self.preview is not None:
            shown = [f"--- review (part {marker.part} of {marker.parts})", body]
            for c in comments:
                span = f"{c.start_line}-{c.line}" if c.start_line else str(c.line)
                shown += [f"--- comment on {c.path}:{span} ({c.side})", c.body]
            self.preview("\n".join(shown))
            return

        def landed() -> PostedReview | None:
            for review in self.api.reviews(target.repo, target.number):
                found = parse_marker(review.body)
                if found is not None and found.batch == marker.batch and review.state != "PENDING":
                    return review
            return None

        review = self.api.create_review(
            target.repo, target.number, commit_id=target.head_sha, body=body,
            comments=comments, landed=landed,
        )  # fmt: skip
        run.url = review.html_url

    def find_refused(self, batch: list[Finding], comments: dict[int, NewComment]) -> list[Finding]:
        """The comments GitHub refuses, found by bisection with pending reviews."""
        self._clear_pending()
        budget = [MAX_PROBES]

        def accepted(group: list[Finding]) -> bool:
            if budget[0] <= 0:
                return False  # out of probes: the rest is treated as refused
            budget[0] -= 1
            try:
                review = self.api.create_review(
                    self.target.repo, self.target.number, commit_id=self.target.head_sha,
                    body=PROBE_MARKER, comments=[comments[id(f)] for f in group], event=None,
                )  # fmt: skip
            except GitHubRefusal:
                return False
            self.api.delete_pending_review(self.target.repo, self.target.number, review.id)
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

    def _clear_pending(self) -> None:
        """A pending review left by a crashed probe would block the next one."""
        for review in self.api.reviews(self.target.repo, self.target.number):
            if review.state == "PENDING" and review.body.startswith(PROBE_MARKER):
                self.api.delete_pending_review(self.target.repo, self.target.number, review.id)

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


def _highest(findings: Sequence[Finding]) -> str:
    return _highest_of([f.severity for f in findings])


def _highest_of(severities: Sequence[str]) -> str:
    return max(severities, key=severity_rank, default="")
