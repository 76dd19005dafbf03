"""`reviewbot audit --plan` as text: units, files, tokens, cost, and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from reviewbot.audit.plan import AuditPlan, Unit
from reviewbot.audit.shard import Shard
from reviewbot.audit.state import Since
from reviewbot.pipeline.plan import ESTIMATE_TURNS
from reviewbot.review.sanitize import neutralize_commands

FILES_SHOWN = 3


def shown(text: str) -> str:
    """A path or label as one line: control characters and line separators escaped, so a
    file name can neither break a line nor start a workflow command in a CI log."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
        for c in text
    )


def safe_lines(lines: Sequence[str]) -> str:
    """Lines for a terminal or a log: no line can start a workflow command."""
    return neutralize_commands("\n".join(lines))


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
        f"audit plan for {shown(plan.repository)} at {plan.head[:12]}: {plan.files:,} file(s) in "
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
            f"{u.number:>4}. {shown(u.label)}  [{u.id}]  risk {u.risk:.1f} · {len(u.files)} "
            f"file(s) · ~{u.tokens:,} tokens · ~${plan.unit_cost(u):.2f}"
        )
        lines.append(f"      why: {shown('; '.join(u.reasons))}")
        listed = u.files if verbose else u.files[:FILES_SHOWN]
        for f in listed:
            why = shown("; ".join(f.reasons[:3])) if f.reasons else "no risk signal"
            lines.append(f"      {shown(f.path)}  {f.score:.1f}  ~{f.tokens:,} tokens  {why}")
        if len(u.files) > len(listed):
            lines.append(f"      … {len(u.files) - len(listed)} more file(s) (-v lists them)")
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
