"""One ``reviewbot github`` run on a pull request: the steps, in order.

The flow: read the event (``event``) and skip what is not to be reviewed; check a
``/review`` commenter's write access; read the pull request, its files (the line map
comes from GitHub's own patches) and what reviewbot posted before (``read_prior``); stop
if this head was reviewed already; load settings and prompt overrides from the base commit
(``base``); review the whole pull request or only what changed since the last reviewed
head (``plan``); save the findings; publish them (``review``: one run at a time per pull
request, each re-reading what is posted before it posts, so a double-triggered workflow
posts once); write the step summary and outputs. The bot never runs code from the pull
request: it reads the checkout through git only. The command's front end is
``reviewbot.commands.github``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.config import Settings
from reviewbot.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    GitHubError,
)
from reviewbot.github.api import GitHubApi
from reviewbot.github.base import (
    BASE_HINT,
    CHECKOUT_HINT,
    BaseFiles,
    flags_of,
    git_root,
    require_commit,
)
from reviewbot.github.body import SummaryExtras
from reviewbot.github.connection import ApiConfig
from reviewbot.github.conversation import Conversation
from reviewbot.github.event import ActionEnv, Skip, Trigger, load_payload, pull_skip, read_trigger
from reviewbot.github.extras import Additions, gather, summary_extras
from reviewbot.github.lock import Holder, PullLock
from reviewbot.github.plan import RunFolder, changes_to_review, incremental_since, review_notes
from reviewbot.github.prior import Prior, read_prior
from reviewbot.github.report import Report
from reviewbot.github.review import Publisher, Target
from reviewbot.github.talk_api import Talk
from reviewbot.github.talk_event import read_talk
from reviewbot.github.types import WRITE_ACCESS, PullInfo
from reviewbot.pipeline.plan import PullRequestInput, plan_review
from reviewbot.pipeline.run import code_from_diff, execute
from reviewbot.pipeline.session import model_session
from reviewbot.repo import ChangeSet, RepoView, changeset_from_patches
from reviewbot.review.findings import at_least, highest
from reviewbot.review.result import ReviewResult


@dataclass(frozen=True)
class GitHubRun:
    dry_run: bool
    workdir: Path
    config_path: str | None = None  # a config file read from the base commit


def api_config(env: ActionEnv, environ: Mapping[str, str]) -> ApiConfig:
    """Where GitHub is (``GITHUB_API_URL``: GitHub Enterprise works) and the pacing knobs."""
    return replace(ApiConfig.from_environ(environ), base_url=env.api_url, token=env.token)


def exit_for(highest: str, fail_on: str) -> int:
    return EXIT_FINDINGS if highest and at_least(highest, fail_on) else EXIT_OK


@dataclass
class Action:
    """One ``reviewbot github`` run: the state its steps share."""

    settings: Settings
    job: GitHubRun
    environ: Mapping[str, str]
    env: ActionEnv
    report: Report
    log: Console
    out: Console
    login: str | None = field(default=None, init=False)  # the token's, once learnt

    def say(self, line: str) -> None:
        self.log.print(Text(f"reviewbot: {line}"), soft_wrap=True)

    def show(self, text: str) -> None:
        self.out.print(Text(text), soft_wrap=True)

    def skip(self, reason: str) -> int:
        self.say(f"nothing to do: {reason}")
        self.report.skipped(reason)
        return EXIT_OK

    def run(self) -> int:
        payload = load_payload(self.env.event_path)
        talk = read_talk(self.env.event_name, payload, self.settings.github_mention)
        if talk is not None:
            with GitHubApi(api_config(self.env, self.environ), log=self.say) as api:
                return Conversation(self, api).run(talk)
        trigger = read_trigger(self.env.event_name, payload)
        if isinstance(trigger, Skip):
            return self.skip(trigger.reason)
        if trigger.event == "pull_request" and trigger.from_fork and not self.settings.api_key:
            return self.skip(
                "a pull request from a fork: GitHub gives `pull_request` runs from forks no "
                "secrets and a read-only token; use the fork-safe workflow "
                "(pull_request_target, see docs/github-action.md)"
            )
        with GitHubApi(api_config(self.env, self.environ), log=self.say) as api:
            return self.review(api, trigger)

    def review(self, api: GitHubApi, trigger: Trigger) -> int:
        repo = self.env.repository
        if trigger.on_request and not self.allowed(api, trigger):
            return EXIT_OK
        pr = api.pull(repo, trigger.number)
        author = {"login": pr.author.login, "type": pr.author.type}
        reason = pull_skip(
            state=pr.state, draft=pr.draft, author=author, on_request=trigger.on_request
        )
        if reason:
            return self.skip(reason)
        root = git_root(self.job.workdir)
        base_view = require_commit(root, pr.base_sha, "base", BASE_HINT)
        with base_view, BaseFiles(base_view, self.job.config_path) as base:
            self.settings = settings = base.settings(self.environ, flags_of(self.settings))
            # The head is seen only through the base commit's deny list and size cap.
            head = require_commit(root, pr.head_sha, "pull request's head", CHECKOUT_HINT, settings)
            with head:
                return self.review_pull(api, trigger, pr, Views(root, head, base))

    def review_pull(self, api: GitHubApi, trigger: Trigger, pr: PullInfo, views: Views) -> int:
        """Review ``pr`` unless this head was reviewed already, and publish."""
        repo, head = self.env.repository, pr.head_sha
        prior = read_prior(api, repo, pr.number, viewer=lambda: self.identity(api, pr))
        done = prior.final_review(head)
        if done is not None and not trigger.on_request:
            marker, review = done
            worst = highest([marker.highest, *prior.open_thread_severities()])
            self.say(f"{head[:12]} was reviewed already: {review.html_url}")
            self.report.already_reviewed(head, review.html_url, worst)
            return exit_for(worst, self.settings.fail_on)
        lines = changeset_from_patches(api.pull_files(repo, pr.number), base=pr.base_sha, head=head)
        folder = RunFolder.of(self.settings, views.root, pr.number, head)
        saved = None if self.job.dry_run else folder.saved()
        additions = None
        if saved is not None:
            self.say(f"posting the findings an earlier try saved for {head[:12]}")
            result, since = saved
        else:
            last = "" if trigger.on_request else prior.last_head
            since, why = incremental_since(views.root, last, head)
            if why:
                self.say(f"{why}: reviewing the whole pull request")
            changes = changes_to_review(views.root, pr, lines, since)
            if not changes.files:
                self.say(f"no change to the pull request's files since {since[:12]}")
                self.report.nothing_to_review(since)
                return exit_for(highest(prior.open_thread_severities()), self.settings.fail_on)
            job = Reviewing(pr, views.root, changes, lines, prior, since, views.head, views.base)
            additions = gather(
                Talk(api, repo), pr, lines, self.settings, learn=Conversation(self, api).learn,
                owner=lambda: self.identity(api, pr), host=self.env.host, say=self.say,
            )  # fmt: skip
            result = self.model_review(job, folder, additions)
        extras = summary_extras(additions, views.head, lines, self.settings, self.prose)
        return self.publish(
            api, pr, prior, lines, result, since, folder, trigger.on_request, extras
        )

    def identity(self, api: GitHubApi, pr: PullInfo) -> str | None:
        """The token's login: only markers it posted are reviewbot's. ``GET /user`` answers
        for a person's token; an installation token's login is read off a pending review of
        its own. A dry run writes nothing, so without ``GET /user`` it trusts no marker."""
        if self.login is None:
            self.login = api.viewer_login()
        if self.login or self.job.dry_run:
            return self.login
        holder = Holder.from_environ(self.environ)
        lock = PullLock(
            api, self.env.repository, pr.number, pr.head_sha, holder,
            stale=api.config.lock_stale, log=self.say,
        )  # fmt: skip
        self.login = lock.own_login()
        return self.login

    def allowed(self, api: GitHubApi, trigger: Trigger) -> bool:
        """Whether the /review commenter may ask (write access); a refusal is logged."""
        role = api.permission(self.env.repository, trigger.requested_by)
        if role not in WRITE_ACCESS:
            self.skip(
                f"/review from {trigger.requested_by}, who has {role} access "
                "(only people with write access can ask for a review)"
            )
            return False
        try:
            api.react(self.env.repository, trigger.comment_id, "eyes")
        except GitHubError as exc:  # an acknowledgement only
            self.say(f"could not react to the /review comment ({exc.one_line()})")
        return True

    def prose(self, text: str) -> str:
        """Model text neutralised for a comment, with every secret this run knows."""
        secrets = (*self.report.style.secrets, *self.settings.known_secrets)
        return replace(self.report.style, secrets=secrets).prose(text)

    def model_review(self, job: Reviewing, folder: RunFolder, more: Additions) -> ReviewResult:
        settings, pr = self.settings, job.pr
        notes = review_notes(job.lines, job.changes, job.prior, job.since)
        with job.head_view.at(pr.base_sha) as base_view:
            plan = plan_review(
                settings,
                changes=job.changes,
                view=job.head_view,
                repository=self.env.repository,
                overrides=job.base.overrides,
                briefing=replace(more.briefing, notes=notes),
                pull=PullRequestInput(
                    title=pr.title,
                    description=pr.body.strip(),
                    context=job.lines if job.since else None,
                    guidance_from=base_view,
                ),
            )
        scope = f"changes since {job.since[:12]}" if job.since else "the whole pull request"
        self.say(
            f"reviewing #{pr.number} at {pr.head_sha[:12]} ({scope}, "
            f"{len(job.changes.files)} file(s), ~{plan.prompt_tokens:,} tokens per request)"
        )
        folder.remember(job.since)
        # The log is the Actions log: one line per step and tool call, never redrawn.
        with model_session(settings, self.log, verbose=True, secrets=(self.env.token,)) as session:
            return execute(
                plan, settings, session.execution(folder.path), lines=job.lines,
                code_at=code_from_diff(job.lines), tools=more.tools(),
            )  # fmt: skip

    def publish(
        self,
        api: GitHubApi,
        pr: PullInfo,
        prior: Prior,
        lines: ChangeSet,
        result: ReviewResult,
        since: str,
        folder: RunFolder,
        on_request: bool,
        extras: SummaryExtras,
    ) -> int:
        target = Target(self.env.repository, pr.number, pr.head_sha)
        preview = self.show if self.job.dry_run else None
        holder = Holder.from_environ(self.environ)
        publisher = Publisher(
            api, target, self.report.style, log=self.say, preview=preview, holder=holder
        )
        done = publisher.publish(
            result,
            prior,
            lines,
            since=since,
            resolve_outdated=self.settings.github_resolve_outdated,
            once_per_head=not on_request,  # a /review asks for a new review of the head
            extras=extras,
            inline_min_severity=self.settings.inline_min_severity,
        )
        verb = "would post" if self.job.dry_run else "posted"
        folder.mark_published(dry_run=self.job.dry_run)
        self.say(
            f"{verb} {len(done.inline)} inline comment(s) and {len(done.in_body)} in the body "
            f"({done.repeated} already there){': ' + done.review_url if done.review_url else ''}"
        )
        self.report.published(
            number=pr.number,
            head=pr.head_sha,
            since=since,
            found=result.findings,
            done=done,
            stats=result.stats,
            dry_run=self.job.dry_run,
        )
        return exit_for(done.highest, self.settings.fail_on)


@dataclass(frozen=True)
class Views:
    """The local checkout, read through git: the head, and the base's config files."""

    root: Path
    head: RepoView
    base: BaseFiles


@dataclass(frozen=True)
class Reviewing:
    """What a model review of one pull request needs."""

    pr: PullInfo
    root: Path
    changes: ChangeSet
    lines: ChangeSet
    prior: Prior
    since: str
    head_view: RepoView
    base: BaseFiles
