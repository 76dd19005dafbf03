"""Running the units of an audit one after another, within one cost cap for them all.

Each unit is one agent session (``pipeline.execute``: the same tools, limits, verification
pass and run directory as a review). ``max_cost`` covers the whole audit: every unit gets
what is left of it, and once it is spent no new unit starts; the findings of the units
that ran are kept. Progress goes to stderr, one line per unit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.agent.loop import AgentEvent
from reviewbot.audit.describe import shown
from reviewbot.audit.plan import AuditPlan, Unit
from reviewbot.audit.session import prepare_unit
from reviewbot.config import Settings
from reviewbot.llm.client import ModelClient
from reviewbot.llm.pricing import cost_usd
from reviewbot.llm.types import Usage
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline import Execution, execute
from reviewbot.repo import RepoView
from reviewbot.review.result import ReviewResult, RunStats


@dataclass(frozen=True)
class UnitRun:
    unit: Unit
    result: ReviewResult | None  # None: not run (the cost cap was spent first)
    note: str = ""


@dataclass(frozen=True)
class UnitsOutcome:
    runs: tuple[UnitRun, ...]
    stats: RunStats
    stopped: str | None = None  # why units were left out, if any

    @property
    def ran(self) -> tuple[UnitRun, ...]:
        return tuple(r for r in self.runs if r.result is not None)


@dataclass(frozen=True)
class Runner:
    """What running units needs besides the plan."""

    client: ModelClient
    view: RepoView
    counter: TokenCounter
    run_dir: Path
    secrets: tuple[str, ...] = ()
    on_event: Callable[[AgentEvent], None] | None = None
    override_root: Path | None = None


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
    for i, unit in enumerate(units, start=1):
        if stopped is not None:
            runs.append(UnitRun(unit, None, stopped))
            continue
        left = cap - spent if cap else 0.0
        session = prepare_unit(
            audit, unit, how.view, settings, how.counter, override_root=how.override_root
        )
        first_call = cost_usd(Usage(input_tokens=session.plan.prompt_tokens), audit.prices)
        if cap and left < first_call:
            stopped = (
                f"not run: what is left of the max cost ${cap:.2f} "
                f"(${max(left, 0):.4f}) does not pay a unit's first call"
            )
            runs.append(UnitRun(unit, None, stopped))
            continue
        if err is not None:
            err.print(
                Text(
                    f"unit {i}/{total}: {shown(unit.label)} ({len(unit.files)} file(s), "
                    f"~{unit.tokens:,} tokens, risk {unit.risk:.1f})"
                ),
                soft_wrap=True,
            )
        result = execute(
            session.plan,
            replace(settings, max_cost=left),
            Execution(
                client=how.client,
                run_dir=how.run_dir / f"unit-{unit.number:04d}-{unit.id}",
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
        result = replace(result, notes=tuple(notes))
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
    return UnitsOutcome(tuple(runs), stats, stopped)
