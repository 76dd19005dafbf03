"""`reviewbot github` on conversation events: answer a question, or learn from feedback.

Both read settings and prompts from the pull request's base commit, like a review. A
question from someone without write access is refused (logged, nothing posted); feedback
counts only from people with write access (``feedback``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from reviewbot.config import Settings
from reviewbot.errors import EXIT_OK
from reviewbot.github import answer as answering
from reviewbot.github.api import GitHubApi
from reviewbot.github.base import (
    BASE_HINT,
    CHECKOUT_HINT,
    BaseFiles,
    flags_of,
    git_root,
    require_commit,
)
from reviewbot.github.event import ActionEnv
from reviewbot.github.feedback import Permissions, learn, rejections
from reviewbot.github.learnings_issue import LearningsIssue
from reviewbot.github.prior import read_prior, trusted_author
from reviewbot.github.report import Report
from reviewbot.github.talk_api import Talk
from reviewbot.github.talk_event import Ask, Feedback
from reviewbot.github.types import WRITE_ACCESS, Actor, PullInfo
from reviewbot.learnings.model import Learning
from reviewbot.llm.client import ClientConfig
from reviewbot.llm.connect import open_client
from reviewbot.pipeline.answer import answer_question
from reviewbot.pipeline.plan import run_dir_for
from reviewbot.pipeline.run import Execution
from reviewbot.prompts import render
from reviewbot.repo import ChangeSet, RepoView


class Job(Protocol):
    @property
    def dry_run(self) -> bool: ...
    @property
    def workdir(self) -> Path: ...
    @property
    def config_path(self) -> str | None: ...


class Run(Protocol):
    """What a conversation needs of the ``reviewbot github`` run (``action.Action``)."""

    settings: Settings  # replaced by the base commit's settings

    @property
    def environ(self) -> Mapping[str, str]: ...
    @property
    def env(self) -> ActionEnv: ...
    @property
    def report(self) -> Report: ...
    @property
    def job(self) -> Job: ...

    def say(self, line: str) -> None: ...
    def show(self, text: str) -> None: ...
    def skip(self, reason: str) -> int: ...
    def identity(self, api: GitHubApi, pr: PullInfo) -> str | None: ...


ANSWER_SECONDS = 600


class Conversation:
    def __init__(self, action: Run, api: GitHubApi) -> None:
        self.action = action
        self.api = api
        self.repo = action.env.repository
        self.talk = Talk(api, self.repo)

    def run(self, event: Ask | Feedback) -> int:
        if isinstance(event, Feedback):
            return self.feedback(event)
        return self.ask(event)

    # Feedback ------------------------------------------------------------------------
    def feedback(self, event: Feedback) -> int:
        pr = self.api.pull(self.repo, event.number)
        settings = self.base_settings(pr)
        if not settings.learnings:
            return self.action.skip("learning from feedback is off (learnings = false)")
        learnt = self.learn(pr)
        text = ", ".join(f"{x.id} ({x.rule})" for x in learnt) or "nothing new"
        self.action.report.conversed(f"Feedback on #{pr.number} ({event.why}): learnt {text}.")
        return EXIT_OK

    def learn(self, pr: PullInfo) -> list[Learning]:
        """Learn from the rejections of reviewbot's findings on pull request ``pr``."""
        number = pr.number
        prior = read_prior(self.api, self.repo, number, viewer=self.viewer(pr))
        can_write = Permissions(self.api, self.repo).can_write
        found = rejections(self.talk, self.api, prior, number, can_write)
        web = self.action.env.server_url

        def link(comment_id: int) -> str:
            return f"{web}/{self.repo}/pull/{number}#discussion_r{comment_id}"

        made = learn(LearningsIssue(self.api, self.repo, self.viewer(pr)), found, link)
        for x in made:
            self.action.say(f"learnt {x.id}: {x.rule}")
        return made

    # Questions -----------------------------------------------------------------------
    def ask(self, ask: Ask) -> int:
        role = self.api.permission(self.repo, ask.author)
        if role not in WRITE_ACCESS:
            return self.action.skip(
                f"a question from {ask.author}, who has {role} access "
                "(only people with write access get answers)"
            )
        pr = self.api.pull(self.repo, ask.number)
        root = git_root(self.action.job.workdir)
        base_view = require_commit(root, pr.base_sha, "base", BASE_HINT)
        with base_view, BaseFiles(base_view, self.action.job.config_path) as base:
            settings = base.settings(self.action.environ, flags_of(self.action.settings))
            self.action.settings = settings
            # The head is seen only through the base commit's deny list and size cap.
            head = require_commit(root, pr.head_sha, "pull request's head", CHECKOUT_HINT, settings)
            with head:
                return self.answer(ask, pr, head, base, settings)

    def answer(
        self, ask: Ask, pr: PullInfo, head: RepoView, base: BaseFiles, settings: Settings
    ) -> int:
        question = answering.gather(self.talk, ask)
        ours = self.ours(pr)
        if answering.answers_to(question.everything, question.asked.id, ours):
            return self.action.skip(f"comment {ask.comment_id} was answered already")
        won, when = self.talk.claim(ask.comment_id, review=ask.on_thread)
        stale = self.api.config.lock_stale
        if not won and answering.age_seconds(when) < stale:
            return self.action.skip(f"another run is answering comment {ask.comment_id}")
        text, cost = self.think(question, pr, head, base, settings)
        style = replace(self.action.report.style, secrets=self.secrets(settings))
        body = answering.answer_body(question, text, cost, style.prose)
        if self.action.job.dry_run:
            self.action.show(body)
            self.action.report.conversed("Dry run: the answer was not posted.", cost=cost)
            return EXIT_OK
        if ask.on_thread:
            posted = self.talk.reply_in_thread(pr.number, question.root_id, body)
            again = self.talk.review_comments(pr.number)
        else:
            posted = self.talk.comment(pr.number, body)
            again = self.talk.issue_comments(pr.number)
        first = answering.answers_to(again, question.asked.id, ours)
        if first and first[0].id != posted.id:
            self.talk.delete_comment(posted.id, review=ask.on_thread)
            self.action.say(f"another run answered comment {ask.comment_id} first")
            return EXIT_OK
        self.action.say(f"answered comment {ask.comment_id}: {posted.url}")
        link = f"[the answer]({posted.url})" if posted.url else "the answer"
        self.action.report.conversed(
            f"Answered {ask.author}'s question on #{pr.number}: {link} (${cost:.4f}).",
            cost=cost,
            url=posted.url,
        )
        return EXIT_OK

    def think(
        self,
        question: answering.Question,
        pr: PullInfo,
        head: RepoView,
        base: BaseFiles,
        settings: Settings,
    ) -> tuple[str, float]:
        """The agent's answer and what it cost."""
        system = render(
            "answer.md.j2",
            {"repository": self.repo, "instructions": settings.instructions},
            overrides=base.overrides,
        )
        code = self.code_around(head, question.asked.path, question.asked.line)
        user = answering.conversation_message(
            question, title=pr.title, description=pr.body, code=code
        )
        config = ClientConfig.from_settings(settings)
        run_dir = run_dir_for(settings, git_root(self.action.job.workdir), pr.head_sha)
        self.action.say(f"answering comment {question.asked.id} on #{pr.number}")
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        with open_client(config) as client:  # the provider's wire, as every run opens it
            how = Execution(client=client, run_dir=run_dir, secrets=self.secrets(settings))
            done = answer_question(
                messages,
                view=head,
                changes=ChangeSet(pr.base_sha, pr.head_sha, ()),
                settings=settings,
                how=how,
                max_steps=settings.github_answer_max_steps,
                max_cost=settings.github_answer_max_cost,
                max_seconds=min(settings.max_seconds, ANSWER_SECONDS),
                transcript_name=f"answer-{question.asked.id}.jsonl",
            )
        text = done.text
        if done.stopped_by:
            text = (
                f"I could not finish an answer: {done.note}. "
                "Ask again with a narrower question, or raise `github.answer_max_cost`."
            )
        return text, done.cost_usd

    @staticmethod
    def code_around(view: RepoView, path: str, line: int | None) -> str:
        if not path or not line:
            return ""
        first = max(1, line - answering.AROUND)
        try:
            text = view.read(path, first, line + answering.AROUND)
        except Exception:  # noqa: BLE001 - the file may be gone or denied: the tools can say why
            return ""
        rows = text.text.splitlines()
        return "\n".join(f"{n:>6}  {row}" for n, row in enumerate(rows, start=text.start_line))

    # ----------------------------------------------------------------------------------
    def viewer(self, pr: PullInfo) -> Callable[[], str | None]:
        return lambda: self.action.identity(self.api, pr)

    def ours(self, pr: PullInfo) -> Callable[[Actor], bool]:
        trusted = trusted_author(self.viewer(pr))
        return lambda actor: trusted(actor.login)

    def secrets(self, settings: Settings) -> tuple[str, ...]:
        return tuple(
            s for s in (self.action.env.token, settings.api_key, *settings.known_secrets) if s
        )

    def base_settings(self, pr: PullInfo) -> Settings:
        root = git_root(self.action.job.workdir)
        view = require_commit(root, pr.base_sha, "base", BASE_HINT)
        with view, BaseFiles(view, self.action.job.config_path) as base:
            self.action.settings = base.settings(
                self.action.environ, flags_of(self.action.settings)
            )
        return self.action.settings
