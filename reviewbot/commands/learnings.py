"""`reviewbot learnings list|forget`: the learnings issue, from a terminal.

The learnings live in the repository's "reviewbot learnings" issue (see
``reviewbot.github.learnings_issue``): listing and forgetting talk to GitHub with
``GITHUB_TOKEN`` (or ``GH_TOKEN``); ``GITHUB_API_URL`` points at GitHub Enterprise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from reviewbot.errors import EXIT_OK, ConfigError, UsageError
from reviewbot.github.api import GitHubApi
from reviewbot.github.connection import ApiConfig
from reviewbot.github.learnings_issue import LearningsIssue
from reviewbot.review.sanitize import printable

_REPO = re.compile(r"[\w.\-]+/[\w.\-]+")


def repository(given: str | None, environ: Mapping[str, str], root: Path | None) -> str:
    """``owner/name``: ``--repo``, else GITHUB_REPOSITORY, else the origin remote."""
    name = given or environ.get("GITHUB_REPOSITORY", "")
    if not name and root is not None:
        from reviewbot.repo.refs import repository_name

        name = repository_name(root)
    if not _REPO.fullmatch(name):
        raise ConfigError(
            f"cannot tell which GitHub repository holds the learnings ({name or 'none found'})",
            hint="pass --repo owner/name (or set GITHUB_REPOSITORY)",
        )
    return name


def list_learnings(repo: str, environ: Mapping[str, str], *, out: Console, as_json: bool) -> int:
    with GitHubApi(ApiConfig.from_environ(environ)) as api:
        loaded = LearningsIssue(api, repo).load()
    stored = loaded.stored
    if as_json:
        data = {
            "issue": loaded.url,
            "learnings": [asdict(x) for x in stored.learnings],
            "problems": list(stored.problems),
        }
        out.print_json(json.dumps(data))
        return EXIT_OK
    if loaded.issue is None:
        out.print(f"No learnings yet in {repo} (no issue carries reviewbot's learnings marker).")
        return EXIT_OK
    out.print(f"{len(stored.learnings)} learning(s) in {escape(loaded.url)}", soft_wrap=True)
    for x in stored.learnings:
        line = f"{x.id:<4} {x.action:<9} {x.path}  [{x.kind}]  {x.rule}"
        if x.source:
            line += f"  ({x.source})"
        out.print(escape(printable(line)), soft_wrap=True)
    for problem in stored.problems:
        out.print(escape(f"unreadable row, ignored: {printable(problem)}"), soft_wrap=True)
    return EXIT_OK


def forget(repo: str, ident: str, environ: Mapping[str, str], *, out: Console) -> int:
    if not re.fullmatch(r"L[1-9][0-9]*", ident):
        raise UsageError(f"{ident!r} is not a learning id", hint="ids look like L3")
    with GitHubApi(ApiConfig.from_environ(environ)) as api:
        issue = LearningsIssue(api, repo)
        if not issue.forget(ident):
            raise UsageError(
                f"no learning {ident} in {repo}", hint="`reviewbot learnings list` shows them"
            )
    out.print(f"forgot {ident} in {repo}; the feedback it came from will not teach it again")
    return EXIT_OK
