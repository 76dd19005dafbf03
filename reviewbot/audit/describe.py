"""`reviewbot audit --plan` as text: units, files, tokens, cost, and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from reviewbot.audit.plan import AuditPlan, Unit
from reviewbot.audit.shard import Shard
from reviewbot.audit.state import Since
from reviewbot.pipeline import ESTIMATE_TURNS

FILES_SHOWN = 3


def _kind(reason: str) -> str:
    """A skip reason without its detail ("not source code (.md)" -> "not source code")."""
    return reason.split(" (", 1)[0]


def describe_plan(
    plan: AuditPlan,
    units: Sequence[Unit],
    shard: Shard | None,
    since: Since | None,
    *,
    verbose: bool = False,
) -> list[str]:
    files = sum(len(u.files) for u in units)
    tokens = sum(u.tokens for u in units)
    lines = [
        f"audit plan for {plan.repository} at {plan.head[:12]}: {plan.files:,} file(s) in "
        f"{len(plan.units):,} unit(s), {len(plan.skipped):,} file(s) skipped",
        f"budget {plan.budget:,} tokens a session: ~{plan.overhead:,} for the prompt and "
        f"guidance, units grouped to ~{plan.room:,}; risk from {plan.commits:,} commit(s) of "
        f"history and {plan.scanned_bytes / 1e6:,.1f} MB of content",
    ]
    if shard is not None:
        lines.append(f"shard {shard.label}: the units below (deterministic, balanced by tokens)")
    if since is not None:
        lines.append(
            f"since {since.label} ({since.base[:12]}): {len(since.touched):,} changed file(s); "
            "only units holding one are listed"
        )
    lines.append("")
    for u in units:
        lines.append(
            f"{u.number:>4}. {u.label}  [{u.id}]  risk {u.risk:.1f} · {len(u.files)} file(s) · "
            f"~{u.tokens:,} tokens · ~${plan.unit_cost(u):.2f}"
        )
        lines.append(f"      why: {'; '.join(u.reasons)}")
        shown = u.files if verbose else u.files[:FILES_SHOWN]
        for f in shown:
            why = "; ".join(f.reasons[:3]) if f.reasons else "no risk signal"
            lines.append(f"      {f.path}  {f.score:.1f}  ~{f.tokens:,} tokens  {why}")
        if len(u.files) > len(shown):
            lines.append(f"      … {len(u.files) - len(shown)} more file(s) (-v lists them)")
    lines.append("")
    lines.append(
        f"{len(units):,} unit(s), {files:,} file(s), ~{tokens:,} tokens; estimated cost "
        f"~${plan.cost(units):.2f} (~{ESTIMATE_TURNS} turns a unit, first uncached)"
    )
    if plan.skipped:
        kinds = Counter(_kind(x.reason) for x in plan.skipped)
        top = ", ".join(f"{n:,} {k}" for k, n in kinds.most_common(6))
        lines.append(f"skipped: {top} (--plan --format json lists every file and reason)")
    lines += [f"note: {n}" for n in plan.notes]
    return lines
