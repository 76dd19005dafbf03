"""The messages of a review: the system prompt, the maintainers' learnings, the packed
context, data about the change, then the task."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviewbot.config import Settings
from reviewbot.learnings.model import Learning, instructions
from reviewbot.pack.model import ContextPack
from reviewbot.prompts import render
from reviewbot.repo import ChangeSet
from reviewbot.repo.globs import globset
from reviewbot.repo.render import COLUMNS


def path_rules(settings: Settings, changes: ChangeSet) -> list[dict[str, str]]:
    """The configured path instructions that apply to at least one changed file."""
    rules = []
    for glob, text in settings.path_instructions.items():
        if any(globset([glob]).match(f.path) for f in changes.files):
            rules.append({"glob": glob, "text": text})
    return rules


@dataclass(frozen=True)
class Briefing:
    """What a front end adds to a review's messages, each in a message of its own: the
    maintainers' learnings right after the system prompt (their instructions, never inside
    author text); data about the change (the issues it resolves) just before the task;
    reviewbot's own notes (an incremental review, what was already reported) after them,
    never inside the author's description."""

    learnings: tuple[Learning, ...] = ()
    data: tuple[str, ...] = ()
    notes: str = ""


NO_BRIEFING = Briefing()
NOTES_HEADING = "# Notes from reviewbot (about earlier reviews, not from the author)\n\n"


def maintainer_messages(briefing: Briefing) -> list[dict[str, Any]]:
    """The learnings as the maintainers' own message (none when there are none): it goes
    right after the system prompt, in a review or an audit unit."""
    taught = instructions(briefing.learnings)
    return [{"role": "user", "content": taught}] if taught else []


def build_messages(
    settings: Settings,
    *,
    repository: str,
    changes: ChangeSet,
    pack: ContextPack,
    title: str = "",
    description: str = "",
    overrides: Mapping[str, str] | None = None,
    briefing: Briefing = NO_BRIEFING,
) -> list[dict[str, Any]]:
    """System prompt, then the packed context (large, stable: cached from turn two on),
    then the task with the diff (nearest to where the model starts working)."""
    system = render(
        "system.md.j2",
        {
            "repository": repository,
            "instructions": settings.instructions,
            "notes_heading": NOTES_HEADING.strip(),
        },
        overrides=overrides,
    )
    context = "".join(s.text for s in pack.sections if s.role != "diff")
    diff = "".join(s.text for s in pack.sections if s.role == "diff")
    task = render(
        "review.md.j2",
        {
            "base": changes.base[:12],
            "head": changes.head[:12],
            "title": title,
            "description": description,
            "files": [{"path": f.path, "status": f.status} for f in changes.files],
            "path_instructions": path_rules(settings, changes),
            "diff": diff,
            "columns": COLUMNS,
        },
        overrides=overrides,
    )
    data = [{"role": "user", "content": text} for text in briefing.data if text]
    if briefing.notes:
        data.append({"role": "user", "content": NOTES_HEADING + briefing.notes})
    return [
        {"role": "system", "content": system},
        *maintainer_messages(briefing),
        {"role": "user", "content": "# Repository context\n\n" + context},
        *data,
        {"role": "user", "content": task},
    ]
