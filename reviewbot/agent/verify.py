"""The verification pass: every candidate finding is re-examined before it is kept.

It continues the same conversation with the same tools (so the provider's cached prefix,
tools first, is re-used): ``add_comment`` is closed and ``verify_finding`` open for the
pass. The pass is complete only when every finding has a verdict. When it ends otherwise
(a limit, replies in prose, replies cut off at the output limit, ``finish_review`` with
verdicts missing), the findings without a verdict are kept, marked ``unverified``, and a
note names them and says why: nothing is dropped without a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reviewbot.agent.loop import Agent
from reviewbot.agent.tools import ReviewTools
from reviewbot.review.findings import Finding

WHY = {
    "prose": "the model answered in prose instead of calling verify_finding",
    "cut_off": "the model's replies were cut off at the output limit",
    "finished_early": "the model called finish_review without them",
}


@dataclass(frozen=True)
class VerifyOutcome:
    kept: tuple[Finding, ...]  # confirmed, downgraded or unverified, each with its verdict
    refuted: tuple[Finding, ...]
    summary: str | None  # the final summary, when the pass finished properly
    complete: bool  # every finding got a verdict
    notes: tuple[str, ...] = ()


def describe(findings: Sequence[Finding]) -> str:
    rows = []
    for i, f in enumerate(findings, start=1):
        where = f"{f.path}:{f.line}" + (f"-{f.end_line}" if f.end_line else "")
        side = " (LEFT, old file)" if f.side == "LEFT" else ""
        side += "" if f.anchored else " (outside the diff)"
        rows.append(f"F{i} [{f.severity}] {where}{side}: {f.title}\n{f.body}")
    return "\n\n".join(rows)


def verify(
    agent: Agent,
    tools: ReviewTools,
    findings: Sequence[Finding],
    instructions: Callable[[str], str],
) -> VerifyOutcome:
    """Run the pass; ``instructions`` renders its message from the list of findings
    (``prompts/verify.md.j2``, rendered by the pipeline)."""
    if not findings:
        return VerifyOutcome((), (), None, True)
    book = tools.verdicts
    book.open(findings)
    try:
        outcome = agent.run(
            [{"role": "user", "content": instructions(describe(findings))}],
            nudge=book.nudge,
        )
    finally:
        book.close()
    kept, refuted = book.results(tools.code_at)
    missing = book.missing()
    notes = []
    if refuted:
        notes.append(f"verification refuted {len(refuted)} finding(s)")
    downgraded = sum(1 for f in kept if f.verdict and f.verdict.verdict == "downgrade")
    if downgraded:
        notes.append(f"verification downgraded {downgraded} finding(s)")
    if missing:
        why = WHY.get(outcome.ended, outcome.note)
        notes.append(
            f"verification ended without a verdict for {', '.join(missing)} ({why}); "
            "kept unverified"
        )
    summary = outcome.summary if outcome.ended == "finished" else None
    return VerifyOutcome(kept, refuted, summary, not missing, tuple(notes))
