"""One unit as one agent session: its prompt, its line map and its fingerprint source.

Prompt order (the same as a review's): the system prompt, then the context (repository
guidance, then the unit's files numbered line by line, least risky first so the riskiest
sit nearest the task), then the audit task. Files are numbered ``N<TAB>text``: the model
must cite exact lines, and a tab costs about one token a line (a padded column costs three).

Comments may sit on any line of the unit's own files and nowhere else (``WholeFiles``):
every file belongs to exactly one unit, so shards and units never report the same line
twice, and an incremental audit knows exactly which findings a re-audited unit replaces.
When the files turn out larger than estimated, the least risky ones are cut to excerpts
around their security-relevant lines (``reviewbot.pack.chunk``) or only listed; the
model can read the rest with ``read_file``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reviewbot.audit.plan import GUIDANCE_CAP, AuditPlan, Unit
from reviewbot.audit.risk import content_hits, line_numbers
from reviewbot.config import Settings
from reviewbot.pack.chunk import select
from reviewbot.pack.model import Chunk, ContextPack, PackEntry, Section
from reviewbot.pack.render import file_block, heading, numbered_lines
from reviewbot.pack.scan import WORD_TABLE
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline.plan import ReviewPlan
from reviewbot.pipeline.prompt import NO_BRIEFING, Briefing, maintainer_messages
from reviewbot.prompts import render
from reviewbot.repo import ChangeSet, RepoView
from reviewbot.repo.diff import Side
from reviewbot.repo.globs import globset
from reviewbot.repo.textfile import decode, split_lines
from reviewbot.review.anchor import WholeFiles

LISTED_ONLY = 64  # tokens kept per file for the files that come after the current one
MIN_EXCERPT = 400


@dataclass(frozen=True)
class UnitSession:
    plan: ReviewPlan
    lines: WholeFiles
    code_at: Callable[[str, int, int, Side], str]
    excerpts: tuple[str, ...]  # files shown only in part
    listed: tuple[str, ...]  # files not shown at all (read with read_file)


def _guidance(view: RepoView, paths: tuple[str, ...], counter: TokenCounter) -> list[Section]:
    out: list[Section] = []
    for path, data in view.read_many(paths):
        text, _ = decode(data)
        if counter.estimate(len(data)) > GUIDANCE_CAP:
            cut = text[: int(GUIDANCE_CAP * 3.5)].rsplit("\n", 1)[0]
            text = cut + "\n… (cut; read_file for the rest)\n"
        block = file_block(path, text, (), "markdown", role="guidance")
        out.append(Section("guidance", path, block, counter.count(block)))
    return out


def prepare_unit(
    audit: AuditPlan,
    unit: Unit,
    view: RepoView,
    settings: Settings,
    counter: TokenCounter,
    *,
    overrides: Mapping[str, str] | None = None,
    briefing: Briefing = NO_BRIEFING,
) -> UnitSession:
    """The messages and line map of ``unit``, exactly counted and within the budget;
    ``briefing`` carries the maintainers' learnings (a message after the system prompt)."""
    count = counter.count
    raw = dict(view.read_many(unit.paths))
    texts = {p: split_lines(decode(raw[p])[0]) for p in unit.paths}
    system = render(
        "system.md.j2",
        {"repository": audit.repository, "instructions": settings.instructions},
        overrides=overrides,
    )
    guidance = _guidance(view, audit.guidance, counter)
    excerpts: list[str] = []
    listed: list[str] = []
    task = _task(audit, unit, settings, overrides, excerpts=set(), listed=set())
    taught = maintainer_messages(briefing)
    room = audit.budget - count(system) - count(task) - sum(s.tokens for s in guidance) - 64
    room -= sum(count(m["content"]) + 4 for m in taught)
    taken: dict[str, tuple[str, int, tuple[Chunk, ...]]] = {}
    for i, f in enumerate(unit.files):  # riskiest first
        after = LISTED_ONLY * (len(unit.files) - i - 1)
        body = "".join(f"{row}\n" for row in numbered_lines(texts[f.path]))
        block = file_block(f.path, body, (), "markdown", role="audit")
        tokens = count(block)
        if tokens <= room - after:
            taken[f.path] = (block, tokens, ())
            room -= tokens
            continue
        cap = (room - after) // 2 if i < len(unit.files) - 1 else room - after
        chunks = _excerpt(f.path, raw[f.path], cap, count) if cap >= MIN_EXCERPT else ()
        if chunks:
            block = file_block(f.path, body, chunks, "markdown", role="audit")
            tokens = count(block)
            if tokens <= room - after:
                taken[f.path] = (block, tokens, chunks)
                room -= tokens
                excerpts.append(f.path)
                continue
        listed.append(f.path)
    sections: list[Section] = []
    if guidance:
        sections.append(Section("guidance", None, heading("Repository guidance", "markdown"), 0))
        sections.extend(guidance)
    title = "Files of this unit, line-numbered (N<TAB>text), least risky first"
    sections.append(Section("context", None, heading(title, "markdown"), 0))
    for f in reversed(unit.files):
        if f.path in taken:
            block, tokens, _ = taken[f.path]
            sections.append(Section("context", f.path, block, tokens))
    context = "# Repository context\n\n" + "".join(s.text for s in sections)
    task = _task(audit, unit, settings, overrides, set(excerpts), set(listed))
    messages = [
        {"role": "system", "content": system},
        *taught,
        {"role": "user", "content": context},
        {"role": "user", "content": task},
    ]
    used = count(context)
    pack = ContextPack(
        mode="all",
        budget=audit.budget,
        used=used,
        entries=tuple(
            PackEntry(
                path=f.path,
                tokens=taken[f.path][1] if f.path in taken else f.tokens,
                exact=f.path in taken,
                score=f.score,
                reasons=f.reasons,
                included=f.path in taken,
                role="context" if f.path in taken else None,
                chunks=taken[f.path][2] if f.path in taken else (),
            )
            for f in unit.files
        ),
        excluded=(),
        sections=tuple(sections),
        head=audit.head,
    )
    plan = ReviewPlan(
        repository=audit.repository,
        changes=ChangeSet(audit.head, audit.head, ()),
        pack=pack,
        messages=tuple(messages),
        prompt_tokens=sum(count(m["content"]) + 4 for m in messages),
        prices=audit.prices,
        view=view,
        briefing=briefing,
    )

    def code_at(path: str, first: int, last: int, side: Side) -> str:
        return "\n".join(texts.get(path, [])[first - 1 : last])

    line_counts = {p: len(lines) for p, lines in texts.items()}
    return UnitSession(plan, WholeFiles(line_counts), code_at, tuple(excerpts), tuple(listed))


def _excerpt(path: str, data: bytes, cap: int, count: Callable[[str], int]) -> tuple[Chunk, ...]:
    hits = content_hits(data, data.translate(WORD_TABLE).split())
    focus = line_numbers(data, hits.offsets)
    return select(path, data, cap_tokens=cap, count=count, focus_lines=focus)


def path_rules(settings: Settings, paths: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {"glob": glob, "text": text}
        for glob, text in settings.path_instructions.items()
        if any(map(globset([glob]).match, paths))
    ]


def _task(
    audit: AuditPlan,
    unit: Unit,
    settings: Settings,
    overrides: Mapping[str, str] | None,
    excerpts: set[str],
    listed: set[str],
) -> str:
    files: list[Mapping[str, Any]] = [
        {
            "path": f.path + (" (not shown: read it with read_file)" if f.path in listed else ""),
            "lines": f.lines,
            "excerpt": f.path in excerpts,
            "reasons": [r for r in f.reasons[:3]],
        }
        for f in unit.files
    ]
    return render(
        "audit.md.j2",
        {
            "unit": unit.label,
            "unit_number": unit.number,
            "unit_total": len(audit.units),
            "files": files,
            "neighbours": list(unit.neighbours),
            "path_instructions": path_rules(settings, unit.paths),
        },
        overrides=overrides,
    )
