"""An audit's result, assembled from what its units did."""

from __future__ import annotations

from reviewbot.audit.outputs import AuditResult
from reviewbot.audit.plan import AuditPlan, Unit
from reviewbot.audit.runner import UnitFailure, UnitRun, UnitsOutcome
from reviewbot.audit.shard import Shard
from reviewbot.audit.state import Since, carry_over
from reviewbot.review.findings import Finding, dedupe, order
from reviewbot.review.result import ReviewResult, count_by_severity


def assemble(
    audit: AuditPlan,
    chosen: tuple[Unit, ...],
    todo: tuple[Unit, ...],
    outcome: UnitsOutcome,
    since: Since | None,
    shard: Shard | None,
    *,
    url: str,
    date: str,
) -> AuditResult:
    """The audit's result: what the units that ran found, the failed unit's unverified
    findings, what carries over unchanged from an earlier audit, notes, and what was
    covered (the failed and unstarted units' files are not)."""
    ran = outcome.ran
    failure = outcome.failure
    found = [f for r in ran if r.result is not None for f in r.result.findings]
    found += failure.kept if failure else ()
    skipped = outcome.not_run
    rest = [u for u in chosen if u not in todo]
    carried = carry_over(
        since.previous if since else None,
        [p for u in rest for p in u.paths],
        since.touched if since else frozenset(),
    )
    findings = tuple(order(dedupe([*found, *carried])))
    covered = {p for r in ran for p in r.unit.paths}  # not the failed unit's files
    if since is not None and since.previous is not None:
        covered |= {p for u in rest for p in u.paths}  # unchanged: carried findings hold
    everything = {p for u in audit.units for p in u.paths}
    notes: list[str] = []
    if since is not None:
        notes.append(
            f"incremental since {since.label} ({since.base[:12]}): {len(todo)} of "
            f"{len(chosen)} unit(s) touched"
            + (
                f"; {len(carried)} finding(s) carried over from {since.previous.source}"
                if since.previous
                else "; no earlier findings to carry over"
            )
        )
    if failure is not None:
        notes.append(failure_note(failure))
    if skipped:
        notes.append(f"{len(skipped)} unit(s) {outcome.stopped}")
    for r in ran:
        assert r.result is not None
        notes += [f"{r.unit.label}: {n}" for n in r.result.notes]
    summary = summary_of(audit, chosen, ran, findings, shard)
    if failure is not None:
        summary += f"\n\n**Incomplete audit**: {failure_note(failure)}."
    result = ReviewResult(
        summary=summary,
        findings=findings,
        stats=outcome.stats,
        notes=tuple(notes),
        stopped_by=outcome.stopped_by,
    )
    return AuditResult(
        result=result,
        head=audit.head,
        repository=audit.repository,
        date=date,
        shard=shard.label if shard else None,
        units={p: u.label for u in chosen for p in u.paths},
        covered=None if covered == everything else frozenset(covered),
        repository_url=url,
        units_run=len(ran),
        units_total=len(audit.units),
    )


def failure_note(failure: UnitFailure) -> str:
    n = len(failure.kept)
    kept = f"its {n} finding(s) filed before the failure are kept, unverified" if n else ""
    return "; ".join(x for x in (failure.what(), kept, "its files count as not audited") if x)


def summary_of(
    audit: AuditPlan,
    chosen: tuple[Unit, ...],
    ran: tuple[UnitRun, ...],
    findings: tuple[Finding, ...],
    shard: Shard | None,
) -> str:
    counts = count_by_severity(findings)
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none"
    where = f" (shard {shard.label})" if shard else ""
    lines = [
        f"Audit of {audit.repository} at {audit.head[:12]}{where}: {len(findings)} finding(s) "
        f"({tally}); {len(ran)} of {len(chosen)} unit(s) run."
    ]
    for r in ran:
        text = " ".join(r.result.summary.split()) if r.result else ""
        if text:
            lines.append(f"- **{r.unit.label}**: {text[:400]}")
    return "\n".join(lines)
