"""What a pull-request review adds to the bare review: the maintainers' learnings (after
learning from the feedback on this pull request), the issues it resolves, and the
walkthrough (the model's ``describe_file`` notes, the changed call paths' diagram).

None of it may fail the review: GitHub refusing a read (an issue in a private repository,
a token without ``issues: write`` for the learnings issue) is logged and left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reviewbot.config import Settings
from reviewbot.errors import GitHubError
from reviewbot.github.body import SummaryExtras
from reviewbot.github.learnings_issue import LearningsIssue
from reviewbot.github.linked import Linked, issues_message, read_linked
from reviewbot.github.talk_api import Talk
from reviewbot.github.types import PullInfo
from reviewbot.learnings.model import Learning
from reviewbot.pipeline.prompt import Briefing
from reviewbot.repo import ChangeSet, RepoView
from reviewbot.walkthrough import (
    DescribeFileTool,
    DiagramPolicy,
    FileNotes,
    build_walkthrough,
    walkthrough_markdown,
)


@dataclass(frozen=True)
class Additions:
    learnings: tuple[Learning, ...]
    linked: Linked
    notes: FileNotes | None  # the describe_file tool's notes (walkthrough on)

    @property
    def briefing(self) -> Briefing:
        return Briefing(self.learnings, (issues_message(self.linked.issues),))

    def tools(self) -> list[DescribeFileTool]:
        return [self.notes.tool()] if self.notes is not None else []


def gather(
    talk: Talk,
    pr: PullInfo,
    lines: ChangeSet,
    settings: Settings,
    *,
    learn: Callable[[PullInfo], object],
    owner: Callable[[], str | None],
    host: str,
    say: Callable[[str], None],
) -> Additions:
    """Learn from this pull request's feedback, then read the learnings and linked issues."""
    learnings: tuple[Learning, ...] = ()
    if settings.learnings:
        try:
            learn(pr)
        except GitHubError as exc:  # e.g. a token without issues: write
            say(f"could not learn from the feedback on #{pr.number}: {exc.one_line()}")
        try:
            learnings = LearningsIssue(talk.api, talk.repo, owner).load().stored.learnings
        except GitHubError as exc:
            say(f"learnings left out: {exc.one_line()}")
    try:
        linked = read_linked(talk, pr.number, pr.body, host=host)
    except GitHubError as exc:
        say(f"linked issues left out: {exc.one_line()}")
        linked = Linked(())
    if linked.unreadable:
        say(f"linked issue(s) not readable: {', '.join(linked.unreadable)}")
    notes = FileNotes(f.path for f in lines.files) if settings.walkthrough else None
    return Additions(learnings, linked, notes)


def summary_extras(
    additions: Additions | None,
    view: RepoView,
    lines: ChangeSet,
    settings: Settings,
    prose: Callable[[str], str],
) -> SummaryExtras:
    """The summary's walkthrough (all the pull request's files) and the issues read."""
    walkthrough = ""
    if settings.walkthrough:
        notes = additions.notes.notes if additions is not None and additions.notes else ()
        policy: DiagramPolicy = "never" if settings.diagram == "never" else "auto"
        walk = build_walkthrough(view, lines, notes, diagram=policy)
        walkthrough = walkthrough_markdown(walk, prose)
    linked = tuple(additions.linked.names) if additions is not None else ()
    return SummaryExtras(linked, walkthrough)
