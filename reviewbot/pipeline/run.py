"""Stage two: the agent reviews the plan, then the verification pass re-examines what it
filed; the result is finished and saved before it is returned.

``execute`` saves the findings filed so far (unverified) when anything stops the run, then
lets the error go on; a run that completes calibrates the token counter with the API's
count of the first request (an audit's later units estimate with it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reviewbot.agent.guard import ContextGuard, GuardConfig
from reviewbot.agent.loop import Agent, AgentEvent, Limits, ToolStarted
from reviewbot.agent.tools import FindingsBook, ReviewTools, Tool
from reviewbot.agent.transcript import Redactor, Transcript
from reviewbot.agent.verify import verify
from reviewbot.config import Settings
from reviewbot.errors import RepositoryError
from reviewbot.llm.client import ModelClient
from reviewbot.llm.pricing import Prices, cost_usd
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline.finish import Finishing, Reviewed, finish, save_on_failure, save_result
from reviewbot.pipeline.plan import ReviewPlan, plan_notes
from reviewbot.prompts import render
from reviewbot.repo import ChangeSet, RepoView
from reviewbot.repo.diff import Side
from reviewbot.review.anchor import LineMap
from reviewbot.review.findings import Finding
from reviewbot.review.result import ReviewResult, Verification

CodeAt = Callable[[str, int, int, Side], str]


@dataclass(frozen=True)
class Execution:
    """How to run the agent: the model client, where to save, who listens."""

    client: ModelClient
    run_dir: Path
    secrets: tuple[str, ...] = ()
    on_event: Callable[[AgentEvent], None] | None = None
    transcript_path: Path | None = None


def code_from_diff(changes: ChangeSet) -> CodeAt:
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


def new_agent(
    how: Execution,
    tools: Sequence[Tool],
    settings: Settings,
    prices: Prices,
    limits: Limits,
    transcript: Transcript,
    count: Callable[[str], int],
) -> Agent:
    """The agent of a run: its limits, context guard, prices, transcript and listener."""
    return Agent(
        how.client,
        tools,
        limits=limits,
        guard=ContextGuard(
            GuardConfig(context_window=settings.context_window, output_reserve=settings.max_tokens),
            count=count,
        ),
        price=lambda usage: cost_usd(usage, prices),
        transcript=transcript,
        on_event=redacting(how.on_event, transcript.redact),
    )


def execute(
    plan: ReviewPlan,
    settings: Settings,
    how: Execution,
    *,
    lines: LineMap | None = None,
    code_at: CodeAt | None = None,
    counter: TokenCounter | None = None,
    tools: Sequence[Tool] = (),
) -> ReviewResult:
    """Run the agent on a plan; findings are saved under ``how.run_dir`` before return.
    ``tools`` are the front end's own, offered beside the review's (``describe_file``)."""
    started = time.monotonic()
    secrets = (*how.secrets, *settings.known_secrets)
    redact = Redactor(secrets)
    transcript = Transcript(how.transcript_path or how.run_dir / "transcript.jsonl", redact)
    book = FindingsBook()
    changed = lines or plan.changes
    base = base_view(plan)
    reviewing = ReviewTools(
        plan.view, changed, book, code_at=code_at or code_from_diff(plan.changes), base=base
    )
    offered = [*reviewing.tools(), *tools]
    counter = (counter or TokenCounter(settings.tokenizer)).start()
    limits = Limits(
        settings.max_steps, settings.max_cost, settings.max_seconds, settings.tool_timeout
    )
    agent = new_agent(how, offered, settings, plan.prices, limits, transcript, counter.count)
    finishing = Finishing.of(settings, changed, secrets, plan.briefing.learnings)
    try:
        result = finish(
            review(agent, plan, reviewing, verifying=settings.verify, started=started), finishing
        )
    except BaseException as exc:
        # Whatever stops the run (the model API after retries, Ctrl-C, a bug), the findings
        # filed so far are saved, unverified, before the error is reported.
        so_far = totals(agent, started, tuple(book.findings), "", tuple(plan_notes(plan)), None)
        kept = save_on_failure(how.run_dir, so_far, finishing, exc)
        transcript.note("failed", error=type(exc).__name__, findings=kept)
        raise
    else:
        save_result(how.run_dir, result, redact)
        transcript.note("finished", findings=len(result.findings), stopped_by=result.stopped_by)
        if agent.first_input_tokens:
            # Later packs in this process (an audit's next units) estimate with the API's
            # own count: what we counted for the first request against what it reported.
            schemas = json.dumps([tool.schema() for tool in offered])
            counter.calibration.observe(
                plan.prompt_tokens + counter.count(schemas), agent.first_input_tokens
            )
        return result
    finally:
        transcript.close()
        if base is not None:
            base.close()


def base_view(plan: ReviewPlan) -> RepoView | None:
    """The change's base commit, for ``read_base_file`` (None for an audit, or when the
    base is not in this clone: the tool then says there is no base version)."""
    changes = plan.changes
    if not changes.base or changes.base == changes.head:
        return None
    try:
        return plan.view.at(changes.base)
    except RepositoryError:
        return None


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
    agent: Agent, plan: ReviewPlan, tools: ReviewTools, *, verifying: bool, started: float
) -> Reviewed:
    """The agent's review, then the verification pass of what it filed in ``tools.book``."""
    outcome = agent.run(list(plan.messages))
    notes = plan_notes(plan)
    summary = outcome.summary or ""
    if outcome.stopped_by:
        notes.append(f"{outcome.note}; findings so far are kept, unverified")
    candidates = list(tools.book.findings)
    checked = None
    if verifying and candidates and outcome.stopped_by is None:
        checked = verify(
            agent, tools, candidates, lambda items: render("verify.md.j2", {"items": items})
        )
        candidates = list(checked.kept)
        summary = checked.summary or summary
        notes.extend(checked.notes)
    if agent.slip_note():
        notes.append(agent.slip_note())
    if agent.guard.fired:
        notes.append(
            f"context guard hid {agent.guard.hidden_outputs} old tool output(s) "
            f"in {agent.guard.fired} pass(es)"
        )
    reviewed = totals(agent, started, tuple(candidates), summary, tuple(notes), outcome.stopped_by)
    if checked is None:
        return reviewed
    return replace(reviewed, verification=Verification(checked.complete, checked.refuted))


def totals(
    agent: Agent,
    started: float,
    candidates: tuple[Finding, ...],
    summary: str,
    notes: tuple[str, ...],
    stopped_by: str | None,
) -> Reviewed:
    """``Reviewed`` with the agent's totals so far."""
    return Reviewed(
        candidates=candidates,
        summary=summary,
        notes=notes,
        stopped_by=stopped_by,
        steps=agent.totals.steps,
        tool_calls=agent.totals.tool_calls,
        usage=agent.totals.usage,
        cost_usd=agent.totals.cost_usd,
        seconds=time.monotonic() - started,
    )
