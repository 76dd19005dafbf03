"""Stage one: everything decided before the first model call (what ``--dry-run`` shows).

``plan_review`` withholds the changed files the model may not read, packs the context,
builds the messages and counts them; ``plan_notes`` says what the model will not see.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reviewbot.config import Settings
from reviewbot.llm.pricing import Prices, cost_usd, prices_for
from reviewbot.llm.types import Usage
from reviewbot.pack.api import options_for
from reviewbot.pack.change import change_from_changeset
from reviewbot.pack.model import ContextPack
from reviewbot.pack.packer import Source, pack_change
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline.guidance import BaseGuidance, without_guidance
from reviewbot.pipeline.prompt import NO_BRIEFING, Briefing, build_messages
from reviewbot.repo import ChangeSet, FileChange, RepoView, render_changeset
from reviewbot.repo.gitdiff import MAX_DIFF_BLOB
from reviewbot.repo.globs import globset
from reviewbot.repo.guard import PathGuard
from reviewbot.review.sanitize import printable

# Used for the dry-run estimate: a typical review is about this many model turns.
ESTIMATE_TURNS = 12
ESTIMATE_OUTPUT_PER_TURN = 1_500
DRY_RUN_FILES_SHOWN = 20


@dataclass(frozen=True)
class ReviewPlan:
    """Everything decided before the first model call."""

    repository: str
    changes: ChangeSet
    pack: ContextPack
    messages: tuple[dict[str, Any], ...]
    prompt_tokens: int
    prices: Prices
    view: RepoView = field(repr=False, compare=False)
    withheld: tuple[str, ...] = ()  # changed files the model may not see (deny list)
    briefing: Briefing = field(default_factory=Briefing)

    @property
    def estimated_cost(self) -> float:
        first = Usage(input_tokens=self.prompt_tokens, output_tokens=ESTIMATE_OUTPUT_PER_TURN)
        later = Usage(
            input_tokens=self.prompt_tokens,
            cached_tokens=self.prompt_tokens,
            output_tokens=ESTIMATE_OUTPUT_PER_TURN,
        )
        return cost_usd(first, self.prices) + (ESTIMATE_TURNS - 1) * cost_usd(later, self.prices)


def filter_paths(changes: ChangeSet, paths: Sequence[str]) -> ChangeSet:
    """Only the files under the given paths or matching the given globs."""
    if not paths:
        return changes

    # Paths from the command line are from the root and a folder covers what is below it;
    # a glob without a folder in it (`'*.sql'`) matches a name at any depth, as git's does.
    plain = {p.rstrip("/") for p in paths}
    globs = globset(p if _is_name_glob(p) else "/" + p for p in paths)

    def wanted(path: str) -> bool:
        return path in plain or globs.match(path)

    return replace(changes, files=tuple(f for f in changes.files if wanted(f.path)))


def _is_name_glob(path: str) -> bool:
    return "/" not in path.rstrip("/") and any(c in path for c in "*?[")


def withhold_denied(changes: ChangeSet, guard: PathGuard) -> tuple[ChangeSet, tuple[str, ...]]:
    """The change without the files the model may not read: their diff would show it the
    secrets the deny list keeps from it. Returns the change and the withheld paths."""

    def refused(f: FileChange) -> bool:
        return not guard.allowed(f.path) or (
            f.old_path is not None and not guard.allowed(f.old_path)
        )

    withheld = tuple(f.path for f in changes.files if refused(f))
    if not withheld:
        return changes, ()
    return replace(changes, files=tuple(f for f in changes.files if not refused(f))), withheld


@dataclass(frozen=True)
class PullRequestInput:
    """What a pull-request review adds to a plan. ``title`` and ``description`` are the
    author's (untrusted, quoted as such). ``context``, when given, is the larger change the
    packed context is built from (the pull request's whole diff, while the reviewed changes
    are only what is new since the last review): its changed files are all in the context,
    and the diff given with the task is that of the reviewed changes. ``guidance_from``
    (the base commit) is where guidance files are read from."""

    title: str = ""
    description: str = ""
    context: ChangeSet | None = None
    guidance_from: RepoView | None = None


NO_PULL_REQUEST = PullRequestInput()


def plan_review(
    settings: Settings,
    *,
    changes: ChangeSet,
    view: RepoView,
    repository: str,
    counter: TokenCounter | None = None,
    overrides: Mapping[str, str] | None = None,
    briefing: Briefing = NO_BRIEFING,
    pull: PullRequestInput = NO_PULL_REQUEST,
    commit_messages: str = "",
) -> ReviewPlan:
    """Pack and prompt for reviewing ``changes`` (of a pull request, with ``pull``).
    The pull request's title and description and the ``commit_messages`` rank the context
    (the packer's description signals); only the pull request's words reach the prompt."""
    counter = (counter or TokenCounter(settings.tokenizer)).start()
    changes, withheld = withhold_denied(changes, view.guard)
    packed = changes
    if pull.context is not None:
        packed, more = withhold_denied(pull.context, view.guard)
        withheld = tuple(dict.fromkeys((*withheld, *more)))
    source: Source = view
    if pull.guidance_from is not None:
        source, packed = BaseGuidance(view, pull.guidance_from), without_guidance(packed)
    said = "\n\n".join(t for t in (pull.title, pull.description, commit_messages) if t)
    change = change_from_changeset(packed, render_changeset(changes), said)
    pack = pack_change(source, change, options_for(settings), counter)
    messages = build_messages(
        settings,
        repository=repository,
        changes=changes,
        pack=pack,
        title=pull.title,
        description=pull.description,
        overrides=overrides,
        briefing=briefing,
    )
    tokens = sum(counter.count(m["content"]) + 4 for m in messages)
    return ReviewPlan(
        repository=repository,
        changes=changes,
        pack=pack,
        messages=tuple(messages),
        prompt_tokens=tokens,
        prices=prices_for(settings.effective_model, settings),
        view=view,
        withheld=withheld,
        briefing=briefing,
    )


def plan_notes(plan: ReviewPlan) -> list[str]:
    """What the reader should know about what the model did not see: changed files withheld
    (deny list) or without a diff (binary, or too large to diff), diff lines the budget cut,
    changed files whose content was not packed, and how many other files the context left
    out, by reason."""
    notes = []
    if plan.withheld:
        notes.append(
            f"{len(plan.withheld)} changed file(s) withheld from the model "
            f"(secrets deny list): {paths_note(plan.withheld)}"
        )
    no_diff = [f.path for f in plan.changes.files if f.binary]
    if no_diff:
        notes.append(
            f"no diff shown for {len(no_diff)} changed file(s) (binary, or larger than "
            f"{MAX_DIFF_BLOB.upper()}iB): {paths_note(no_diff)}"
        )
    if plan.pack.diff_lines_cut:
        notes.append(
            f"the diff was cut to fit the budget: {plan.pack.diff_lines_cut:,} diff line(s) "
            "not shown"
        )
    changed = {f.path for f in plan.changes.files}
    left_out = [x for x in plan.pack.excluded if x.path in changed and x.path not in no_diff]
    if left_out:
        shown = [f"{x.path} ({x.reason})" for x in left_out]
        notes.append(f"changed file(s) not packed whole: {paths_note(shown)}")
    others = Counter(x.reason.split(" (")[0] for x in plan.pack.excluded if x.path not in changed)
    if others:
        counts = ", ".join(f"{n} {reason}" for reason, n in sorted(others.items()))
        notes.append(f"{sum(others.values())} other file(s) left out of the context: {counts}")
    return notes


def describe_plan(plan: ReviewPlan, settings: Settings) -> list[str]:
    """What ``--dry-run`` prints: the change, what was packed, the cost, what the model
    will not see."""
    pack = plan.pack
    included = len(pack.included)
    files = plan.changes.files
    lines = [
        f"review {plan.changes.base[:12]}..{plan.changes.head[:12]} of {plan.repository}: "
        f"{len(files)} changed file(s)",
    ]
    lines += [f"  {f.status:<9} {printable(f.path)}" for f in files[:DRY_RUN_FILES_SHOWN]]
    if len(files) > DRY_RUN_FILES_SHOWN:
        lines.append(f"  ... and {len(files) - DRY_RUN_FILES_SHOWN} more")
    lines += [
        f"packed {included} file(s), {pack.used:,} of {pack.budget:,} budget tokens "
        f"({len(pack.entries) - included} ranked but not included, {len(pack.excluded)} excluded)",
        cost_line(plan, settings),
    ]
    context = [e.path for e in pack.included if e.role == "context"]
    if context:
        lines.append(f"context, most relevant first: {paths_note(context)}")
    return lines + [f"note: {note}" for note in plan_notes(plan)]


def cost_line(plan: ReviewPlan, settings: Settings) -> str:
    return (
        f"first request ~{plan.prompt_tokens:,} tokens to {settings.effective_model} "
        f"({settings.provider}); estimated cost ${plan.estimated_cost:.2f} "
        f"over ~{ESTIMATE_TURNS} turns "
        f"(cap ${settings.max_cost:.2f})"
    )


def paths_note(paths: Sequence[str], most: int = 5) -> str:
    """Paths for a one-line note: control characters escaped, at most ``most`` of them."""
    text = ", ".join(printable(p) for p in paths[:most])
    return text + (f" and {len(paths) - most} more" if len(paths) > most else "")


def runs_folder(settings: Settings, root: Path, default: str = "runs") -> Path:
    """Where runs save their files: the ``run_dir`` setting (relative to ``root``), else
    ``.git/reviewbot/<default>``."""
    base = Path(settings.run_dir) if settings.run_dir else root / ".git" / "reviewbot" / default
    return base if base.is_absolute() else root / base


def run_dir_for(settings: Settings, root: Path, head: str) -> Path:
    """Where one run saves its transcript and findings."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return runs_folder(settings, root) / f"{stamp}-{head[:8]}"
