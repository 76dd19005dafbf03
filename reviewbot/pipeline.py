"""The review pipeline, one way through: changes -> pack -> prompt -> agent -> findings.

``plan_review`` does everything up to the first model call (what ``--dry-run`` shows);
``execute`` runs the agent and the verification pass and returns the result, with the
transcript and the findings saved in the run directory before anything is published.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reviewbot.agent.guard import ContextGuard, GuardConfig
from reviewbot.agent.loop import Agent, AgentEvent, Limits, ToolStarted
from reviewbot.agent.tools import FindingsBook, ReviewTools
from reviewbot.agent.transcript import Redactor, Transcript
from reviewbot.agent.verify import verify
from reviewbot.config import Settings
from reviewbot.errors import ReviewbotError
from reviewbot.llm.client import ModelClient
from reviewbot.llm.pricing import Prices, cost_usd, prices_for
from reviewbot.llm.types import Usage
from reviewbot.pack.api import options_for
from reviewbot.pack.change import change_from_changeset
from reviewbot.pack.model import ContextPack
from reviewbot.pack.packer import pack_change
from reviewbot.pack.tokens import TokenCounter
from reviewbot.prompts import render
from reviewbot.repo import ChangeSet, FileChange, RepoView, render_changeset
from reviewbot.repo.gitdiff import MAX_DIFF_BLOB
from reviewbot.repo.globs import globset
from reviewbot.repo.guard import PathGuard
from reviewbot.repo.render import COLUMNS
from reviewbot.review.anchor import LineMap, anchor
from reviewbot.review.findings import Finding, Side, apply_filters, dedupe, order
from reviewbot.review.result import ReviewResult, RunStats
from reviewbot.review.sanitize import break_mentions, for_code, for_log, printable

# Used for the dry-run estimate: a typical review is about this many model turns.
ESTIMATE_TURNS = 12
ESTIMATE_OUTPUT_PER_TURN = 1_500


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

    # Paths from the command line are from the root; a folder covers what is below it.
    plain = {p.rstrip("/") for p in paths}
    globs = globset("/" + p for p in paths)

    def wanted(path: str) -> bool:
        return path in plain or globs.match(path)

    return replace(changes, files=tuple(f for f in changes.files if wanted(f.path)))


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


def path_rules(settings: Settings, changes: ChangeSet) -> list[dict[str, str]]:
    """The configured path instructions that apply to at least one changed file."""
    rules = []
    for glob, text in settings.path_instructions.items():
        if any(globset([glob]).match(f.path) for f in changes.files):
            rules.append({"glob": glob, "text": text})
    return rules


def build_messages(
    settings: Settings,
    *,
    repository: str,
    changes: ChangeSet,
    pack: ContextPack,
    title: str = "",
    description: str = "",
    override_root: Path | None = None,
) -> list[dict[str, Any]]:
    """System prompt, then the packed context (large, stable: cached from turn two on),
    then the task with the diff (nearest to where the model starts working)."""
    system = render(
        "system.md.j2",
        {"repository": repository, "instructions": settings.instructions},
        override_root=override_root,
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
        override_root=override_root,
    )
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": "# Repository context\n\n" + context},
        {"role": "user", "content": task},
    ]


def plan_review(
    settings: Settings,
    *,
    root: Path,
    changes: ChangeSet,
    view: RepoView,
    repository: str,
    counter: TokenCounter | None = None,
    title: str = "",
    description: str = "",
    override_root: Path | None = None,
    context: ChangeSet | None = None,
) -> ReviewPlan:
    """Pack and prompt for reviewing ``changes``. ``context``, when given, is the larger
    change the packed context is built from (a pull request's whole diff, while ``changes``
    is only what is new since the last review): its changed files are all in the context,
    and the diff given with the task is that of ``changes``."""
    counter = (counter or TokenCounter(settings.tokenizer)).start()
    changes, withheld = withhold_denied(changes, view.guard)
    packed = changes
    if context is not None:
        packed, more = withhold_denied(context, view.guard)
        withheld = tuple(dict.fromkeys((*withheld, *more)))
    change = change_from_changeset(packed, render_changeset(changes))
    pack = pack_change(view, change, options_for(settings), counter)
    messages = build_messages(
        settings,
        repository=repository,
        changes=changes,
        pack=pack,
        title=title,
        description=description,
        override_root=override_root,
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
    )


def code_from_diff(changes: ChangeSet) -> Callable[[str, int, int, Side], str]:
    """The text of diff lines, for fingerprints (both sides are in the hunks)."""
    texts: dict[tuple[str, Side, int], str] = {}
    for f in changes.files:
        for hunk in f.hunks:
            for line in hunk.lines:
                if line.new is not None:
                    texts[(f.path, "RIGHT", line.new)] = line.text
                if line.old is not None:
                    texts[(f.path, "LEFT", line.old)] = line.text

    def code_at(path: str, first: int, last: int, side: Side) -> str:
        return "\n".join(texts.get((path, side, n), "") for n in range(first, last + 1))

    return code_at


def run_dir_for(settings: Settings, root: Path, head: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    base = Path(settings.run_dir) if settings.run_dir else root / ".git" / "reviewbot" / "runs"
    if not base.is_absolute():
        base = root / base
    return base / f"{stamp}-{head[:8]}"


@dataclass(frozen=True)
class Execution:
    """How to run the agent: the model client, where to save, who listens."""

    client: ModelClient
    run_dir: Path
    secrets: tuple[str, ...] = ()
    on_event: Callable[[AgentEvent], None] | None = None
    transcript_path: Path | None = None


def execute(
    plan: ReviewPlan,
    settings: Settings,
    how: Execution,
    *,
    lines: LineMap | None = None,
    code_at: Callable[[str, int, int, Side], str] | None = None,
    counter: TokenCounter | None = None,
) -> ReviewResult:
    """Run the agent on a plan; findings are saved under ``how.run_dir`` before return."""
    started = time.monotonic()
    secrets = (*how.secrets, *settings.known_secrets)
    redact = Redactor(secrets)
    transcript = Transcript(how.transcript_path or how.run_dir / "transcript.jsonl", redact)
    book = FindingsBook()
    tools = ReviewTools(
        plan.view,
        lines or plan.changes,
        book,
        code_at=code_at or code_from_diff(plan.changes),
    )
    counter = (counter or TokenCounter(settings.tokenizer)).start()
    count = counter.count
    agent = Agent(
        how.client,
        tools.tools(),
        limits=Limits(
            max_steps=settings.max_steps,
            max_cost_usd=settings.max_cost,
            max_seconds=settings.max_seconds,
        ),
        guard=ContextGuard(
            GuardConfig(
                context_window=settings.context_window,
                output_reserve=settings.max_tokens,
            ),
            count=count,
        ),
        price=lambda usage: cost_usd(usage, plan.prices),
        transcript=transcript,
        on_event=redacting(how.on_event, redact),
    )
    changed = lines or plan.changes
    try:
        result = review(agent, plan, book, settings, changed, started, secrets)
    except BaseException as exc:
        # Whatever stops the run (the model API after retries, Ctrl-C, a bug), the findings
        # filed so far are saved, unverified, before the error is reported.
        kept = save_on_failure(
            how.run_dir, plan, book, settings, changed, agent, started, exc, secrets
        )
        transcript.note("failed", error=type(exc).__name__, findings=kept)
        raise
    else:
        save_result(how.run_dir, result, redact)
        transcript.note("finished", findings=len(result.findings), stopped_by=result.stopped_by)
        if agent.first_input_tokens:
            # Later packs in this process (an audit's next units) estimate with the API's
            # own count: what we counted for the first request against what it reported.
            schemas = json.dumps([tool.schema() for tool in tools.tools()])
            counter.calibration.observe(
                plan.prompt_tokens + count(schemas), agent.first_input_tokens
            )
        return result
    finally:
        transcript.close()


def redacting(
    on_event: Callable[[AgentEvent], None] | None, redact: Redactor
) -> Callable[[AgentEvent], None] | None:
    """``on_event`` seeing tool-call arguments with the run's secrets redacted (they are
    shown in progress lines; streamed deltas are fragments, redacted where lines form)."""
    if on_event is None:
        return None
    listener = on_event

    def forward(event: AgentEvent) -> None:
        if isinstance(event, ToolStarted):
            event = replace(event, arguments=redact(event.arguments))
        listener(event)

    return forward


def review(
    agent: Agent,
    plan: ReviewPlan,
    book: FindingsBook,
    settings: Settings,
    lines: LineMap,
    started: float,
    secrets: Sequence[str],
) -> ReviewResult:
    """The agent's review, then the verification pass of what it filed in ``book``."""
    outcome = agent.run(list(plan.messages))
    notes = plan_notes(plan)
    summary = outcome.summary or ""
    if outcome.stopped_by:
        notes.append(f"{outcome.note}; findings so far are kept")
    candidates = list(book.findings)
    if settings.verify and candidates and outcome.stopped_by is None:
        checked = verify(agent, candidates)
        candidates = list(checked.kept)
        summary = checked.summary or summary
        if checked.dropped:
            notes.append(f"verification dropped {checked.dropped} unconfirmed finding(s)")
        if checked.note:
            notes.append(checked.note)
    if agent.guard.fired:
        notes.append(
            f"context guard hid {agent.guard.hidden_outputs} old tool output(s) "
            f"in {agent.guard.fired} pass(es)"
        )
    return finish(
        candidates, summary, settings, lines, agent, started, notes, outcome.stopped_by, secrets
    )


def plan_notes(plan: ReviewPlan) -> list[str]:
    """What the reader should know about what the model did not see: changed files withheld
    (deny list) or without a diff (binary, or too large to diff), changed files whose
    content was not packed, and how many other files the context left out, by reason."""
    notes = []
    if plan.withheld:
        notes.append(
            f"{len(plan.withheld)} changed file(s) withheld from the model "
            f"(secrets deny list): {_paths(plan.withheld)}"
        )
    no_diff = [f.path for f in plan.changes.files if f.binary]
    if no_diff:
        notes.append(
            f"no diff shown for {len(no_diff)} changed file(s) (binary, or larger than "
            f"{MAX_DIFF_BLOB.upper()}iB): {_paths(no_diff)}"
        )
    cut = sum(
        int(n) for s in plan.pack.sections if s.role == "diff" for n in _DIFF_CUT.findall(s.text)
    )
    if cut:
        notes.append(f"the diff was cut to fit the budget: {cut:,} diff line(s) not shown")
    changed = {f.path for f in plan.changes.files}
    left_out = [x for x in plan.pack.excluded if x.path in changed and x.path not in no_diff]
    if left_out:
        shown = [f"{x.path} ({x.reason})" for x in left_out]
        notes.append(f"changed file(s) not packed whole: {_paths(shown)}")
    others = Counter(x.reason.split(" (")[0] for x in plan.pack.excluded if x.path not in changed)
    if others:
        counts = ", ".join(f"{n} {reason}" for reason, n in sorted(others.items()))
        notes.append(f"{sum(others.values())} other file(s) left out of the context: {counts}")
    return notes


_DIFF_CUT = re.compile(r"… diff cut: (\d+) more lines")  # what pack.fill writes where it cuts


def _paths(paths: Sequence[str], most: int = 5) -> str:
    """Paths for a one-line note: control characters escaped, at most ``most`` of them."""

    text = ", ".join(printable(p) for p in paths[:most])
    return text + (f" and {len(paths) - most} more" if len(paths) > most else "")


def save_on_failure(
    run_dir: Path,
    plan: ReviewPlan,
    book: FindingsBook,
    settings: Settings,
    lines: LineMap,
    agent: Agent,
    started: float,
    error: BaseException,
    secrets: Sequence[str],
) -> int:
    """Save the findings filed before ``error`` stopped the run (its hint names the file).

    Returns how many were kept; a failure to save never hides ``error``.
    """
    why = error.one_line() if isinstance(error, ReviewbotError) else type(error).__name__
    notes = [*plan_notes(plan), f"the run failed ({why}); findings so far are kept, unverified"]
    try:
        found = list(book.findings)
        result = finish(found, "", settings, lines, agent, started, notes, "error", secrets)
        target = save_result(run_dir, result, Redactor(secrets))
    except Exception:  # noqa: BLE001 - the original error is what the user must see
        return 0
    if isinstance(error, ReviewbotError) and result.findings:
        where = f"{len(result.findings)} finding(s) so far saved in {target}"
        error.hint = f"{error.hint}; {where}" if error.hint else where
    return len(result.findings)


def finish(
    candidates: list[Finding],
    summary: str,
    settings: Settings,
    lines: LineMap,
    agent: Agent,
    started: float,
    notes: list[str],
    stopped_by: str | None,
    secrets: Sequence[str] = (),
) -> ReviewResult:
    cleaned = [clean(f, secrets) for f in candidates]
    anchored = [anchor(f, lines) for f in dedupe(cleaned)]
    filtered = apply_filters(
        anchored, min_severity=settings.min_severity, max_comments=settings.max_comments
    )
    if filtered.below_min_severity:
        notes.append(f"{filtered.below_min_severity} finding(s) below {settings.min_severity}")
    if filtered.over_max_comments:
        notes.append(f"{filtered.over_max_comments} finding(s) over max_comments")
    usage = agent.totals.usage
    stats = RunStats(
        model=settings.effective_model,
        steps=agent.totals.steps,
        tool_calls=agent.totals.tool_calls,
        input_tokens=usage.input_tokens,
        cached_tokens=usage.cached_tokens,
        output_tokens=usage.output_tokens,
        reasoning_tokens=usage.reasoning_tokens,
        cost_usd=agent.totals.cost_usd,
        seconds=time.monotonic() - started,
    )
    return ReviewResult(
        summary=prose(summary, secrets),
        findings=tuple(order(filtered.kept)),
        stats=stats,
        notes=tuple(notes),
        stopped_by=stopped_by,
    )


def prose(text: str, secrets: Sequence[str]) -> str:
    """Model-written prose made harmless for every output: secrets redacted, no line can
    start a workflow command, mentions do not notify."""
    return break_mentions(for_log(text, secrets))


def clean(finding: Finding, secrets: Sequence[str]) -> Finding:
    """A finding's text made harmless (a suggestion is code: only secrets are redacted)."""
    suggestion = finding.suggestion
    return replace(
        finding,
        title=prose(finding.title, secrets),
        body=prose(finding.body, secrets),
        suggestion=None if suggestion is None else for_code(suggestion, secrets),
    )


def save_result(run_dir: Path, result: ReviewResult, redact: Redactor) -> Path:
    """Write findings.json atomically: a crash never leaves half a file."""
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / "findings.json"
    data = {**result.to_json(), "notes": list(result.notes), "stopped_by": result.stopped_by}
    tmp = target.with_suffix(".tmp")
    tmp.write_text(redact(json.dumps(data, indent=2, ensure_ascii=False)), encoding="utf-8")
    tmp.replace(target)
    return target
