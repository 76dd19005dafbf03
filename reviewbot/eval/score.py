"""Scores: which findings hit a known defect, and the totals over a run.

A finding hits when it is in the gold file, on the gold side, and its lines
(``line``..``end_line``) come within ``TOLERANCE`` lines of a gold line. An instance with a
defect is found when at least one finding hits. Over a run:

- recall = instances found / instances with a defect;
- precision = findings that hit / all findings, clean instances included (on a clean
  change every finding is a false positive); undefined when there are no findings;
- F1 = 2PR / (P + R), 0 when either is 0 or undefined;
- findings per clean change, and tokens, cost and seconds per review.

The findings scored are those the review publishes (its JSON ``findings``); what the
verification pass refuted is only counted.

A review that failed counts with no findings (it found nothing) and is listed as an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewbot.eval.instances import GoldLine, Instance
from reviewbot.repo.diff import Side

TOLERANCE = 3
STAT_KEYS = (
    "input_tokens",
    "cached_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost_usd",
    "seconds",
)


@dataclass(frozen=True)
class Reported:
    """One finding of a review, as its JSON output gives it."""

    path: str
    line: int
    end_line: int | None = None
    side: Side = "RIGHT"
    severity: str = ""
    title: str = ""

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Reported:
        end = raw.get("end_line")
        side: Side = "LEFT" if raw.get("side") == "LEFT" else "RIGHT"
        return cls(
            path=str(raw["path"]),
            line=int(raw["line"]),
            end_line=int(end) if end is not None else None,
            side=side,
            severity=str(raw.get("severity", "")),
            title=str(raw.get("title", "")),
        )


@dataclass(frozen=True)
class ReviewOutcome:
    """What one review of one instance produced."""

    instance: str
    findings: tuple[Reported, ...] = ()
    stats: Mapping[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0
    error: str | None = None  # the review did not complete: its one-line reason
    model: str = ""
    refuted: int = 0  # findings the verification pass refuted (not published, not scored)


def hits(finding: Reported, gold: GoldLine, tolerance: int = TOLERANCE) -> bool:
    if finding.path != gold.path or finding.side != gold.side:
        return False
    first = finding.line
    last = max(finding.end_line or first, first)
    distance = (
        0 if first <= gold.line <= last else min(abs(gold.line - first), abs(gold.line - last))
    )
    return distance <= tolerance


@dataclass(frozen=True)
class InstanceScore:
    instance: str
    kind: str
    findings: int
    true_findings: int
    found: bool | None  # None: a clean instance (nothing to find)
    error: str | None
    stats: Mapping[str, float]
    wall_seconds: float
    refuted: int = 0


def score_instance(instance: Instance, outcome: ReviewOutcome) -> InstanceScore:
    true = [f for f in outcome.findings if any(hits(f, g) for g in instance.gold)]
    return InstanceScore(
        instance=instance.id,
        kind=instance.kind,
        findings=len(outcome.findings),
        true_findings=len(true),
        found=bool(true) if instance.gold else None,
        error=outcome.error,
        stats=dict(outcome.stats),
        wall_seconds=outcome.wall_seconds,
        refuted=outcome.refuted,
    )


@dataclass(frozen=True)
class Summary:
    reviews: int
    defects: int
    found: int
    findings: int
    true_findings: int
    clean: int
    clean_findings: int
    errors: int
    refuted: int
    recall: float
    precision: float | None
    f1: float
    findings_per_clean: float | None
    per_review: Mapping[str, float]  # mean of each STAT_KEYS value, and wall_seconds
    recall_by_kind: Mapping[str, float]


def summarize(scores: Sequence[InstanceScore]) -> Summary:
    defects = [s for s in scores if s.found is not None]
    clean = [s for s in scores if s.found is None]
    found = sum(1 for s in defects if s.found)
    findings = sum(s.findings for s in scores)
    true = sum(s.true_findings for s in scores)
    recall = found / len(defects) if defects else 0.0
    precision = true / findings if findings else None
    f1 = f1_score(precision, recall)
    kinds = sorted({s.kind for s in defects})
    by_kind = {
        k: sum(1 for s in defects if s.kind == k and s.found)
        / sum(1 for s in defects if s.kind == k)
        for k in kinds
    }
    means = {key: _mean([s.stats.get(key, 0.0) for s in scores]) for key in STAT_KEYS}
    means["wall_seconds"] = _mean([s.wall_seconds for s in scores])
    return Summary(
        reviews=len(scores),
        defects=len(defects),
        found=found,
        findings=findings,
        true_findings=true,
        clean=len(clean),
        clean_findings=sum(s.findings for s in clean),
        errors=sum(1 for s in scores if s.error),
        refuted=sum(s.refuted for s in scores),
        recall=recall,
        precision=precision,
        f1=f1,
        findings_per_clean=(sum(s.findings for s in clean) / len(clean)) if clean else None,
        per_review=means,
        recall_by_kind=by_kind,
    )


def f1_score(precision: float | None, recall: float) -> float:
    if not precision or not recall:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
