"""The pending-review lock against the fake GitHub (which refuses a second pending review of
one user, as GitHub does): hold markers, waiting, the bound, probes under contention."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewbot.errors import GitHubError
from reviewbot.github.api import GitHubApi
from reviewbot.github.body import Style
from reviewbot.github.connection import ApiConfig
from reviewbot.github.lock import Hold, Holder, PullLock, contended
from reviewbot.github.review import Publisher, Target, _comment
from reviewbot.github.types import GitHubRefusal, PostedReview
from reviewbot.review.findings import Finding
from tests.fakes.github_files import PullFile
from tests.fakes.github_server import GitHubServer
from tests.github.conftest import contention

OWNER, NAME, NUMBER = "octo", "hello", 3
REPO = f"{OWNER}/{NAME}"
HEAD = "c" * 40
PATCH = "@@ -1,3 +1,6 @@\n a\n+b\n+c\n+d\n e\n f"
UNRESOLVED = {"message": "Unprocessable Entity", "errors": ["Line could not be resolved"]}


class Clock:
    """Time that passes only when slept (and runs ``on_sleep`` each time)."""

    def __init__(self, on_sleep: Callable[[int], None] = lambda _n: None) -> None:
        self.now = 1_700_000_000.0
        self.sleeps = 0
        self.on_sleep = on_sleep

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds
        self.on_sleep(self.sleeps)


@pytest.fixture
def api(github_server: GitHubServer) -> Iterator[GitHubApi]:
    github_server.add_repo(OWNER, NAME)
    github_server.add_pull(OWNER, NAME, number=NUMBER, head_sha=HEAD,
                           files=[PullFile("x.py", "modified", PATCH)])  # fmt: skip
    config = ApiConfig(base_url=github_server.url, token="ghs_test", seconds_between_requests=0,
                       seconds_between_writes=0)  # fmt: skip
    with GitHubApi(config, sleep=lambda _s: None) as made:
        yield made
    assert [v for v in github_server.violations if not contention(v.message)] == []


def lock(api: GitHubApi, run: str, clock: Clock, *, stale: float = 60) -> PullLock:
    return PullLock(api, REPO, NUMBER, HEAD, Holder(run), stale=stale, clock=clock,
                    sleep=clock.sleep)  # fmt: skip


@given(
    run=st.text("0123456789abcXYZ_.-", min_size=1, max_size=40),
    attempt=st.integers(1, 999_999),
    at=st.integers(0, 2**40),
    nonce=st.text("0123456789abcdef", min_size=1, max_size=16),
)
def test_a_hold_marker_reads_back(run: str, attempt: int, at: int, nonce: str) -> None:
    hold = Hold(run, attempt, at, nonce)
    assert Hold.parse(hold.render() + "\nanything after") == hold
    assert Hold.parse("x" + hold.render()) is None  # only on the first line


def test_who_holds_comes_from_the_actions_variables() -> None:
    assert Holder.from_environ({"GITHUB_RUN_ID": "123", "GITHUB_RUN_ATTEMPT": "2"}) == Holder(
        "123", 2
    )
    odd = Holder.from_environ({"GITHUB_RUN_ID": "1 2<3>", "GITHUB_RUN_ATTEMPT": "x"})
    assert odd == Holder("123", 1)
    one, two = Holder.from_environ({}), Holder.from_environ({})
    assert one.run.startswith("local-") and one.run != two.run


def test_only_the_one_pending_review_refusal_means_contention() -> None:
    held = "User can only have one pending review per pull request"
    assert contended(GitHubRefusal("GitHub API: posting failed with 422", [held]))
    assert not contended(GitHubRefusal("x", ["Line could not be resolved"]))


def test_a_second_run_waits_for_the_first_then_takes_the_lock(
    api: GitHubApi, github_server: GitHubServer
) -> None:
    first = lock(api, "1", Clock())
    held = first.pending([])
    assert held is not None and Hold.parse(held.body) is not None

    def first_posts(n: int) -> None:
        if n == 3:  # the first run submits after the second has waited 3 polls
            assert first.submit(held.id, "done") is not None

    clock = Clock(first_posts)
    logged: list[str] = []
    second = lock(api, "2", clock)
    second.log = logged.append
    assert second.pending([]) is None  # waited: read again, then try again
    assert clock.sleeps == 3 and logged == [
        "another reviewbot run (workflow run 1) is posting on #3; waiting for it (up to 60 s)"
    ]
    again = second.pending([])
    assert again is not None
    assert second.submit(again.id, "mine") is not None
    states = [r["state"] for r in github_server.reviews(OWNER, NAME, NUMBER)]
    assert states == ["COMMENTED", "COMMENTED"]


def test_waiting_is_bounded(api: GitHubApi) -> None:
    """Other runs keep taking the lock (each hold fresh): the wait ends at 2 × stale."""
    holds: list[PostedReview] = []

    def another_run_takes_its_turn(_n: int) -> None:
        others.release(holds[-1].id)
        made = others.pending([])
        assert made is not None
        holds.append(made)

    clock = Clock(another_run_takes_its_turn)
    others = lock(api, "1", clock)
    first = others.pending([])
    assert first is not None
    holds.append(first)
    with pytest.raises(GitHubError) as failed:
        lock(api, "2", clock, stale=5).pending([])
    line = failed.value.one_line()
    assert "gave up waiting for other reviewbot runs posting on #3 after 10 s" in line
    assert "(workflow run 1)" in line and "re-run the job" in line
    others.release(holds[-1].id)


def test_a_lost_hold_is_reported_not_raised(api: GitHubApi) -> None:
    clock = Clock()
    mine = lock(api, "1", clock)
    held = mine.pending([])
    assert held is not None
    clock.now += 3600
    taker = lock(api, "2", clock)
    assert taker.pending([]) is None  # it took the stale hold over
    assert mine.submit(held.id, "late") is None  # 404: read again and start over
    assert taker.pending([]) is not None


def finding(line: int) -> Finding:
    return Finding(
        "x.py", line, None, "RIGHT", "minor", f"Problem {line}", "b", fingerprint=f"f{line}"
    )


def test_a_probe_that_meets_another_runs_lock_waits_and_probes_again(
    api: GitHubApi, github_server: GitHubServer
) -> None:
    other = lock(api, "other", Clock())
    theirs = other.pending([])
    assert theirs is not None

    def other_finishes(n: int) -> None:
        if n == 1:
            assert other.submit(theirs.id, "theirs") is not None
            github_server.inject("POST", r"/reviews$", 422, body=UNRESOLVED)  # probe of line 2

    clock = Clock(other_finishes)
    publisher = Publisher(api, Target(REPO, NUMBER, HEAD), Style(), holder=Holder("me"))
    publisher.lock = lock(api, "me", clock)
    batch = [finding(2), finding(3)]
    comments = {id(f): _comment(f, HEAD, Style()) for f in batch}
    assert publisher.find_refused(batch, comments) == [finding(2)]
    assert clock.sleeps == 1
    pending = [r for r in github_server.reviews(OWNER, NAME, NUMBER) if r["state"] == "PENDING"]
    assert pending == []  # every probe was deleted again
