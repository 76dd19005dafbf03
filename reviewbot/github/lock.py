"""One poster at a time on a pull request: GitHub's one-pending-review rule as the lock.

GitHub lets a user hold one pending review per pull request and refuses any other review
by that user while it exists (422 "User can only have one pending review per pull
request"). reviewbot creates every review (and every bisection probe) as a pending review
first, so creating it takes the lock and submitting or deleting it releases the lock: two
runs on one pull request (a double-triggered workflow) never post at the same time. A run
refused by the rule waits until the other run's pending review is gone, then reads again
what is posted (``review`` drops what the other run posted).

Each pending review of reviewbot's starts with a hold marker: the workflow run that made
it (``GITHUB_RUN_ID``, ``GITHUB_RUN_ATTEMPT``), when (epoch seconds) and a random id. A
hold left behind by a crash is taken over (deleted) once it is older than ``stale``
seconds, or at once when an earlier attempt of this same workflow run made it. A pending
review without the marker belongs to a person using the same account: reviewbot never
deletes it and stops with a one-line error instead. Waiting is bounded (twice ``stale``).
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from reviewbot.errors import GitHubError
from reviewbot.github.api import GitHubApi
from reviewbot.github.connection import GitHubNotFound
from reviewbot.github.types import GitHubRefusal, NewComment, PostedReview

CONTENTION = "one pending review"  # in GitHub's refusal while another pending review exists
LEGACY_PROBE = "<!-- reviewbot:probe -->"  # the probe body of reviewbot 0.x: always stale
_HOLD = re.compile(
    r"\A<!-- reviewbot:hold run=([A-Za-z0-9_.\-]+) attempt=(\d+) at=(\d+) id=([0-9a-f]+) -->"
)


def contended(refusal: GitHubRefusal) -> bool:
    """Whether a 422 says another pending review of this user is in the way."""
    return any(CONTENTION in text.lower() for text in (*refusal.reasons, refusal.message))


@dataclass(frozen=True)
class Holder:
    """Who posts: the workflow run and its attempt (a random run id outside Actions)."""

    run: str
    attempt: int = 1

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Holder:
        run = re.sub(r"[^A-Za-z0-9_.\-]", "", environ.get("GITHUB_RUN_ID", ""))[:40]
        text = environ.get("GITHUB_RUN_ATTEMPT", "").strip()
        attempt = int(text) if text.isdigit() and len(text) < 7 else 1
        return cls(run or f"local-{secrets.token_hex(6)}", attempt)


@dataclass(frozen=True)
class Hold:
    """The marker on the first line of a pending review of reviewbot's."""

    run: str
    attempt: int
    at: int  # epoch seconds
    nonce: str

    def render(self) -> str:
        return (
            f"<!-- reviewbot:hold run={self.run} attempt={self.attempt} at={self.at} "
            f"id={self.nonce} -->"
        )

    @classmethod
    def parse(cls, body: str) -> Hold | None:
        found = _HOLD.match(body)
        if found is None:
            return None
        run, attempt, at, nonce = found.groups()
        return cls(run, int(attempt), int(at), nonce)


class PullLock:
    """The pending-review lock on one pull request, for one run."""

    def __init__(
        self,
        api: GitHubApi,
        repo: str,
        number: int,
        commit: str,
        holder: Holder,
        *,
        stale: float,
        log: Callable[[str], None] = lambda _line: None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api, self.repo, self.number, self.commit = api, repo, number, commit
        self.holder = holder
        self.stale = stale
        self.poll = min(1.0, max(0.05, stale / 20))
        self.log, self.clock, self.sleep = log, clock, sleep
        self.mine: set[str] = set()  # nonces of this run's holds
        self.waited = 0.0

    def pending(self, comments: Sequence[NewComment]) -> PostedReview | None:
        """A new pending review with ``comments``, holding the lock; None when another run
        held it: this waited until it was gone, and what is posted must be read again.
        Another 422 (a comment GitHub refuses) is raised as ``GitHubRefusal``."""
        hold = Hold(self.holder.run, self.holder.attempt, int(self.clock()), secrets.token_hex(6))
        body = hold.render()
        self.mine.add(hold.nonce)

        def landed() -> PostedReview | None:
            return next((r for r in self._pending() if r.body.startswith(body)), None)

        try:
            return self.api.create_review(
                self.repo, self.number, commit_id=self.commit, body=body,
                comments=comments, event=None, landed=landed,
            )  # fmt: skip
        except GitHubRefusal as refusal:
            if not contended(refusal):
                raise
        self.wait_turn()
        return None

    def submit(self, review_id: int, body: str) -> PostedReview | None:
        """Submit this run's pending review as a COMMENT (None: another run took it over)."""

        def landed() -> PostedReview | None:
            reviews = self.api.reviews(self.repo, self.number)
            return next((r for r in reviews if r.id == review_id and r.state != "PENDING"), None)

        try:
            return self.api.submit_review(
                self.repo, self.number, review_id, body=body, landed=landed
            )
        except GitHubNotFound:
            self.log("another run took this run's pending review over; reading again")
            return None

    def release(self, review_id: int) -> None:
        # A refusal: it was submitted meanwhile (by a run that had taken it over).
        with contextlib.suppress(GitHubRefusal):
            self.api.delete_pending_review(self.repo, self.number, review_id)

    def own_login(self) -> str:
        """The token's login as GitHub shows it on a pending review of its own: what an
        installation token (GITHUB_TOKEN, an App's) cannot ask ``GET /user``. GitHub lists a
        pending review only to its author, so one already listed is this user's; else this
        run makes one (a hold, like every review it posts) and deletes it at once."""
        while True:
            listed = self._pending()
            if listed:
                return listed[0].author.login
            held = self.pending([])  # None: another run held the lock; look again
            if held is not None:
                self.release(held.id)
                return held.author.login

    def wait_turn(self) -> None:
        """Wait until no live hold of another run is in the way; stale holds (and this
        run's own leftovers) are deleted on the way."""
        said, first = False, True
        while True:
            blocking = self._pending()
            live: list[Hold] = []
            for review in blocking:
                hold = Hold.parse(review.body)
                if hold is None and not review.body.startswith(LEGACY_PROBE):
                    raise GitHubError(
                        f"the token's user has a pending review on #{self.number} that "
                        "reviewbot did not make, and GitHub allows one pending review per user",
                        hint="submit or delete that pending review, then re-run the job",
                    )
                why = self._stale(hold)
                if why is None and hold is not None:
                    live.append(hold)
                    continue
                self.log(f"taking over a pending review {why}")
                self.release(review.id)
            if not live and (blocking or not first):
                return  # (none listed at first: GitHub may list it late, so one pause)
            first = False
            who = f"workflow run {live[0].run}" if live else "a pending review not listed yet"
            if live and not said:
                said = True
                self.log(
                    f"another reviewbot run ({who}) is posting on #{self.number}; "
                    f"waiting for it (up to {self.stale:.0f} s)"
                )
            self._pause(who)

    def _pause(self, who: str) -> None:
        if self.waited >= 2 * self.stale:
            raise GitHubError(
                f"gave up waiting for other reviewbot runs posting on #{self.number} after "
                f"{self.waited:.0f} s ({who})",
                hint="re-run the job; its findings are saved and posted without the model",
            )
        self.sleep(self.poll)
        self.waited += self.poll

    def _stale(self, hold: Hold | None) -> str | None:
        """Why a hold may be taken over (None: it belongs to a live run)."""
        if hold is None:
            return "left by an older reviewbot"
        if hold.nonce in self.mine:
            return "this run made (its answer was lost)"
        if hold.run == self.holder.run and hold.attempt < self.holder.attempt:
            return f"left by attempt {hold.attempt} of this workflow run"
        age = self.clock() - hold.at
        if age > self.stale:
            return f"left {age:.0f} s ago by workflow run {hold.run}"
        return None

    def _pending(self) -> list[PostedReview]:
        return [r for r in self.api.reviews(self.repo, self.number) if r.state == "PENDING"]
