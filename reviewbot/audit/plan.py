"""Audit planning: which files, how risky, in which units, in which order, and why.

    tracked files -> path rules (the packer's, plus audit.include / audit.exclude)
                  -> code only (documentation, data and build files are skipped)
                  -> one streaming scan (lines, imports, security content)
                  + git history (churn)  -> a risk score per file, each term a reason
                  -> units of related files within the budget (``group``)
                  -> units ordered by risk

Nothing here calls the model: ``reviewbot audit --plan`` prints this plan and exits.
Token counts of files are estimated from their size and line count (the unit's files are
numbered line by line when they are sent); the exact count happens when a unit runs.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from reviewbot.audit.group import Group, group
from reviewbot.audit.risk import NO_HITS
from reviewbot.audit.scan import FileFacts, Resolver, kind_of, scan, within
from reviewbot.audit.scoring import churn, fan_in, score_file
from reviewbot.config import Settings
from reviewbot.errors import ConfigError
from reviewbot.llm.pricing import Prices, cost_usd, prices_for
from reviewbot.llm.types import Usage
from reviewbot.pack.api import options_for
from reviewbot.pack.imports import PathIndex
from reviewbot.pack.model import Excluded
from reviewbot.pack.packer import Source, candidates
from reviewbot.pack.signals import guidance
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline.plan import ESTIMATE_OUTPUT_PER_TURN, ESTIMATE_TURNS
from reviewbot.prompts import render
from reviewbot.repo.globs import globset

HISTORY_COMMITS = 2000
SCAN_LIMIT = 4_000_000_000  # bytes of content read for evidence
TOKENS_PER_LINE = 2.5  # the line numbers the unit's files are sent with
FILE_OVERHEAD = 16  # header and fences per file
TASK_PER_FILE = 60  # the file's line in the task's list, with its top reasons
PROMPT_OVERHEAD = 800  # the audit task's fixed text
GUIDANCE_CAP = 4000  # tokens per guidance file in every unit
ESTIMATE_MARGIN = 0.9  # estimates run short on dense code: group to 90% of the room
MIN_UNIT_ROOM = 1000


@dataclass(frozen=True)
class FileRisk:
    path: str
    tokens: int  # estimated, numbered as sent
    lines: int
    score: float
    reasons: tuple[str, ...]  # "+2.0 sensitive path: cryptography", most weighty first
    categories: tuple[str, ...] = ()  # security categories seen in its path or content

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "tokens": self.tokens,
            "lines": self.lines,
            "risk": round(self.score, 3),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Unit:
    """Files audited together in one agent session."""

    id: str  # stable: derived from the unit's paths
    number: int  # 1-based position in risk order
    label: str
    files: tuple[FileRisk, ...]  # riskiest first
    tokens: int
    risk: float
    reasons: tuple[str, ...]
    neighbours: tuple[str, ...] = ()  # import neighbours outside the unit
    oversized: bool = False

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "label": self.label,
            "risk": round(self.risk, 3),
            "tokens": self.tokens,
            "reasons": list(self.reasons),
            "neighbours": list(self.neighbours),
            "files": [f.to_json() for f in self.files],
        }


@dataclass(frozen=True)
class AuditPlan:
    repository: str
    head: str
    budget: int  # settings.pack_budget
    room: int  # tokens a unit's files may take (budget minus prompt and guidance)
    units: tuple[Unit, ...]
    skipped: tuple[Excluded, ...]
    guidance: tuple[str, ...]
    overhead: int  # prompt tokens every unit carries besides its files
    prices: Prices
    commits: int = 0  # commits of history read for churn
    scanned_bytes: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def files(self) -> int:
        return sum(len(u.files) for u in self.units)

    def unit_cost(self, unit: Unit) -> float:
        """Estimated USD: the first turn uncached, the rest cached (like ``review --dry-run``)."""
        prompt = unit.tokens + self.overhead
        first = Usage(input_tokens=prompt, output_tokens=ESTIMATE_OUTPUT_PER_TURN)
        later = Usage(
            input_tokens=prompt, cached_tokens=prompt, output_tokens=ESTIMATE_OUTPUT_PER_TURN
        )
        return cost_usd(first, self.prices) + (ESTIMATE_TURNS - 1) * cost_usd(later, self.prices)

    def cost(self, units: Sequence[Unit] | None = None) -> float:
        return sum(self.unit_cost(u) for u in (self.units if units is None else units))

    def unit_of(self) -> dict[str, Unit]:
        return {f.path: u for u in self.units for f in u.files}

    def to_json(self, units: Sequence[Unit] | None = None) -> dict[str, Any]:
        chosen = self.units if units is None else tuple(units)
        return {
            "repository": self.repository,
            "head": self.head,
            "budget": self.budget,
            "room": self.room,
            "overhead": self.overhead,
            "estimated_cost_usd": round(self.cost(chosen), 4),
            "history_commits": self.commits,
            "units": [u.to_json() for u in chosen],
            "skipped": [x.to_json() for x in self.skipped],
            "guidance": list(self.guidance),
            "notes": list(self.notes),
        }


def planned_tokens(counter: TokenCounter, facts: FileFacts) -> int:
    """What a file adds to a unit's prompt: its text (the counter's one estimate from bytes),
    the line numbers the model sees, and the per-file overheads."""
    return (
        counter.estimate(facts.size)
        + round(TOKENS_PER_LINE * facts.lines)
        + FILE_OVERHEAD
        + TASK_PER_FILE
    )


# Planning -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    code: list[str]  # audited (extension says code)
    maybe: list[str]  # extensionless: code only with a #! line
    skipped: dict[str, str]
    sizes: dict[str, int]  # every candidate (for import resolution)
    guidance: tuple[str, ...]


def select_files(source: Source, settings: Settings) -> Selection:
    cands = candidates(source, options_for(settings))
    skipped = dict(cands.excluded)
    include = globset(settings.audit_include)
    exclude = globset(settings.audit_exclude)
    code: list[str] = []
    maybe: list[str] = []
    for path in sorted(cands.sizes):
        if include and not include.match(path):
            skipped[path] = "not in audit.include"
        elif exclude.match(path):
            skipped[path] = "excluded by config (audit.exclude)"
        else:
            kind = kind_of(path)
            if kind == "code":
                code.append(path)
            elif kind == "maybe":
                maybe.append(path)
            else:
                ext = posixpath.splitext(path)[1] or posixpath.basename(path)
                skipped[path] = f"not source code ({ext})"
    found = tuple(sorted(guidance(list(cands.sizes), ())))
    return Selection(code, maybe, skipped, cands.sizes, found)


def plan_audit(
    source: Source,
    settings: Settings,
    *,
    head: str,
    repository: str,
    counter: TokenCounter | None = None,
    overrides: Mapping[str, str] | None = None,
    history_commits: int = HISTORY_COMMITS,
    scan_limit: int = SCAN_LIMIT,
) -> AuditPlan:
    """The audit plan for the tree ``source`` shows (see the module's docstring)."""
    counter = (counter or TokenCounter(settings.tokenizer)).start()
    chosen = select_files(source, settings)
    with ThreadPoolExecutor(max_workers=1) as pool:  # git log waits on a pipe: overlap it
        pending = pool.submit(source.history, history_commits)
        readable = list(within(chosen.code + chosen.maybe, chosen.sizes, scan_limit))
        outcome = scan(
            source.read_many(readable),
            Resolver(PathIndex(chosen.sizes)),
            maybe=frozenset(chosen.maybe),
        )
        history = pending.result()
    skipped = {**chosen.skipped, **outcome.excluded}
    facts = dict(outcome.facts)
    unread = [p for p in chosen.code if p not in facts and p not in skipped]
    for path in unread:
        size = chosen.sizes[path]
        facts[path] = FileFacts(path, size, max(size // 40, 1), frozenset(), NO_HITS, False)
    for path in chosen.maybe:
        if path not in facts and path not in skipped:
            skipped[path] = "not source code (no extension; over the scan limit)"
    overhead = _overhead(settings, counter, chosen, repository, overrides)
    room = int((settings.pack_budget - overhead) * ESTIMATE_MARGIN)
    if room < MIN_UNIT_ROOM:
        raise ConfigError(
            f"the budget of {settings.pack_budget:,} tokens leaves no room for an audit unit "
            f"(the prompt and guidance take ~{overhead:,})",
            hint="raise --budget or context_window",
        )
    changes = churn(history)
    importers = fan_in(facts)
    risks: dict[str, FileRisk] = {}
    for path in sorted(facts):
        f = facts[path]
        score, reasons, cats = score_file(
            path, f, changes.get(path), importers.get(path, 0), commits=len(history)
        )
        risks[path] = FileRisk(path, planned_tokens(counter, f), f.lines, score, reasons, cats)
    edges = [(f.path, t) for f in facts.values() for t in f.imports if t in risks]
    groups = group({p: r.tokens for p, r in risks.items()}, edges, room, fan_in=importers)
    units = _units(groups, risks, facts)
    notes = []
    if unread:
        notes.append(f"{len(unread)} file(s) over the scan limit ranked by path and size only")
    return AuditPlan(
        repository=repository,
        head=head,
        budget=settings.pack_budget,
        room=room,
        units=units,
        skipped=tuple(Excluded(p, r) for p, r in sorted(skipped.items())),
        guidance=chosen.guidance,
        overhead=overhead,
        prices=prices_for(settings.effective_model, settings),
        commits=len(history),
        scanned_bytes=outcome.scanned_bytes,
        notes=tuple(notes),
    )


def _overhead(
    settings: Settings,
    counter: TokenCounter,
    chosen: Selection,
    repository: str,
    overrides: Mapping[str, str] | None,
) -> int:
    system = render(
        "system.md.j2",
        {"repository": repository, "instructions": settings.instructions},
        overrides=overrides,
    )
    guides = sum(min(counter.estimate(chosen.sizes[p]), GUIDANCE_CAP) for p in chosen.guidance)
    return counter.count(system) + guides + PROMPT_OVERHEAD


def unit_id(paths: Sequence[str]) -> str:
    return "u-" + hashlib.sha1("\n".join(sorted(paths)).encode()).hexdigest()[:10]  # noqa: S324


def label_for(g: Group, tokens: Mapping[str, int]) -> str:
    """The folder (or part of one) a unit grew from, or its two largest folders."""
    folders: dict[str, int] = {}
    for p in g.paths:
        folder = posixpath.dirname(p) or "(repository root)"
        folders[folder] = folders.get(folder, 0) + tokens[p]
    if len(folders) == 1:
        return g.label
    ordered = sorted(folders, key=lambda f: (-folders[f], f))
    more = f" + {len(ordered) - 2} more" if len(ordered) > 2 else ""
    return " + ".join(ordered[:2]) + more


def _units(
    groups: Sequence[Group], risks: Mapping[str, FileRisk], facts: Mapping[str, FileFacts]
) -> tuple[Unit, ...]:
    tokens = {p: r.tokens for p, r in risks.items()}
    importers_of: dict[str, list[str]] = {}
    for f in facts.values():
        for t in f.imports:
            importers_of.setdefault(t, []).append(f.path)
    drafts: list[Unit] = []
    for g in groups:
        files = sorted((risks[p] for p in g.paths), key=lambda r: (-r.score, r.path))
        top = [f.score for f in files[:3]]
        risk = sum(w * s for w, s in zip((1.0, 0.5, 0.25), top, strict=False))
        inside = set(g.paths)
        outside: dict[str, int] = {}
        for p in g.paths:
            for t in (*facts[p].imports, *importers_of.get(p, ())):
                if t not in inside:
                    outside[t] = outside.get(t, 0) + 1
        neighbours = tuple(sorted(outside, key=lambda p: (-outside[p], p))[:12])
        riskiest = ", ".join(f"{f.path} ({f.score:.1f})" for f in files[:2] if f.score)
        reasons = (*g.reasons, *((f"riskiest: {riskiest}",) if riskiest else ()))
        drafts.append(
            Unit(
                id=unit_id(g.paths),
                number=0,
                label=label_for(g, tokens),
                files=tuple(files),
                tokens=g.tokens,
                risk=risk,
                reasons=reasons,
                neighbours=neighbours,
                oversized=g.oversized,
            )
        )
    drafts.sort(key=lambda u: (-u.risk, u.label, u.id))
    return tuple(replace(u, number=i) for i, u in enumerate(drafts, start=1))
