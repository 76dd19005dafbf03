"""Stage three: what the agent filed becomes a result, and is saved.

``Reviewed`` is what a run hands on (the candidate findings, the summary, notes and the
run's totals); ``finish`` makes each finding harmless (secrets redacted, no workflow command,
no mention), anchors it where the destination accepts comments, dedupes, filters and orders.
``save_result`` writes ``findings.json`` atomically; ``save_on_failure`` does it for a run
that failed, and names the file in the error's hint.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from reviewbot.agent.transcript import Redactor
from reviewbot.config import Settings
from reviewbot.errors import ReviewbotError
from reviewbot.learnings.model import Learning, apply_learnings
from reviewbot.llm.types import Usage
from reviewbot.review.anchor import LineMap, anchor
from reviewbot.review.findings import Finding, apply_filters, dedupe, order
from reviewbot.review.result import ReviewResult, RunStats, Verification
from reviewbot.review.sanitize import break_mentions, for_code, for_log


@dataclass(frozen=True)
class Reviewed:
    """What one run of the agent produced, before anything is cleaned or filtered."""

    candidates: tuple[Finding, ...]
    summary: str
    notes: tuple[str, ...]
    stopped_by: str | None
    steps: int = 0
    tool_calls: int = 0
    usage: Usage = Usage()
    cost_usd: float = 0.0
    seconds: float = 0.0
    verification: Verification | None = None  # None: no pass ran; refuted ones not yet clean


@dataclass(frozen=True)
class Finishing:
    """How candidates become a result: the lines comments may sit on, what is kept, what
    is secret."""

    lines: LineMap
    model: str
    min_severity: str
    max_comments: int
    secrets: tuple[str, ...] = ()
    learnings: tuple[Learning, ...] = ()  # what the maintainers rejected before

    @classmethod
    def of(
        cls,
        settings: Settings,
        lines: LineMap,
        secrets: tuple[str, ...],
        learnings: tuple[Learning, ...] = (),
    ) -> Finishing:
        return cls(
            lines=lines,
            model=settings.effective_model,
            min_severity=settings.min_severity,
            max_comments=settings.max_comments,
            secrets=secrets,
            learnings=learnings,
        )


def finish(reviewed: Reviewed, how: Finishing) -> ReviewResult:
    cleaned = [clean(f, how.secrets) for f in reviewed.candidates]
    anchored = [anchor(f, how.lines) for f in dedupe(cleaned)]
    notes = list(reviewed.notes)
    if how.learnings:  # a finding the maintainers rejected before: dropped or downgraded
        taught = apply_learnings(anchored, how.learnings)
        anchored = list(taught.findings)
        notes.extend(taught.notes)
    filtered = apply_filters(anchored, min_severity=how.min_severity, max_comments=how.max_comments)
    if filtered.below_min_severity:
        notes.append(f"{filtered.below_min_severity} finding(s) below {how.min_severity}")
    if filtered.over_max_comments:
        notes.append(f"{filtered.over_max_comments} finding(s) over max_comments")
    usage = reviewed.usage
    stats = RunStats(
        model=how.model,
        steps=reviewed.steps,
        tool_calls=reviewed.tool_calls,
        input_tokens=usage.input_tokens,
        cached_tokens=usage.cached_tokens,
        output_tokens=usage.output_tokens,
        reasoning_tokens=usage.reasoning_tokens,
        cost_usd=reviewed.cost_usd,
        seconds=reviewed.seconds,
    )
    return ReviewResult(
        summary=prose(reviewed.summary, how.secrets),
        findings=tuple(order(filtered.kept)),
        stats=stats,
        notes=tuple(notes),
        stopped_by=reviewed.stopped_by,
        verification=_cleaned(reviewed.verification, how.secrets),
    )


def _cleaned(verification: Verification | None, secrets: tuple[str, ...]) -> Verification | None:
    if verification is None:
        return None
    return replace(verification, refuted=tuple(clean(f, secrets) for f in verification.refuted))


def prose(text: str, secrets: tuple[str, ...]) -> str:
    """Model-written prose made harmless for every output: secrets redacted, no line can
    start a workflow command, mentions do not notify."""
    return break_mentions(for_log(text, secrets))


def clean(finding: Finding, secrets: tuple[str, ...]) -> Finding:
    """A finding's text made harmless (a suggestion is code: only secrets are redacted)."""
    suggestion = finding.suggestion
    verdict = finding.verdict
    if verdict is not None:  # the model's words too
        evidence = tuple(prose(e, secrets) for e in verdict.evidence)
        verdict = replace(verdict, reason=prose(verdict.reason, secrets), evidence=evidence)
    return replace(
        finding,
        title=prose(finding.title, secrets),
        body=prose(finding.body, secrets),
        suggestion=None if suggestion is None else for_code(suggestion, secrets),
        verdict=verdict,
    )


def save_result(run_dir: Path, result: ReviewResult, redact: Redactor) -> Path:
    """Write findings.json atomically: a crash never leaves half a file."""
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / "findings.json"
    data = {**result.to_json(), "notes": list(result.notes), "stopped_by": result.stopped_by}
    # One temporary name per process: two runs saving into one run folder (the same head
    # reviewed twice at once) must not move each other's half-written file.
    tmp = target.with_name(f"findings.{os.getpid()}.tmp")
    tmp.write_text(redact(json.dumps(data, indent=2, ensure_ascii=False)), encoding="utf-8")
    tmp.replace(target)
    return target


def save_on_failure(run_dir: Path, so_far: Reviewed, how: Finishing, error: BaseException) -> int:
    """Save the findings filed before ``error`` stopped the run (its hint names the file).

    Returns how many were kept; a failure to save never hides ``error``.
    """
    why = error.one_line() if isinstance(error, ReviewbotError) else type(error).__name__
    note = f"the run failed ({why}); findings so far are kept, unverified"
    try:
        failed = replace(so_far, notes=(*so_far.notes, note), stopped_by="error")
        result = finish(failed, how)
        target = save_result(run_dir, result, Redactor(how.secrets))
    except Exception:  # noqa: BLE001 - the original error is what the user must see
        return 0
    if isinstance(error, ReviewbotError) and result.findings:
        where = f"{len(result.findings)} finding(s) so far saved in {target}"
        error.hint = f"{error.hint}; {where}" if error.hint else where
    return len(result.findings)
