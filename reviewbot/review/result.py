"""The outcome of a review or audit run, in the shape of the JSON output contract."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reviewbot.review.findings import Finding, at_least


@dataclass(frozen=True)
class RunStats:
    model: str = ""
    steps: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0

    @property
    def cached_share(self) -> float:
        return self.cached_tokens / self.input_tokens if self.input_tokens else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "steps": self.steps,
            "tool_calls": self.tool_calls,
            "input_tokens": self.input_tokens,
            "cached_tokens": self.cached_tokens,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "seconds": round(self.seconds, 3),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunStats:
        return cls(
            model=str(data.get("model", "")),
            steps=int(data.get("steps", 0)),
            tool_calls=int(data.get("tool_calls", 0)),
            input_tokens=int(data.get("input_tokens", 0)),
            cached_tokens=int(data.get("cached_tokens", 0)),
            output_tokens=int(data.get("output_tokens", 0)),
            reasoning_tokens=int(data.get("reasoning_tokens", 0)),
            cost_usd=float(data.get("cost_usd", 0.0)),
            seconds=float(data.get("seconds", 0.0)),
        )

    def __add__(self, other: RunStats) -> RunStats:
        return RunStats(
            model=self.model or other.model,
            steps=self.steps + other.steps,
            tool_calls=self.tool_calls + other.tool_calls,
            input_tokens=self.input_tokens + other.input_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
            seconds=self.seconds + other.seconds,
        )


@dataclass(frozen=True)
class Verification:
    """How the verification pass went: whether every finding got a verdict, and the
    findings it refuted (no longer published, kept here with their verdicts)."""

    complete: bool
    refuted: tuple[Finding, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"complete": self.complete, "refuted": [f.to_json() for f in self.refuted]}

    @classmethod
    def from_json(cls, data: Any) -> Verification | None:
        if not isinstance(data, dict):
            return None
        refuted = tuple(Finding.from_json(f) for f in data.get("refuted") or ())
        return cls(complete=bool(data.get("complete")), refuted=refuted)


@dataclass(frozen=True)
class ReviewResult:
    """Summary, findings (already filtered and ordered) and stats of one run.

    ``notes`` are short lines for the reader about how the run went: a limit reached,
    findings dropped by verification, files skipped.
    """

    summary: str
    findings: tuple[Finding, ...]
    stats: RunStats
    notes: tuple[str, ...] = field(default=())
    stopped_by: str | None = None  # the limit that ended the run early, if any
    verification: Verification | None = None  # None: the pass did not run

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "findings": [f.to_json() for f in self.findings],
            "stats": self.stats.to_json(),
            "notes": list(self.notes),
            "verification": None if self.verification is None else self.verification.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReviewResult:
        return cls(
            summary=str(data.get("summary", "")),
            findings=tuple(Finding.from_json(f) for f in data.get("findings", [])),
            stats=RunStats.from_json(data.get("stats", {})),
            notes=tuple(str(n) for n in data.get("notes") or ()),
            verification=Verification.from_json(data.get("verification")),
        )

    def fails(self, fail_on: str) -> bool:
        """Whether any finding is at or above ``fail_on`` (exit code 1)."""
        return any(at_least(f.severity, fail_on) for f in self.findings)


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {"critical": 0, "major": 0, "minor": 0, "nit": 0}
    for f in findings:
        counts[f.severity] += 1
    return counts
