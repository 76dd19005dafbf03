"""The connection to GitHub: where it is and how politely to talk to it (``ApiConfig``), the
PyGitHub client, the one retry policy every call goes through (``Connection.call``), and
what GitHub's refusals mean (``translate``: a ``GithubException`` as a one-line
``GitHubError``). ``GitHubApi`` (``api``) builds the calls on it."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

import github
import requests
from github.GithubException import GithubException
from github.Repository import Repository

from reviewbot import __version__
from reviewbot.errors import ConfigError, GitHubError
from reviewbot.github.types import GitHubRefusal
from reviewbot.github.wait import TRANSIENT_STATUSES, rate_limit_wait
from reviewbot.retry import GiveUpReason, Retryable, RetryPolicy, WaitBudget, run_with_retries

T = TypeVar("T")


@dataclass(frozen=True)
class ApiConfig:
    """Where GitHub is and how politely to talk to it."""

    base_url: str
    token: str = field(repr=False)
    graphql_url: str = ""  # empty: derived from base_url as PyGitHub does
    seconds_between_requests: float = 0.25
    seconds_between_writes: float = 1.0
    max_wait: float = 300.0  # seconds spent waiting out rate limits, in total
    rate_wait: float = 60.0  # wait for a secondary limit that names no time
    backoff_base: float = 1.0  # first backoff after a transient failure
    attempts: int = 4  # tries of one call on transient failures
    timeout: int = 30
    lock_stale: float = 300.0  # another run's pending review older than this is taken over

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ApiConfig:
        """From the Actions variables (``GITHUB_API_URL``, ``GITHUB_GRAPHQL_URL``,
        ``GITHUB_TOKEN``) and the pacing knobs ``REVIEWBOT_GITHUB_REQUEST_INTERVAL``,
        ``..._WRITE_INTERVAL``, ``..._MAX_WAIT``, ``..._RATE_WAIT``, ``..._BACKOFF`` and
        ``..._LOCK_STALE`` (seconds)."""
        token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN") or ""
        if not token:
            raise ConfigError(
                "GITHUB_TOKEN is not set",
                hint="pass it to the step: `env: GITHUB_TOKEN: ${{ github.token }}`",
            )

        def seconds(name: str, default: float) -> float:
            text = environ.get(f"REVIEWBOT_GITHUB_{name}", "").strip()
            if not text:
                return default
            try:
                value = float(text)
            except ValueError:
                value = -1.0
            if value < 0:
                raise ConfigError(
                    f"environment variable REVIEWBOT_GITHUB_{name} must be a number >= 0, "
                    f"got {text!r}"
                )
            return value

        return cls(
            base_url=(environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
            token=token,
            graphql_url=environ.get("GITHUB_GRAPHQL_URL", ""),
            seconds_between_requests=seconds("REQUEST_INTERVAL", 0.25),
            seconds_between_writes=seconds("WRITE_INTERVAL", 1.0),
            max_wait=seconds("MAX_WAIT", 300.0),
            rate_wait=seconds("RATE_WAIT", 60.0),
            backoff_base=seconds("BACKOFF", 1.0),
            lock_stale=seconds("LOCK_STALE", 300.0),
        )


def message_of(data: Any) -> str:
    if isinstance(data, dict):
        text = str(data.get("message") or "")
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            parts = [e.get("message", str(e)) if isinstance(e, dict) else str(e) for e in errors]
            text = f"{text}: {'; '.join(parts)}" if text else "; ".join(parts)
        return text
    return str(data or "")


def _reasons(data: Any) -> list[str]:
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return []
    return [e.get("message", str(e)) if isinstance(e, dict) else str(e) for e in errors]


class GitHubNotFound(GitHubError):
    """GitHub answered 404: the thing is gone (or the token cannot see it)."""


def translate(what: str, exc: GithubException) -> GitHubError:
    status = exc.status
    text = " ".join(message_of(exc.data).split())[:300] or "no message"
    line = f"GitHub API: {what} failed with {status} ({text})"
    if status == 401:
        return GitHubError(line, hint="check the token (GITHUB_TOKEN)")
    if status == 403:
        return GitHubError(
            line,
            hint="the token lacks a permission: give the workflow `pull-requests: write` "
            "(and `issues: write` for issues)",
        )
    if status == 404:
        return GitHubNotFound(line, hint="check GITHUB_REPOSITORY and that the token can see it")
    if status == 422:
        return GitHubRefusal(line, _reasons(exc.data))
    return GitHubError(line, hint="GitHub may be having trouble; re-run the job later")


class Connection:
    """A PyGitHub client and the one retry policy its calls go through (``call``)."""

    def __init__(
        self,
        config: ApiConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._log = log or (lambda _line: None)
        self._budget = WaitBudget(config.max_wait)  # the run's waiting, all calls together
        self._policy = RetryPolicy(
            max_attempts=config.attempts,
            max_retry_seconds=math.inf,  # bounded by the budget instead
            base_delay=config.backoff_base,
            jitter=False,
        )
        self._gh = github.Github(
            base_url=config.base_url.rstrip("/"),
            auth=github.Auth.Token(config.token),
            timeout=config.timeout,
            user_agent=f"reviewbot/{__version__}",
            retry=None,
            seconds_between_requests=config.seconds_between_requests or None,
            seconds_between_writes=config.seconds_between_writes or None,
            lazy=True,
            per_page=100,
        )

    def close(self) -> None:
        self._gh.close()

    @property
    def client(self) -> github.Github:
        """The PyGitHub client (lazy), for the other modules of this package only; every
        call through it goes through ``call``."""
        return self._gh

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def waited(self) -> float:
        """Seconds spent waiting out rate limits so far."""
        return self._budget.spent

    # The retry policy ------------------------------------------------------------------
    def call(
        self, what: str, action: Callable[[], T], *, landed: Callable[[], T | None] | None = None
    ) -> T:
        """Run ``action`` under the one retry policy (``reviewbot.retry``); ``landed`` looks
        for a write's effect after a transient failure (so it is not sent twice).

        PyGitHub's own retry (``GithubRetry``, urllib3's) is not used: a write must be
        looked up before it is sent again, and one budget bounds a run's waiting across
        its calls; both live in ``run_with_retries``."""

        def attempt() -> T:
            try:
                return action()
            except GithubException as exc:
                headers = {str(k): str(v) for k, v in (exc.headers or {}).items()}
                wait = rate_limit_wait(
                    exc.status,
                    headers,
                    message_of(exc.data),
                    default_wait=self.config.rate_wait,
                    now=time.time(),
                )
                if wait is not None:
                    raise Retryable("rate limit", wait, counts=False, cause=exc) from exc
                if exc.status not in TRANSIENT_STATUSES:
                    raise translate(what, exc) from exc
                raise Retryable(str(exc.status), cause=exc) from exc
            except requests.RequestException as exc:
                raise Retryable(type(exc).__name__, cause=exc) from exc

        def on_retry(failures: int, wait: float, failure: Retryable) -> None:
            if not failure.counts:
                self._log(f"GitHub rate limit on {what}: waiting {wait:.0f} s")
            else:
                self._log(
                    f"GitHub API: {what} failed ({failure.reason}); "
                    f"retry {failures} in {wait:.1f} s"
                )

        def give_up(last: Retryable, why: GiveUpReason, tries: int, spent: float) -> GitHubError:
            if why == "time" and last.counts:
                return GitHubError(
                    f"GitHub API: {what} failed ({last.reason}); waiting again would pass the "
                    f"{self.config.max_wait:.0f} s bound ({self._budget.spent:.0f} s waited)",
                    hint="re-run the job later, or raise REVIEWBOT_GITHUB_MAX_WAIT",
                )
            if why == "time":
                return GitHubError(
                    f"GitHub rate limit on {what}: another {last.retry_after or 0:.0f} s wait "
                    f"would pass the {self.config.max_wait:.0f} s bound "
                    f"({self._budget.spent:.0f} s waited)",
                    hint="re-run the job later, or raise REVIEWBOT_GITHUB_MAX_WAIT",
                )
            if isinstance(last.cause, GithubException):
                return translate(what, last.cause)
            return GitHubError(
                f"GitHub API: {what} failed: {last.reason}",
                hint="check GITHUB_API_URL and the network; re-run the job later",
            )

        def look(failure: Retryable) -> T | None:
            return landed() if landed is not None and failure.counts else None

        return run_with_retries(
            attempt,
            self._policy,
            sleep=self._sleep,
            on_retry=on_retry,
            give_up=give_up,
            budget=self._budget,
            before_retry=look,
        )

    # Plumbing ------------------------------------------------------------------------
    def _repo(self, repo: str) -> Repository:
        return self._gh.get_repo(repo)  # the client is lazy: no request until a read

    def _send(self, verb: str, path: str, data: dict[str, Any] | None = None) -> Any:
        """A raw request, only for what PyGitHub has no call for (said where used)."""
        _, answer = self._gh.requester.requestJsonAndCheck(verb, path, input=data)
        return answer
