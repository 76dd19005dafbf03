"""The one error tree of reviewbot, and the exit codes it maps to.

Every failure a user can meet is a ``ReviewbotError`` whose message is one line that says
what happened and what to do. Foreign exceptions (git, HTTP, PyGitHub, TOML) are translated
at the module boundary with ``raise ... from exc``; ``cli.main`` turns the error into its
exit code and prints the message, with a traceback only under ``--debug``.

    ReviewbotError                 exit 3 (runtime failure)
    ├── UsageError                 exit 2 (bad flags or arguments)
    ├── ConfigError                exit 2 (bad config file, env value or missing key)
    │   └── MissingApiKeyError
    ├── NotAvailableError          exit 2 (a capability this build does not have)
    ├── RepositoryError            exit 3 (git: refs, shallow clones, unreadable trees)
    │   └── PathRefusedError       (a sandboxed path outside what may be read)
    ├── ModelError                 exit 3 (the model API, after retries)
    └── GitHubError                exit 3 (the GitHub API, after retries)
"""

from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_RUNTIME = 3


class ReviewbotError(Exception):
    """Base of every error reviewbot reports to a user."""

    exit_code: ClassVar[int] = EXIT_RUNTIME

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and, when there is one, what to do, as a single line."""
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return " ".join(text.split())

    def __str__(self) -> str:
        return self.one_line()


class UsageError(ReviewbotError):
    exit_code = EXIT_USAGE


class ConfigError(ReviewbotError):
    exit_code = EXIT_USAGE


class MissingApiKeyError(ConfigError):
    pass


class NotAvailableError(ReviewbotError):
    exit_code = EXIT_USAGE


class RepositoryError(ReviewbotError):
    pass


class PathRefusedError(RepositoryError):
    pass


class ModelError(ReviewbotError):
    pass


class GitHubError(ReviewbotError):
    pass
