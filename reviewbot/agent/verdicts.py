"""The verdicts of the verification pass, as the model records them with ``verify_finding``.

The pass is complete only when every candidate finding has a verdict. ``results`` applies
them: a confirmed or downgraded finding is kept (with its corrected line and severity), a
refuted one is set aside, and one without a verdict is kept and marked ``unverified``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from reviewbot.repo.diff import Side
from reviewbot.review.findings import Finding, Severity, fingerprint
from reviewbot.review.verdict import Verdict

Ruled = Literal["confirm", "refute", "downgrade"]
CodeAt = Callable[[str, int, int, Side], str]


@dataclass(frozen=True)
class Ruling:
    verdict: Ruled
    reason: str
    evidence: tuple[str, ...]
    severity: Severity | None = None  # downgrade: the new, lower severity
    line: int | None = None  # the corrected first line


@dataclass
class VerdictBook:
    """The candidate findings under verification (F1, F2, ...) and their verdicts."""

    findings: tuple[Finding, ...] = ()
    rulings: dict[str, Ruling] = field(default_factory=dict)
    active: bool = False  # the pass is running: verify_finding open, add_comment closed
    early_finishes: int = 0  # finish_review calls refused for missing verdicts

    def open(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        self.rulings = {}
        self.active = True
        self.early_finishes = 0

    def close(self) -> None:
        self.active = False

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(f"F{i}" for i in range(1, len(self.findings) + 1))

    def finding(self, ident: str) -> Finding | None:
        return dict(zip(self.ids, self.findings, strict=True)).get(ident)

    def missing(self) -> list[str]:
        return [i for i in self.ids if i not in self.rulings]

    def record(self, ident: str, ruling: Ruling) -> str:
        self.rulings[ident] = ruling
        left = self.missing()
        if not left:
            return "recorded; every finding has a verdict: call finish_review(summary)"
        return f"recorded; still to verify: {', '.join(left)}"

    def nudge(self) -> str:
        """What to say when the model replies without calling a tool during the pass."""
        left = self.missing()
        if not left:
            return (
                "You replied without calling a tool. Every finding has a verdict: call "
                "finish_review(summary) with the final summary."
            )
        return (
            "You replied without calling a tool; verdicts written as text are not recorded. "
            f"Still to verify: {', '.join(left)}. Call verify_finding(id, verdict, evidence, "
            "reason) for each, then finish_review(summary)."
        )

    def results(self, code_at: CodeAt) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
        """(findings kept, findings refuted), each carrying its verdict."""
        kept: list[Finding] = []
        refuted: list[Finding] = []
        for ident, finding in zip(self.ids, self.findings, strict=True):
            ruling = self.rulings.get(ident)
            if ruling is None:
                kept.append(replace(finding, verdict=Verdict("unverified")))
            elif ruling.verdict == "refute":
                verdict = Verdict("refute", ruling.reason, ruling.evidence)
                refuted.append(replace(finding, verdict=verdict))
            else:
                kept.append(_apply(finding, ruling, code_at))
        return tuple(kept), tuple(refuted)


def _apply(finding: Finding, ruling: Ruling, code_at: CodeAt) -> Finding:
    verdict = Verdict(ruling.verdict, ruling.reason, ruling.evidence)
    if ruling.severity is not None and ruling.severity != finding.severity:
        verdict = replace(verdict, severity_before=finding.severity)
        finding = replace(finding, severity=ruling.severity)
    if ruling.line is not None and ruling.line != finding.line:
        verdict = replace(verdict, line_before=finding.line)
        code = code_at(finding.path, ruling.line, ruling.line, finding.side)
        finding = replace(
            finding,
            line=ruling.line,
            end_line=None,
            suggestion=None,  # it replaced the lines the finding was filed on
            fingerprint=fingerprint(finding.path, finding.title, code),
        )
    return replace(finding, verdict=verdict)
