"""Running the units of an audit one after another, within one cost cap for them all.

Each unit is one agent session (``pipeline.run.execute``: the same tools, limits, verification
pass and run directory as a review). ``max_cost`` covers the whole audit: every unit gets
what is left of it, and once it is spent no new unit starts; the findings of the units
that ran are kept. A unit that fails (the model API after the client's retries, git) ends
the run the same way: no new unit starts, and the findings it filed before the failure
(saved, unverified, in its ``findings.json``) come back in ``UnitsOutcome.failure`` so the
audit can still write its outputs. Progress goes to stderr, one line per unit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.agent.loop import AgentEvent
from reviewbot.audit.describe import shown
from reviewbot.audit.plan import AuditPlan, Unit
from reviewbot.audit.session import prepare_unit
from reviewbot.config import Settings
from reviewbot.errors import ReviewbotError
from reviewbot.llm.client import ModelClient
from reviewbot.llm.pricing import cost_usd
from reviewbot.llm.types import Usage
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline.prompt import NO_BRIEFING, Briefing
from reviewbot.pipeline.run import Execution, execute
from reviewbot.repo import RepoView
from reviewbot.review.findings import Finding
from reviewbot.review.result import ReviewResult, RunStats


@dataclass(frozen=True)
class UnitRun:
    unit: Unit
    result: ReviewResult | None  # None: not run (the cost cap), or failed (see `failure`)
    note: str = ""


@dataclass(frozen=True)
class UnitFailure:
    """The unit whose run failed, why, and what it had filed before (``partial``)."""

    unit: Unit
    position: int  # 1-based, among the units this run was to audit
    total: int
    error: ReviewbotError
    partial: ReviewResult | None  # its saved findings.json (unverified), when there is one

    @property
    def kept(self) -> tuple[Finding, ...]:
        return self.partial.findings if self.partial else ()

    def what(self) -> str:
        """Which unit failed and why, for the outputs (the error's message, not its hint)."""
        label = shown(self.unit.label)
        return f"unit {self.position}/{self.total} ({label}) failed: {self.error.message}"

    def line(self) -> str:
        """The same with the error's hint, for the terminal."""
        label = shown(self.unit.label)
        return f"unit {self.position}/{self.total} ({label}) failed: {self.error.one_line()}"


@dataclass(frozen=True)
class UnitsOutcome:
    runs: tuple[UnitRun, ...]  # the failed unit has ``result=None``; see ``failure``
    stats: RunStats
    stopped: str | None = None  # why units were left out, if any
    failure: UnitFailure | None = None

    @property
    def ran(self) -> tuple[UnitRun, ...]:
        """The units that completed."""
        return tuple(r for r in self.runs if r.result is not None)

    @property
    def not_run(self) -> tuple[Unit, ...]:
        """The units that did not start (a cost cap, or a failure before them)."""
        failed = self.failure.unit if self.failure else None
        return tuple(r.unit for r in self.runs if r.result is None and r.unit != failed)

    @property
    def stopped_by(self) -> str | None:
        if self.failure is not None:
            return "error"
        return "max_cost" if self.stopped else None


@dataclass(frozen=True)
class Runner:
    """What running units needs besides the plan."""

    client: ModelClient
    view: RepoView
    counter: TokenCounter
    run_dir: Path
    secrets: tuple[str, ...] = ()
    on_event: Callable[[AgentEvent], None] | None = None
    overrides: Mapping[str, str] | None = None
    briefing: Briefing = NO_BRIEFING  # the maintainers' learnings


def run_units(
    audit: AuditPlan,
    units: Sequence[Unit],
    settings: Settings,
    how: Runner,
    *,
    err: Console | None = None,
) -> UnitsOutcome:
    """Run ``units`` in order; stop starting new ones when ``max_cost`` is spent."""
    cap = settings.max_cost
    spent = 0.0
    stats = RunStats(model=settings.effective_model)
    runs: list[UnitRun] = []
    stopped: str | None = None
    total = len(units)
    failure: UnitFailure | None = None
    for i, unit in enumerate(units, start=1):
        if stopped is not None:
            runs.append(UnitRun(unit, None, stopped))
            continue
        where = how.run_dir / f"unit-{unit.number:04d}-{unit.id}"
        try:
            left = cap - spent if cap else None
            result = _run_unit(audit, unit, settings, how, where, left=left, step=f"{i}/{total}",
                               err=err)  # fmt: skip
        except ReviewbotError as exc:
            failure = UnitFailure(unit, i, total, exc, saved_partial(where))
            if failure.partial is not None:
                spent += failure.partial.stats.cost_usd
                stats = stats + failure.partial.stats
            runs.append(UnitRun(unit, None, "failed"))
            stopped = f"not run: unit {i}/{total} failed before them"
            if err is not None:
                err.print(Text(f"{failure.line()} ({len(failure.kept)} finding(s) kept)"),
                          soft_wrap=True)  # fmt: skip
            continue
        if result is None:
            stopped = (
                f"not run: what is left of the max cost ${cap:.2f} "
                f"(${max(cap - spent, 0):.4f}) does not pay a unit's first call"
            )
            runs.append(UnitRun(unit, None, stopped))
            continue
        spent += result.stats.cost_usd
        stats = stats + result.stats
        runs.append(UnitRun(unit, result))
        if err is not None:
            err.print(
                Text(
                    f"unit {i}/{total} done: {len(result.findings)} finding(s), "
                    f"${result.stats.cost_usd:.4f} (audit so far ${spent:.4f})"
                    + (f"; {result.stopped_by} reached" if result.stopped_by else "")
                ),
                soft_wrap=True,
            )
        if result.stopped_by == "max_cost" and cap:
            stopped = f"not run: the max cost ${cap:.2f} was spent by earlier units"
    return UnitsOutcome(tuple(runs), stats, stopped, failure)


def _run_unit(
    audit: AuditPlan,
    unit: Unit,
    settings: Settings,
    how: Runner,
    where: Path,
    *,
    left: float | None,
    step: str,
    err: Console | None,
) -> ReviewResult | None:
    """One unit's session with ``left`` dollars (None: no cap); None when that does not pay
    its first call. Failures propagate (``execute`` has saved the findings filed so far)."""
    session = prepare_unit(
        audit, unit, how.view, settings, how.counter, overrides=how.overrides,
        briefing=how.briefing,
    )  # fmt: skip
    first_call = cost_usd(Usage(input_tokens=session.plan.prompt_tokens), audit.prices)
    if left is not None and left < first_call:
        return None
    if err is not None:
        err.print(
            Text(
                f"unit {step}: {shown(unit.label)} ({len(unit.files)} file(s), "
                f"~{unit.tokens:,} tokens, risk {unit.risk:.1f})"
            ),
            soft_wrap=True,
        )
    result = execute(
        session.plan,
        replace(settings, max_cost=0.0 if left is None else left),
        Execution(
            client=how.client,
            run_dir=where,
            secrets=how.secrets,
            on_event=how.on_event,
        ),
        lines=session.lines,
        code_at=session.code_at,
        counter=how.counter,
    )
    notes = list(result.notes)
    if session.excerpts:
        notes.append(f"shown as excerpts: {shown(', '.join(session.excerpts))}")
    if session.listed:
        listed = shown(", ".join(session.listed))
        notes.append(f"not shown (too large for the budget): {listed}")
    return replace(result, notes=tuple(notes))


def saved_partial(where: Path) -> ReviewResult | None:
    """The findings a failed unit's run saved before the failure (``pipeline.run.execute``
    writes them with ``stopped_by: "error"``); None when nothing was saved."""
    try:
        data = json.loads((where / "findings.json").read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("stopped_by") != "error":
            return None
        result = ReviewResult.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    notes = tuple(str(n) for n in data.get("notes") or ())
    return replace(result, notes=notes, stopped_by="error")
