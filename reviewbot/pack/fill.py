"""Filling the budget: the change first, then ranked context, then outlines of the rest.

Budget arithmetic: every section is counted exactly before it is taken, the total is
re-counted at the end, and context is dropped (least relevant first) until the whole text
fits, so ``used <= budget`` always holds. The reserves for the reply and for tool results
are outside the budget (``Settings.pack_budget``).

Prompt order: guidance, outlines, ranked context from least to most relevant, the changed
files, the diff. Stable material comes first (it is the same on every turn, so the
provider's prefix cache keeps it), and the most relevant text sits nearest the task that
the prompt appends after the pack: models attend best to the start and the end of a long
context, and the end is where the question is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from reviewbot.pack.chunk import select
from reviewbot.pack.langs import LANGUAGES, spec_for
from reviewbot.pack.model import Chunk, ContextPack, Excluded, PackEntry, Role, Section
from reviewbot.pack.rank import Ranked
from reviewbot.pack.render import (
    CHANGED_TITLE,
    Style,
    diff_block,
    file_block,
    heading,
    outline_block,
)
from reviewbot.pack.tokens import TokenCounter, estimate_tokens

Reader = Callable[[Sequence[str]], Iterator[tuple[str, bytes]]]

GUIDANCE_CAP = 4000  # tokens per guidance file
CONTEXT_SHARE = 8  # one context file takes at most budget / CONTEXT_SHARE, else chunked
OUTLINE_SHARE = 0.03
OUTLINE_FILES = 16
OUTLINE_MAX_BYTES = 60_000
MISSES = 400  # stop looking after this many files in a row that do not fit
CHANGED_SCORE = 1.0  # above any ranked score (the change's ranking shows them in (0, 1))


@dataclass(frozen=True)
class FillInput:
    budget: int
    ranked: Sequence[Ranked]
    sizes: Mapping[str, int]
    read: Reader
    counter: TokenCounter
    style: Style = "markdown"
    changed: Sequence[str] = ()  # paths of changed files to include (in diff order)
    focus_lines: Mapping[str, frozenset[int]] = field(default_factory=dict)
    focus_names: frozenset[str] = frozenset()
    terms: Mapping[bytes, float] = field(default_factory=dict)
    guidance: frozenset[str] = frozenset()
    diff_text: str | None = None
    excluded: Sequence[Excluded] = ()
    mode: str = "change"
    base: str = ""
    head: str = ""


@dataclass
class _Taken:
    path: str
    role: Role
    text: str
    tokens: int
    chunks: tuple[Chunk, ...] = ()


class _Cache:
    """Reads files in batches ahead of the greedy walk; forgets what it handed out."""

    def __init__(self, read: Reader, order: Sequence[str], batch: int = 64) -> None:
        self.read, self.order, self.batch = read, list(order), batch
        self.position = {p: i for i, p in reversed(list(enumerate(self.order)))}
        self.at = 0
        self.data: dict[str, bytes] = {}

    def get(self, path: str) -> bytes | None:
        if path not in self.data:
            start = self.position.get(path, -1)
            if start >= self.at:
                wanted = [p for p in self.order[start : start + self.batch] if p not in self.data]
                self.at = start + self.batch
            else:
                wanted = [path]
            self.data.update(self.read(wanted))
        return self.data.pop(path, None)


def fill(inp: FillInput) -> ContextPack:
    count = inp.counter.count
    style = inp.style
    remaining = inp.budget
    diff_lines_cut = 0
    taken: dict[str, _Taken] = {}
    tail: list[_Taken] = []

    # 1. the diff (cut to fit when it alone is larger than the budget)
    if inp.diff_text is not None:
        block = diff_block(inp.diff_text, style)
        tokens = count(block)
        if tokens > remaining:
            block, tokens, diff_lines_cut = _cut(inp.diff_text, remaining, count, style)
        if block:
            tail.append(_Taken("", "diff", block, tokens))
            remaining -= tokens

    # 2. the changed files: whole, or their changed parts when large (their heading first:
    # it is part of what they cost)
    changed = [p for p in inp.changed if p in inp.sizes]
    if changed:
        remaining -= count(heading(CHANGED_TITLE, style))
    cache = _Cache(inp.read, changed + [r.path for r in inp.ranked])
    for i, path in enumerate(changed):
        data = cache.get(path)
        if data is None:
            continue
        share = int(remaining * 0.6 / max(len(changed) - i, 1))
        got = _take(path, data, "changed", share, inp, focus=inp.focus_lines.get(path, frozenset()))
        if got is not None:
            taken[path] = got
            remaining -= got.tokens

    # 3. guidance, each capped
    for path in sorted(inp.guidance):
        if path in taken or path not in inp.sizes:
            continue
        data = cache.get(path)
        if data is None:
            continue
        got = _take(path, data, "guidance", min(GUIDANCE_CAP, remaining // 10), inp, head_only=True)
        if got is not None:
            taken[path] = got
            remaining -= got.tokens

    # 4. ranked context, greedy by rank; outlines get a reserve
    reserve = int(inp.budget * OUTLINE_SHARE) if inp.budget >= 20000 else 0
    remaining -= reserve
    per_file = max(inp.budget // CONTEXT_SHARE, 1)
    misses = 0
    for r in inp.ranked:
        if remaining < 64 or misses >= MISSES:
            break
        if r.path in taken or r.path not in inp.sizes:
            continue
        estimate = inp.counter.estimate(inp.sizes[r.path])
        if estimate > 2 * min(remaining, per_file) and estimate > 4 * per_file:
            misses += 1
            continue
        data = cache.get(r.path)
        if data is None:
            continue
        got = _take(r.path, data, "context", min(remaining, per_file), inp)
        if got is None:
            misses += 1
            continue
        misses = 0
        taken[r.path] = got
        remaining -= got.tokens
    remaining += reserve

    # 5. outlines of relevant files that did not fit
    outlines: list[_Taken] = []
    for r in inp.ranked[: OUTLINE_FILES * 4]:
        if len(outlines) >= OUTLINE_FILES or remaining < 64:
            break
        if r.path in taken or inp.sizes.get(r.path, OUTLINE_MAX_BYTES) >= OUTLINE_MAX_BYTES:
            continue
        if spec_for(r.path) is None:
            continue
        data = cache.get(r.path)
        syntax = LANGUAGES.parse(r.path, data) if data else None
        if syntax is None or not syntax.definitions:
            continue
        sigs = [
            (d.start_line, "  " * d.depth + d.signature) for d in syntax.definitions if d.depth <= 1
        ]
        block = outline_block(r.path, sigs[:80], style)
        tokens = count(block)
        if tokens <= remaining:
            outlines.append(_Taken(r.path, "outline", block, tokens))
            remaining -= tokens

    return replace(_assemble(inp, taken, outlines, tail), diff_lines_cut=diff_lines_cut)


def _take(
    path: str,
    data: bytes,
    role: Role,
    cap: int,
    inp: FillInput,
    *,
    focus: frozenset[int] = frozenset(),
    head_only: bool = False,
) -> _Taken | None:
    if cap <= 0:
        return None
    text = data.decode("utf-8", "replace")
    count = inp.counter.count
    if inp.counter.estimate(len(data)) <= cap * 1.5:
        block = file_block(path, text, (), inp.style, role=role)
        tokens = count(block)
        if tokens <= cap:
            return _Taken(path, role, block, tokens)
    overhead = count(file_block(path, "", (), inp.style, role=role)) + 8
    if head_only:
        chunks = _head_chunk(text, cap - overhead, count)
    else:
        chunks = select(
            path,
            data,
            cap_tokens=cap - overhead,
            count=count,
            focus_lines=focus,
            focus_names=inp.focus_names,
            terms=inp.terms,
        )
    if not chunks:
        return None
    block = file_block(path, text, chunks, inp.style, role=role)
    tokens = count(block)
    if tokens > cap:
        return None
    return _Taken(path, role, block, tokens, chunks)


def _head_chunk(text: str, cap: int, count: Callable[[str], int]) -> tuple[Chunk, ...]:
    lines = text.splitlines(keepends=True)
    lo, hi = 0, len(lines)
    while lo < hi:  # the most leading lines that fit
        mid = (lo + hi + 1) // 2
        if count("".join(lines[:mid])) + 12 <= cap:
            lo = mid
        else:
            hi = mid - 1
    return (Chunk(1, lo, "head"),) if lo else ()


def _cut(
    diff_text: str, cap: int, count: Callable[[str], int], style: Style
) -> tuple[str, int, int]:
    """The diff's leading lines that fit ``cap``: (block, its tokens, lines left out)."""
    lines = diff_text.splitlines(keepends=True)
    lo, hi = 0, len(lines)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        piece = "".join(lines[:mid]) + f"… diff cut: {len(lines) - mid} more lines\n"
        if count(diff_block(piece, style)) <= cap:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0 and count(diff_block("", style)) > cap:
        return "", 0, len(lines)
    piece = "".join(lines[:lo]) + f"… diff cut: {len(lines) - lo} more lines\n"
    block = diff_block(piece, style)
    return block, count(block), len(lines) - lo


def _assemble(
    inp: FillInput, taken: dict[str, _Taken], outlines: list[_Taken], tail: list[_Taken]
) -> ContextPack:
    rank_of = {r.path: i for i, r in enumerate(inp.ranked)}
    context = [t for t in taken.values() if t.role == "context"]
    context.sort(key=lambda t: -rank_of.get(t.path, 0))  # least relevant first
    guidance = sorted((t for t in taken.values() if t.role == "guidance"), key=lambda t: t.path)
    changed = [taken[p] for p in inp.changed if p in taken and taken[p].role == "changed"]
    count = inp.counter.count

    def build() -> list[_Taken]:
        parts: list[_Taken] = []
        for title, group in (
            ("Repository guidance", guidance),
            ("Outlines of related files that did not fit (ask for them with read_file)", outlines),
            ("Related files, least relevant first", context),
            (CHANGED_TITLE, changed),
        ):
            if group:
                h = heading(title, inp.style)
                parts.append(_Taken("", "context", h, count(h)))
                parts.extend(group)
        parts.extend(tail)
        return parts

    parts = build()
    used = _total(parts)
    while used > inp.budget and (context or outlines):
        dropped = context.pop(0) if context else outlines.pop(0)
        taken.pop(dropped.path, None)
        parts = build()
        used = _total(parts)
    sections = tuple(Section(p.role, p.path or None, p.text, p.tokens) for p in parts)
    outlined = {t.path: t for t in outlines}
    entries = _entries(inp, taken, outlined)
    return ContextPack(
        mode="all" if inp.mode == "all" else "change",
        budget=inp.budget,
        used=used,
        entries=entries,
        excluded=tuple(inp.excluded),
        sections=sections,
        base=inp.base,
        head=inp.head,
    )


def _total(parts: Sequence[_Taken]) -> int:
    """Tokens of the joined sections, exactly, as the sum of the parts.

    Every section starts with a non-space character and ends with a newline, and o200k's
    (and Kimi's) pre-tokenizer never lets a piece run from a newline into a following
    non-space character, so no token spans two sections: the sum is the count of the whole
    (``tests/pack/test_fill.py`` checks it against a full recount).
    """
    for p in parts:
        assert p.text.endswith("\n") and not p.text[:1].isspace(), p.text[:40]
    return sum(p.tokens for p in parts)


def _entries(
    inp: FillInput, taken: Mapping[str, _Taken], outlined: Mapping[str, _Taken]
) -> tuple[PackEntry, ...]:
    ratio = inp.counter.calibration.ratio  # read once: 5,000+ estimates follow

    def est(size: int) -> int:
        return estimate_tokens(size, ratio)

    out: list[PackEntry] = []
    seen: set[str] = set()
    fused = {r.path: r for r in inp.ranked}
    first: list[tuple[str, float, tuple[str, ...]]] = [
        (p, CHANGED_SCORE, ("changed by the diff",)) for p in inp.changed if p in inp.sizes
    ]
    first += [
        (p, fused[p].score if p in fused else 0.0, fused[p].reasons if p in fused else ())
        for p in sorted(inp.guidance)
        if p in inp.sizes
    ]
    rest = [(r.path, r.score, r.reasons) for r in inp.ranked]
    for path, score, reasons in _unique(first + rest, seen):
        t = taken.get(path) or outlined.get(path)
        out.append(
            PackEntry(
                path=path,
                tokens=t.tokens if t else est(inp.sizes.get(path, 0)),
                exact=t is not None,
                score=score,
                reasons=reasons,
                included=t is not None,
                role=t.role if t else None,
                chunks=t.chunks if t else (),
            )
        )
    for path in sorted(inp.sizes):
        if path not in seen:
            out.append(PackEntry(path, est(inp.sizes[path]), False, 0.0, (), False))
    return tuple(out)


def _unique(
    items: Iterable[tuple[str, float, tuple[str, ...]]], seen: set[str]
) -> Iterator[tuple[str, float, tuple[str, ...]]]:
    for item in items:
        if item[0] not in seen:
            seen.add(item[0])
            yield item
