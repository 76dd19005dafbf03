"""One streaming pass over the candidates' bytes: exclusions and per-file evidence.

Nothing is kept of a file but a few numbers and names: its word count, how often each
query term occurs, which changed symbols it uses, which used symbols it defines and which
changed files it imports. Words are found with ``bytes.translate`` + ``split`` (C speed)
and matched against the query with one set intersection per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from reviewbot.pack.candidates import content_reason
from reviewbot.pack.imports import PathIndex, family, import_texts, resolve
from reviewbot.pack.query import Query

_KEEP = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
WORD_TABLE = bytes(c if c in _KEEP else 32 for c in range(256))


@dataclass(frozen=True)
class FileEvidence:
    path: str
    size: int
    words: int
    tf: Mapping[bytes, int]  # query term -> count (1: a description word, found only)
    uses: frozenset[str] = frozenset()  # changed symbols this file refers to
    defines: frozenset[str] = frozenset()  # used symbols this file defines
    imports_changed: frozenset[str] = frozenset()  # changed files this file imports
    imports: frozenset[str] = frozenset()  # every resolved import (``--all`` mode)
    versions: frozenset[str] = frozenset()  # versions the change replaces, named here


@dataclass
class ScanResult:
    evidence: dict[str, FileEvidence] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    df: dict[bytes, int] = field(default_factory=dict)
    scanned: int = 0
    total_words: int = 0


def definition_pattern(names: Iterable[str]) -> re.Pattern[bytes] | None:
    """Lines that define one of ``names`` in any common language (a cheap pre-check)."""
    escaped = sorted({re.escape(n) for n in names if n}, key=len, reverse=True)
    if not escaped:
        return None
    alt = "|".join(escaped).encode()
    keywords = (
        rb"(?:def|class|func|fn|function|struct|interface|type|enum|trait|union|"
        rb"macro_rules!|#\s*define)"
    )
    return re.compile(
        rb"(?m)(?:\b" + keywords + rb"\s+(?:\([^)\n]*\)\s*)?\*?(" + alt + rb")\b"
        rb"|^[A-Za-z_][\w \t\*]*?\b(" + alt + rb")\s*\([^;\n]*$"  # C-style definitions
        rb"|^(?:export\s+)?(?:(?:const|let|var|static|pub)\s+)*("
        + alt
        + rb")\s*(?::[^=\n]*)?=[^=])"
    )


def scan(
    files: Iterable[tuple[str, bytes]],
    query: Query | None,
    index: PathIndex,
    *,
    want_imports: bool = False,
) -> ScanResult:
    """Read each ``(path, bytes)`` once and collect evidence for the signals."""
    result = ScanResult()
    counted = frozenset(query.terms) if query else frozenset()
    terms = counted | frozenset(query.described) if query else frozenset()
    changed_syms = frozenset(s.encode() for s in query.changed_symbols) if query else frozenset()
    used_syms = frozenset(s.encode() for s in query.used_symbols) if query else frozenset()
    defs_re = definition_pattern(query.used_symbols) if query else None
    needles = query.needles if query else {}
    changed = query.changed if query else frozenset()
    versions = query.versions if query else frozenset()
    df = result.df
    for path, data in files:
        reason = content_reason(path, data)
        if reason is not None:
            result.excluded[path] = reason
            continue
        words = data.translate(WORD_TABLE).split()
        result.scanned += 1
        result.total_words += len(words)
        hits = terms.intersection(words) if terms else frozenset()
        # The diff's terms are counted; the description's other words only found: prose
        # hits most files, and a pass over the file for each of its words would cost more
        # than the whole scan.
        tf = {term: words.count(term) if term in counted else 1 for term in hits}
        for term in hits:
            df[term] = df.get(term, 0) + 1
        uses = hits & changed_syms
        defines: set[str] = set()
        if defs_re is not None and hits & used_syms and path not in changed:
            for match in defs_re.finditer(data):
                name = match.group(1) or match.group(2) or match.group(3)
                if name:
                    defines.add(name.decode())
        imports_changed: set[str] = set()
        all_imports: set[str] = set()
        fam = family(path)
        if fam is not None and (want_imports or any(n in data for n in needles)):
            for text in import_texts(path, data):
                targets = resolve(path, text, index)
                all_imports.update(targets)
            imports_changed = {t for t in all_imports if t in changed and t != path}
        named = frozenset(v.decode() for v in versions if v in data)
        result.evidence[path] = FileEvidence(
            path=path,
            size=len(data),
            words=len(words),
            tf=tf,
            uses=frozenset(u.decode() for u in uses),
            defines=frozenset(defines),
            imports_changed=frozenset(imports_changed),
            imports=frozenset(all_imports) if want_imports else frozenset(),
            versions=named,
        )
    return result


def stream(
    chunks: Iterable[tuple[str, bytes]], sink: dict[str, bytes], keep: frozenset[str]
) -> Iterator[tuple[str, bytes]]:
    """Pass ``chunks`` through, keeping the bytes of the paths in ``keep`` in ``sink``."""
    for path, data in chunks:
        if path in keep:
            sink[path] = data
        yield path, data
