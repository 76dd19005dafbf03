"""The verification pass: every candidate finding is re-examined before it is kept.

It continues the same conversation (so the cached prefix is re-used) with one more tool,
``verify_finding``. Findings the model refutes, or leaves unconfirmed when the pass
completes, are dropped; if a limit cuts the pass short, unverified findings are kept and
the note says so (nothing is lost to a limit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.loop import Agent
from reviewbot.agent.tools import FunctionTool
from reviewbot.review.findings import Finding

INSTRUCTIONS = """\
Verification pass. Before anything is published, re-examine each candidate finding below
against the code: read the lines again, check callers, definitions and tests with the tools.
For each one call verify_finding(id, verdict, reason) with verdict "confirmed" only if you are
sure it is a real problem at that place, else "refuted". Then call finish_review(summary) with
the final summary (mention only confirmed findings).

{items}
"""


@dataclass
class Verdicts:
    ids: tuple[str, ...]
    verdicts: dict[str, tuple[str, str]] = field(default_factory=dict)

    def verify_finding(self, id: str, verdict: Literal["confirmed", "refuted"], reason: str) -> str:
        """Record whether a candidate finding holds up after re-examination.

        Args:
            id: the finding's id, e.g. F2
            verdict: confirmed or refuted
            reason: one sentence on what you checked
        """
        key = id.strip().upper()
        if key not in self.ids:
            raise ToolArgumentError(f"no finding {id!r}; the ids are {', '.join(self.ids)}")
        self.verdicts[key] = (verdict, reason)
        left = [i for i in self.ids if i not in self.verdicts]
        if not left:
            return "recorded; every finding has a verdict: call finish_review(summary)"
        return f"recorded; still to verify: {', '.join(left)}"


@dataclass(frozen=True)
class VerifyOutcome:
    kept: tuple[Finding, ...]
    dropped: int
    summary: str | None
    complete: bool
    note: str = ""


def describe(findings: list[Finding]) -> str:
    rows = []
    for i, f in enumerate(findings, start=1):
        where = f"{f.path}:{f.line}" + (f"-{f.end_line}" if f.end_line else "")
        side = " (LEFT, old file)" if f.side == "LEFT" else ""
        rows.append(f"F{i} [{f.severity}] {where}{side}: {f.title}\n{f.body}")
    return "\n\n".join(rows)


def verify(agent: Agent, findings: list[Finding]) -> VerifyOutcome:
    if not findings:
        return VerifyOutcome((), 0, None, True)
    ids = tuple(f"F{i}" for i in range(1, len(findings) + 1))
    verdicts = Verdicts(ids)
    outcome = agent.run(
        [{"role": "user", "content": INSTRUCTIONS.format(items=describe(findings))}],
        tools=[FunctionTool.of(verdicts.verify_finding)],
    )
    complete = outcome.stopped_by is None
    kept = []
    for ident, finding in zip(ids, findings, strict=True):
        verdict = verdicts.verdicts.get(ident, ("", ""))[0]
        if verdict == "confirmed" or (not complete and verdict != "refuted"):
            kept.append(finding)
    note = "" if complete else f"verification cut short ({outcome.note}); unverified kept"
    return VerifyOutcome(tuple(kept), len(findings) - len(kept), outcome.summary, complete, note)
