"""One streaming pass over the files an audit may cover: what each one is and holds.

Per file only a few facts are kept (size, lines, resolved imports, security content hits),
never the bytes, so memory stays flat on a tree the size of Linux. Imports are found and
resolved with the packer's own rules (``reviewbot.pack.imports``); generated, minified and
binary files are recognised with the packer's content rules.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reviewbot.audit.risk import NO_HITS, ContentHits, content_hits, words
from reviewbot.pack.candidates import content_reason
from reviewbot.pack.imports import PathIndex, family, import_texts, resolve
from reviewbot.pack.scan import WORD_TABLE

# What an audit reads: source code, scripts and the configuration that drives them.
# Documentation, data and build-system files are listed in the plan as skipped.
CODE_EXTENSIONS = words(
    """
    py pyi pyx js jsx mjs cjs ts tsx mts cts vue svelte go rs java kt kts scala groovy
    c h cc cpp cxx hpp hh hxx ipp m mm cs fs vb rb php pl pm swift lua sh bash zsh ksh
    ps1 psm1 bat cmd sql r jl dart ex exs erl hrl hs ml mli clj cljs elm nim zig sol s
    asm html htm jsp asp aspx erb ejs hbs j2 jinja jinja2 tf hcl yml yaml toml ini cfg
    conf properties gradle
    """
)
CODE_NAMES = frozenset({"Dockerfile", "Containerfile", "Jenkinsfile", "Vagrantfile"})


def kind_of(path: str) -> str | None:
    """``"code"`` for files an audit covers, ``"maybe"`` for extensionless files (scripts
    when they start with ``#!``), ``None`` for the rest (documentation, data, build files)."""
    name = posixpath.basename(path)
    if name in CODE_NAMES or name.startswith("Dockerfile."):
        return "code"
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return "maybe"
    return "code" if ext.lower() in CODE_EXTENSIONS else None


@dataclass(frozen=True)
class FileFacts:
    path: str
    size: int
    lines: int
    imports: frozenset[str]
    hits: ContentHits
    scanned: bool = True  # False: over the scan limit; only path and size are known


class Resolver:
    """``resolve`` with a cache: an include such as ``<linux/slab.h>`` is written by
    thousands of files, and its meaning depends only on the folder (and, for Rust, the
    file) it is written in."""

    def __init__(self, index: PathIndex) -> None:
        self.index = index
        self._cache: dict[tuple[str, str], frozenset[str]] = {}

    def imports(self, path: str, texts: list[str]) -> set[str]:
        """Every tracked path the import statements ``texts`` of ``path`` name."""
        where = path if family(path) == "rust" else posixpath.dirname(path) + "/"
        cache = self._cache
        out: set[str] = set()
        for text in texts:
            key = (where, text)
            found = cache.get(key)
            if found is None:
                found = cache[key] = frozenset(resolve(path, text, self.index))
            out.update(found)
        out.discard(path)
        return out


@dataclass
class ScanOutcome:
    facts: dict[str, FileFacts]
    excluded: dict[str, str]  # path -> why it is not audited after reading it
    scanned_bytes: int = 0


def scan(
    files: Iterable[tuple[str, bytes]],
    resolver: Resolver,
    *,
    maybe: frozenset[str] = frozenset(),
) -> ScanOutcome:
    """Facts for each ``(path, bytes)``; files in ``maybe`` count only with a ``#!`` line."""
    out = ScanOutcome({}, {})
    for path, data in files:
        if path in maybe and not data.startswith(b"#!"):
            out.excluded[path] = "not source code (no extension, no #! line)"
            continue
        reason = content_reason(path, data)
        if reason is not None:
            out.excluded[path] = reason
            continue
        out.scanned_bytes += len(data)
        imports = resolver.imports(path, import_texts(path, data)) if family(path) else set()
        words = data.translate(WORD_TABLE).split()
        out.facts[path] = FileFacts(
            path=path,
            size=len(data),
            lines=count_lines(data),
            imports=frozenset(imports),
            hits=content_hits(data, words) if words else NO_HITS,
        )
    return out


def count_lines(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def within(paths: Iterable[str], sizes: dict[str, int], limit: int) -> Iterator[str]:
    """``paths`` in order until their sizes add up to ``limit`` bytes."""
    total = 0
    for path in paths:
        total += sizes[path]
        if total > limit:
            return
        yield path
