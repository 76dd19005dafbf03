"""`reviewbot github`: review a pull request inside GitHub Actions and post one review.

Sets up what the run writes to (a log and step outputs that cannot carry secrets or
workflow commands) and runs ``reviewbot.github.action.Action``; a failure is reported in
the step summary and outputs before it ends the run.

Exit codes: 0 (done or skipped), 1 (an open finding at or above ``fail_on``), 2 (usage or
configuration), 3 (model, git or GitHub failure; nothing half-posted by a model failure).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, cast

from rich.console import Console

from reviewbot.config import Settings
from reviewbot.errors import GitHubError, ModelError, ReviewbotError
from reviewbot.github.action import Action, GitHubRun
from reviewbot.github.actions_io import SafeLog
from reviewbot.github.body import Style
from reviewbot.github.event import ActionEnv
from reviewbot.github.report import Report
from reviewbot.review.sanitize import LinkPolicy


def run(
    settings: Settings, job: GitHubRun, environ: Mapping[str, str], *, out: Console, err: Console
) -> int:
    env = ActionEnv.from_environ(environ)
    secrets = tuple(s for s in (env.token, settings.api_key) if s)
    safe = cast(IO[str], SafeLog(err.file, secrets))
    log = Console(file=safe, no_color=True, highlight=False, width=200)
    links: LinkPolicy = (
        "keep"
        if settings.github_links == "keep"
        else ("drop" if settings.github_links == "drop" else "defang")
    )
    report = Report(env.step_summary, env.output, Style(env.host, links, secrets))
    shown = Console(file=cast(IO[str], SafeLog(out.file, secrets)), no_color=True, highlight=False)
    action = Action(settings, job, environ, env, report, log, shown)
    try:
        return action.run()
    except ReviewbotError as exc:
        cause = "model" if isinstance(exc, ModelError) else ""
        report.failed(exc.one_line(), cause="github" if isinstance(exc, GitHubError) else cause)
        raise
    finally:
        log.file.flush()
        shown.file.flush()
