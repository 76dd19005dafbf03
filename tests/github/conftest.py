"""Driving `reviewbot github` as a process: a real repository with a pull-request branch, the
fake GitHub seeded from real webhook payloads and the real diff, the loopback K2 server."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.github_events import load_event, retarget, seed_pull
from tests.fakes.github_files import files_from_git_diff
from tests.fakes.github_server import GitHubServer
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import model_env, reviewbot, start
from tests.helpers.mermaid import assert_diagrams_parse
from tests.helpers.samples import CACHE_AFTER, CACHE_BEFORE

REPOSITORY = "Codertocat/Hello-World"  # the repository of the real webhook payloads
OWNER, NAME = REPOSITORY.split("/")
NUMBER = 2
API_KEY = "sk-github-e2e-canary-4b7d2e9a1f"
TOKEN = "ghs_e2eCanaryToken0123456789abcdefABCDEF"
WEBHOOKS = Path(__file__).resolve().parent / "webhooks"


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


def contention(message: str) -> bool:
    """A refusal of the one-pending-review rule: the lock is held by another run."""
    return "can only have one pending review" in message.lower()


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's `name<<DELIMITER` blocks (the only form reviewbot writes)."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if "<<" not in lines[i]:
            assert lines[i] == "", f"unexpected GITHUB_OUTPUT line {lines[i]!r}"
            i += 1
            continue
        name, mark = lines[i].split("<<", 1)
        end = lines.index(mark, i + 1)
        values[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return values


def comment(
    path: str,
    line: int,
    title: str,
    *,
    end_line: int | None = None,
    severity: str = "major",
    body: str = "Explained here.",
    suggestion: str | None = None,
    side: str | None = None,
) -> FakeCall:
    args: dict[str, Any] = {"path": path, "line": line, "severity": severity, "title": title,
                            "body": body, "evidence": f"{path}:{line}"}  # fmt: skip
    if end_line is not None:
        args["end_line"] = end_line
    if suggestion is not None:
        args["suggestion"] = suggestion
    if side is not None:
        args["side"] = side
    return FakeCall("add_comment", args)


def review_script(*calls: FakeCall | Sequence[FakeCall], summary: str = "Reviewed.") -> list[Any]:
    """Turns that report the given comments (a sequence: one turn) and finish."""
    turns: list[Any] = []
    for item in calls:
        group = [item] if isinstance(item, FakeCall) else list(item)
        turns.append(Turn(reasoning="Reporting.", tool_calls=group))
    turns.append(
        Turn(reasoning="Done.", tool_calls=[FakeCall("finish_review", {"summary": summary})])
    )
    return turns


@dataclass
class Bench:
    """One pull request on the fake GitHub, backed by a real repository."""

    server: GitHubServer
    k2: K2Server
    repo: GitRepo
    base: str
    head: str
    tmp: Path
    runs: int = 0

    @property
    def diff(self) -> str:
        return self.repo.git("diff", "-M", self.base, self.head)

    def event(self, name: str = "pull_request.opened.1") -> dict[str, Any]:
        return retarget(load_event(name), head_sha=self.head, base_sha=self.base)

    def seed(self, event: dict[str, Any] | None = None) -> dict[str, Any]:
        event = event or self.event()
        seed_pull(self.server, event, files=files_from_git_diff(self.diff))
        return event

    def env(self, *, ghes: bool = False) -> dict[str, str]:
        return model_env(
            self.k2,
            api_key=API_KEY,
            **self.server.env(ghes=ghes),
            GITHUB_REPOSITORY=REPOSITORY,
            GITHUB_TOKEN=TOKEN,
            REVIEWBOT_VERIFY="false",
            REVIEWBOT_GITHUB_REQUEST_INTERVAL="0",
            REVIEWBOT_GITHUB_WRITE_INTERVAL="0",
            REVIEWBOT_GITHUB_RATE_WAIT="0.2",
            REVIEWBOT_GITHUB_BACKOFF="0.01",
            # A pending review left by a killed run is taken over after 3 s (300 s by default).
            REVIEWBOT_GITHUB_LOCK_STALE="3",
        )

    def start(
        self, event: dict[str, Any], name: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[str]:
        """`reviewbot github` on a `pull_request` event as a background process."""
        folder = self.tmp / name
        folder.mkdir()
        (folder / "event.json").write_text(json.dumps(event), encoding="utf-8")
        environment = {
            **self.env(),
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(folder / "event.json"),
            "GITHUB_STEP_SUMMARY": str(folder / "summary.md"),
            "GITHUB_OUTPUT": str(folder / "output.txt"),
            **(env or {}),
        }
        return start(self.repo.path, "github", env=environment)

    def run(
        self,
        event: dict[str, Any],
        *args: str,
        event_name: str = "pull_request",
        env: dict[str, str] | None = None,
        ghes: bool = False,
        cwd: Path | None = None,
        args_before: Sequence[str] = (),
    ) -> Outcome:
        self.runs += 1
        folder = self.tmp / f"run{self.runs}"
        folder.mkdir()
        (folder / "event.json").write_text(json.dumps(event), encoding="utf-8")
        environment = {
            **self.env(ghes=ghes),
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(folder / "event.json"),
            "GITHUB_STEP_SUMMARY": str(folder / "summary.md"),
            "GITHUB_OUTPUT": str(folder / "output.txt"),
            **(env or {}),
        }
        done = reviewbot(cwd or self.repo.path, *args_before, "github", *args, env=environment)

        def read(name: str) -> str:
            path = folder / name
            return path.read_text(encoding="utf-8") if path.exists() else ""

        return Outcome(
            done.code, done.stdout, done.stderr, parse_outputs(read("output.txt")),
            read("summary.md"),
        )  # fmt: skip

    # Inspection ----------------------------------------------------------------------
    def reviews(self) -> list[dict[str, Any]]:
        return self.server.reviews(OWNER, NAME, NUMBER)

    def comments(self) -> list[dict[str, Any]]:
        return self.server.review_comments(OWNER, NAME, NUMBER)

    def threads(self) -> list[dict[str, Any]]:
        return self.server.threads(OWNER, NAME, NUMBER)

    def check(self) -> None:
        """No request GitHub would refuse; every diagram posted parses in Mermaid; every
        comment of this head on a commentable line;
        never anything but COMMENT (or a pending review), and no pending review left over.
        The one refusal allowed is the lock's: "one pending review per user" while another
        run holds it (that is how a run learns it must wait, see reviewbot.github.lock)."""
        assert [v for v in self.server.violations if not contention(v.message)] == []
        for posted in [*self.reviews(), *self.comments()]:
            if "```mermaid" in (posted["body"] or ""):
                assert_diagrams_parse(posted["body"])  # Mermaid's own parser (tests/mermaid)
        for request in self.server.requests:
            if request.method == "POST" and request.path.endswith("/reviews"):
                assert (request.body or {}).get("event") in ("COMMENT", None), request.body
        assert all(r["state"] != "PENDING" for r in self.reviews())
        for c in self.comments():
            if c["commit_id"] != self.head or c["line"] is None:
                continue
            allowed = self.server.commentable_lines(OWNER, NAME, NUMBER, c["path"], c["side"])
            assert c["line"] in allowed, c
            if c["start_line"] is not None:
                start = self.server.commentable_lines(
                    OWNER, NAME, NUMBER, c["path"], c["start_side"]
                )
                assert c["start_line"] in start, c


@pytest.fixture
def bench(
    github_server: GitHubServer,
    k2_server: K2Server,
    make_repo: Callable[..., GitRepo],
    tmp_path: Path,
) -> Iterator[Bench]:
    """`master` with a small package; `changes` (checked out) edits app/cache.py."""
    repo = make_repo("project", branch="master")
    repo.write("app/__init__.py", "")
    repo.write("app/cache.py", CACHE_BEFORE)
    repo.write("app/util.py", "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n")
    base = repo.commit("initial")
    repo.branch("changes")
    repo.write("app/cache.py", CACHE_AFTER)
    head = repo.commit("cache: expire entries")
    made = Bench(github_server, k2_server, repo, base, head, tmp_path / "runs")
    made.tmp.mkdir()
    yield made
    made.check()


def load_webhook(name: str) -> dict[str, Any]:
    """A payload kept next to these tests (see webhooks/PROVENANCE.md)."""
    data: dict[str, Any] = json.loads((WEBHOOKS / f"{name}.json").read_text(encoding="utf-8"))
    return data
