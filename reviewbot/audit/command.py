"""`reviewbot audit` and `reviewbot audit merge`: plan, shard, run units, publish."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.audit.describe import describe_plan, safe_lines, shown
from reviewbot.audit.issue import publish_issue
from reviewbot.audit.outputs import AuditResult, merge_results, read_output, render_sarif
from reviewbot.audit.plan import AuditPlan, Unit, plan_audit
from reviewbot.audit.report import permalinks, render_report, repository_url
from reviewbot.audit.runner import Runner, UnitRun, UnitsOutcome, run_units
from reviewbot.audit.shard import Shard, parse_shard, select
from reviewbot.audit.state import (
    Since,
    carry_over,
    resolve_since,
    save_state,
    state_path,
    widen,
)
from reviewbot.config import Settings
from reviewbot.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from reviewbot.llm.client import ChatClient, ClientConfig
from reviewbot.local_review import repository_name
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline import run_dir_for
from reviewbot.progress import Progress
from reviewbot.publish.output import emit, source_of, write_text
from reviewbot.repo import RepoView
from reviewbot.review.findings import Finding, dedupe, order
from reviewbot.review.result import ReviewResult, RunStats, count_by_severity


@dataclass(frozen=True)
class AuditRun:
    root: Path
    shard: str | None
    plan_only: bool
    since: str | None
    issue: bool
    fmt: str
    output: Path | None
    quiet: bool
    verbose: bool
    live: bool


def today() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def run(
    settings: Settings, job: AuditRun, environ: Mapping[str, str], *, out: Console, err: Console
) -> int:
    shard = parse_shard(job.shard) if job.shard else None
    if job.issue and job.plan_only:
        raise UsageError("--issue and --plan cannot be used together", hint="pick one")
    with RepoView(
        job.root, "HEAD", deny_paths=settings.deny_paths, max_file_bytes=settings.max_file_bytes
    ) as view:
        return _run(settings, job, environ, shard, view, out=out, err=err)


def _run(
    settings: Settings,
    job: AuditRun,
    environ: Mapping[str, str],
    shard: Shard | None,
    view: RepoView,
    *,
    out: Console,
    err: Console,
) -> int:
    assert view.ref is not None
    head = view.ref
    counter = TokenCounter(settings.tokenizer).start()
    audit = plan_audit(
        view,
        settings,
        head=head,
        repository=repository_name(job.root),
        counter=counter,
        override_root=job.root,
    )
    chosen = select(audit.units, shard)
    since = None
    if job.since:
        state = state_path(settings, job.root)
        found = resolve_since(job.since, root=job.root, head=head, state=state)
        since = widen(found, (p for u in audit.units for p in u.paths))
    todo = chosen if since is None else tuple(u for u in chosen if set(u.paths) & since.touched)
    if job.plan_only:
        if job.fmt == "json":
            data = audit.to_json(todo)
            data["shard"] = shard.label if shard else None
            data["since"] = since.base if since else None
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        else:
            text = safe_lines(describe_plan(audit, todo, shard, since, verbose=job.verbose)) + "\n"
        write_text(text, job.output, out)
        return EXIT_OK
    if not job.quiet:
        where = f" (shard {shard.label})" if shard else ""
        changed = f", {len(todo)} touched since {since.label}" if since else ""
        err.print(
            Text(
                f"audit of {shown(audit.repository)} at {head[:12]}{where}: {len(chosen)} of "
                f"{len(audit.units)} unit(s){changed}; estimated ${audit.cost(todo):.2f} "
                f"(cap ${settings.max_cost:.2f})"
            ),
            soft_wrap=True,
        )
    run_dir = run_dir_for(settings, job.root, head)
    outcome = _execute(audit, todo, settings, job, view, counter, run_dir, err)
    result = _assemble(audit, chosen, todo, outcome, since, shard, job, environ)
    _save(run_dir, result)
    if shard is None:
        state = state_path(settings, job.root)
        save_state(state, head, result.date, result.result.findings, result.covered)
    if job.issue:
        paths = {e.path for e in view.tracked_files()}
        made = publish_issue(result, environ, exists=paths.__contains__)
        if not job.quiet:
            verb = "created" if made.created else "updated"
            line = f"tracking issue #{made.number} {verb} ({made.fixed} ticked as fixed)"
            err.print(Text(line), soft_wrap=True)
    publish(result, job.fmt, job.output, out, view)
    return EXIT_FINDINGS if result.result.fails(settings.fail_on) else EXIT_OK


def _execute(
    audit: AuditPlan,
    todo: tuple[Unit, ...],
    settings: Settings,
    job: AuditRun,
    view: RepoView,
    counter: TokenCounter,
    run_dir: Path,
    err: Console,
) -> UnitsOutcome:
    if not todo:
        return UnitsOutcome((), RunStats(model=settings.effective_model))
    config = ClientConfig.from_settings(settings)
    progress = Progress.for_run(
        err, settings, live=job.live, quiet=job.quiet, verbose=job.verbose,
        secrets=(config.api_key,),
    )  # fmt: skip
    with ChatClient(config) as client, progress:
        return run_units(
            audit,
            todo,
            settings,
            Runner(
                client=client,
                view=view,
                counter=counter,
                run_dir=run_dir,
                secrets=(config.api_key,),
                on_event=progress,
                override_root=job.root,
            ),
            err=None if job.quiet else err,
        )


def _assemble(
    audit: AuditPlan,
    chosen: tuple[Unit, ...],
    todo: tuple[Unit, ...],
    outcome: UnitsOutcome,
    since: Since | None,
    shard: Shard | None,
    job: AuditRun,
    environ: Mapping[str, str],
) -> AuditResult:
    ran = outcome.ran
    found = [f for r in ran if r.result is not None for f in r.result.findings]
    skipped = [u for u in todo if u not in {r.unit for r in ran}]
    rest = [u for u in chosen if u not in todo]
    carried = carry_over(
        since.previous if since else None,
        [p for u in rest for p in u.paths],
        since.touched if since else frozenset(),
    )
    findings = tuple(order(dedupe([*found, *carried])))
    covered = {p for r in ran for p in r.unit.paths}
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
    if outcome.stopped:
        notes.append(f"{len(skipped)} unit(s) {outcome.stopped}")
    for r in ran:
        assert r.result is not None
        notes += [f"{r.unit.label}: {n}" for n in r.result.notes]
    summary = _summary(audit, chosen, ran, findings, shard)
    result = ReviewResult(
        summary=summary,
        findings=findings,
        stats=outcome.stats,
        notes=tuple(notes),
        stopped_by="max_cost" if outcome.stopped else None,
    )
    return AuditResult(
        result=result,
        head=audit.head,
        repository=audit.repository,
        date=today(),
        shard=shard.label if shard else None,
        units={p: u.label for u in chosen for p in u.paths},
        covered=None if covered == everything else frozenset(covered),
        repository_url=repository_url(job.root, environ),
        units_run=len(ran),
        units_total=len(audit.units),
    )


def _summary(
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


def _save(run_dir: Path, audit: AuditResult) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "audit.sarif").write_text(render_sarif(audit), encoding="utf-8")


def publish(
    audit: AuditResult, fmt: str, output: Path | None, out: Console, view: RepoView | None
) -> None:
    if fmt == "sarif":
        write_text(render_sarif(audit), output, out)
    elif fmt == "markdown":
        write_text(render_report(audit, link=permalinks(audit)), output, out)
    elif fmt == "json":
        emit(audit.result, "json", output=output, console=out)
    else:
        emit(audit.result, "text", output=output, console=out, source=source_of(view))


_SUFFIXES = {".sarif": "sarif", ".json": "json", ".md": "markdown", ".markdown": "markdown"}


def merge(
    files: list[Path],
    output: Path,
    fmt: str | None,
    *,
    issue: bool = False,
    environ: Mapping[str, str] | None = None,
    out: Console | None = None,
) -> int:
    """Combine shard outputs (JSON or SARIF) into one; ``issue`` also upserts the tracking
    issue from the merged result (needs the GitHub variables in ``environ``)."""
    if not files:
        raise UsageError("audit merge needs at least one file")
    chosen = fmt or _SUFFIXES.get(output.suffix.lower(), "json")
    parts = [read_output(f) for f in files]
    merged = merge_results(parts, date=today())
    if issue:
        publish_issue(merged, environ or {}, exists=lambda path: True)
    publish(merged, chosen, output, out or Console(), None)
    return EXIT_OK
