"""`reviewbot audit` and `reviewbot audit merge`: plan, shard, run units, publish.

Findings are saved before anything is posted: the run folder's ``audit.sarif``, the state
file and the ``-o`` output are written first, the tracking issue last. A unit that fails
(after the model client's retries) stops the audit from starting more units, but the
result of the units completed, plus the failed unit's findings saved before the failure
(unverified, noted), is still written; the run then exits 3 with one line saying what
failed and what was kept. The coverage recorded (SARIF, state file) leaves out the failed
unit and the units not run, so ``--since last`` or a merge audits them later and the
tracking issue never ticks their earlier findings off as fixed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.audit.assemble import assemble
from reviewbot.audit.describe import describe_plan, safe_lines, shown
from reviewbot.audit.issue import issue_repository, publish_issue
from reviewbot.audit.outputs import AuditResult, merge_results, read_output, render_sarif
from reviewbot.audit.plan import AuditPlan, Unit, plan_audit
from reviewbot.audit.report import permalinks, render_report, repository_url
from reviewbot.audit.runner import Runner, UnitsOutcome, run_units
from reviewbot.audit.shard import Shard, parse_shard, select
from reviewbot.audit.state import (
    resolve_since,
    save_state,
    state_path,
    widen,
)
from reviewbot.config import Settings
from reviewbot.errors import EXIT_FINDINGS, EXIT_OK, ReviewbotError, UsageError
from reviewbot.github.learnings_issue import read_learnings
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline.plan import run_dir_for
from reviewbot.pipeline.prompt import NO_BRIEFING, Briefing
from reviewbot.pipeline.session import model_session
from reviewbot.prompts import overrides_at
from reviewbot.publish.output import emit, source_of, write_text
from reviewbot.repo import RepoView
from reviewbot.repo.refs import repository_name
from reviewbot.review.result import RunStats


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
    if job.issue:
        issue_repository(environ)  # a missing token is told before any unit runs
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
        overrides=overrides_at(view),
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
    briefing = _learnings(settings, environ, err, quiet=job.quiet) if todo else NO_BRIEFING
    outcome = _execute(audit, todo, settings, job, view, counter, run_dir, err, briefing)
    url = repository_url(job.root, environ)
    result = assemble(audit, chosen, todo, outcome, since, shard, url=url, date=today())
    _save(run_dir, result)
    if shard is None:
        state = state_path(settings, job.root)
        save_state(state, head, result.date, result.result.findings, result.covered)
    saved = str(run_dir / "audit.sarif")
    failure = outcome.failure
    try:
        publish(result, job.fmt, job.output, out, view)
    except ReviewbotError as exc:
        also = [f"the audit is saved in {saved}"] + ([failure.line()] if failure else [])
        exc.hint = "; ".join([exc.hint, *also] if exc.hint else also)
        raise
    problems = [failure.line()] if failure else []
    if job.issue:
        problems += _update_issue(result, environ, view, job.quiet, err)
    if problems:
        written = f"{job.output or 'the standard output'} and {saved}"
        raise _incomplete(problems, outcome, result, written, sharded=shard is not None) from (
            failure.error if failure else None
        )
    return EXIT_FINDINGS if result.result.fails(settings.fail_on) else EXIT_OK


def _learnings(
    settings: Settings, environ: Mapping[str, str], err: Console, *, quiet: bool
) -> Briefing:
    """The maintainers' learnings, when the audit runs where GitHub is known (a token and
    GITHUB_REPOSITORY, as in a workflow); an audit never fails for want of them."""
    token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN")
    if not settings.learnings or not token or not environ.get("GITHUB_REPOSITORY"):
        return NO_BRIEFING
    try:
        learnt = read_learnings(environ)
    except ReviewbotError as exc:
        err.print(Text(f"learnings left out: {exc.one_line()}"), soft_wrap=True)
        return NO_BRIEFING
    if learnt and not quiet:
        err.print(Text(f"{len(learnt)} learning(s) from the learnings issue"), soft_wrap=True)
    return Briefing(learnt)


def _update_issue(
    result: AuditResult, environ: Mapping[str, str], view: RepoView, quiet: bool, err: Console
) -> list[str]:
    """Upsert the tracking issue; a GitHub failure comes back as a line to report."""
    paths = {e.path for e in view.tracked_files()}
    try:
        made = publish_issue(result, environ, exists=paths.__contains__)
    except ReviewbotError as exc:
        return [f"the tracking issue was not updated: {exc.one_line()}"]
    if not quiet:
        verb = "created" if made.created else "updated"
        line = f"tracking issue #{made.number} {verb} ({made.fixed} ticked as fixed)"
        err.print(Text(line), soft_wrap=True)
    return []


def _incomplete(
    problems: list[str],
    outcome: UnitsOutcome,
    result: AuditResult,
    written: str,
    *,
    sharded: bool,
) -> ReviewbotError:
    """One line: what failed, what was kept and where, and what to run next."""
    failure = outcome.failure
    kept = f"kept {len(result.result.findings)} finding(s) in {written}"
    rest = ""
    if failure is not None:
        unverified = (
            f", {len(failure.kept)} unverified from the failed unit" if failure.kept else ""
        )
        kept += f" ({len(outcome.ran)} unit(s) completed{unverified})"
        again = "run this shard again" if sharded else "`reviewbot audit --since last` audits them"
        rest = f"; {len(outcome.not_run) + 1} unit(s) not audited: {again}"
    return ReviewbotError("; ".join(problems) + f"; {kept}{rest}")


def _execute(
    audit: AuditPlan,
    todo: tuple[Unit, ...],
    settings: Settings,
    job: AuditRun,
    view: RepoView,
    counter: TokenCounter,
    run_dir: Path,
    err: Console,
    briefing: Briefing = NO_BRIEFING,
) -> UnitsOutcome:
    if not todo:
        return UnitsOutcome((), RunStats(model=settings.effective_model))
    with model_session(
        settings, err, live=job.live, quiet=job.quiet, verbose=job.verbose
    ) as session:
        return run_units(
            audit,
            todo,
            settings,
            Runner(
                client=session.client,
                view=view,
                counter=counter,
                run_dir=run_dir,
                secrets=session.secrets,
                on_event=session.progress,
                overrides=overrides_at(view),
                briefing=briefing,
            ),
            err=None if job.quiet else err,
        )


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
    """Combine shard outputs (JSON or SARIF) into one; ``issue`` then upserts the tracking
    issue from the merged result (needs the GitHub variables in ``environ``); ``output`` is
    written before the issue is touched."""
    if not files:
        raise UsageError("audit merge needs at least one file")
    chosen = fmt or _SUFFIXES.get(output.suffix.lower(), "json")
    if issue:
        issue_repository(environ or {})  # told before any file is read
    parts = [read_output(f) for f in files]
    merged = merge_results(parts, date=today())
    publish(merged, chosen, output, out or Console(), None)
    if issue:
        try:
            publish_issue(merged, environ or {}, exists=lambda path: True)
        except ReviewbotError as exc:
            raise ReviewbotError(
                f"the tracking issue was not updated: {exc.one_line()}; "
                f"the merged audit is written to {output}"
            ) from exc
    return EXIT_OK
