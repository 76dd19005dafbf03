"""What the verification pass concluded about one finding, kept with it in the output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

VerdictKind = Literal["confirm", "refute", "downgrade", "unverified"]
VERDICT_KINDS: tuple[VerdictKind, ...] = ("confirm", "refute", "downgrade", "unverified")


@dataclass(frozen=True)
class Verdict:
    """``unverified``: the pass ended (a limit, prose, a cut-off) before a verdict came.

    ``evidence`` holds ``path:line`` or ``path:first-last`` references the model gave;
    ``severity_before`` and ``line_before`` are set when the verdict changed them.
    """

    verdict: VerdictKind
    reason: str = ""
    evidence: tuple[str, ...] = ()
    severity_before: str | None = None
    line_before: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "evidence": list(self.evidence),
            "severity_before": self.severity_before,
            "line_before": self.line_before,
        }

    @classmethod
    def from_json(cls, data: Any) -> Verdict | None:
        if not isinstance(data, dict) or data.get("verdict") not in VERDICT_KINDS:
            return None
        line = data.get("line_before")
        return cls(
            verdict=data["verdict"],
            reason=str(data.get("reason", "")),
            evidence=tuple(str(e) for e in data.get("evidence") or ()),
            severity_before=data.get("severity_before") or None,
            line_before=int(line) if isinstance(line, int) else None,
        )
