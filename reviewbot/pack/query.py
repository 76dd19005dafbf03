"""What the change is about: its identifiers, the symbols it defines and uses, its imports.

Changed files are parsed with tree-sitter (``langs``): the definitions that overlap changed
lines are the symbols the change *defines* (other files that use them are its callers);
the identifiers on changed lines that the file does not define are the symbols it *uses*
(other files that define them are its callees). Names on removed lines that no changed
file has any more count as defined by the change too: files still using them are the callers
a rename or removal may have missed. Files without a grammar fall back to the identifiers on
their changed lines.

The change's description (a pull request's title and body, or the commit messages) gives
a second, separate set of terms: the author's words for what the change touches. Only its
start counts, so a pasted log cannot drown the diff's own words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reviewbot.pack.change import Change, ChangedFile
from reviewbot.pack.imports import PathIndex, import_texts, module_needles, resolve
from reviewbot.pack.langs import LANGUAGES, Definition, spec_for
from reviewbot.pack.stopnames import is_stop_name

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
# Keys inside string literals ("auth.login", 'retry_limit', "/users/:id"): names the
# symbol matcher would not see, since they are not identifiers on the changed lines.
STRING_KEY = re.compile(r"""["'`]([A-Za-z_][\w.:/-]{2,80})["'`]""")
KEY_PART = re.compile(r"[A-Za-z_]\w{3,}")
# The start of a description that counts: a pull request body can hold a whole pasted log.
DESCRIPTION_CHARS = 8_000
# A version the change replaces (1.4.2, v2.0): other files naming it may need the bump too.
VERSION = re.compile(r"(?<![\w.])v?(\d+\.\d+(?:\.\d+)?(?:[-.]?(?:rc|a|b|dev)\d*)?)(?![\w.])")

# Words that carry no meaning across languages (keywords, builtins, very common names).
STOPWORDS = frozenset(
    [
        "and",
        "are",
        "args",
        "as",
        "assert",
        "async",
        "await",
        "bool",
        "break",
        "byte",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "continue",
        "def",
        "default",
        "defer",
        "del",
        "delete",
        "do",
        "double",
        "elif",
        "else",
        "enum",
        "except",
        "export",
        "extends",
        "false",
        "final",
        "finally",
        "float",
        "for",
        "from",
        "func",
        "function",
        "global",
        "goto",
        "if",
        "impl",
        "import",
        "in",
        "int",
        "interface",
        "is",
        "kwargs",
        "lambda",
        "let",
        "long",
        "match",
        "mod",
        "mut",
        "new",
        "nil",
        "none",
        "None",
        "not",
        "null",
        "object",
        "or",
        "package",
        "pass",
        "private",
        "protected",
        "pub",
        "public",
        "raise",
        "return",
        "self",
        "Self",
        "short",
        "static",
        "str",
        "string",
        "struct",
        "super",
        "switch",
        "this",
        "throw",
        "throws",
        "true",
        "True",
        "False",
        "try",
        "type",
        "typeof",
        "undefined",
        "unsafe",
        "use",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "err",
        "error",
        "value",
        "data",
        "result",
        "name",
        "len",
        "get",
        "set",
        "the",
        "for",
        "and",
        "not",
        "you",
        "may",
        "int32",
        "int64",
        "uint32",
        "uint64",
        "size_t",
        "unsigned",
        "signed",
        "sizeof",
        "include",
        "define",
        "endif",
        "ifdef",
        "ifndef",
    ]
)


@dataclass(frozen=True)
class Query:
    """Everything the signals need to know about the change."""

    changed: frozenset[str]
    terms: Mapping[bytes, float]  # identifier -> query weight (BM25 query term frequency)
    changed_symbols: frozenset[str]  # defined or modified by the change
    used_symbols: frozenset[str]  # used on changed lines, defined elsewhere
    forward: Mapping[str, frozenset[str]]  # tracked path -> changed files that import it
    mates: Mapping[str, frozenset[str]]  # tracked path -> changed files of its package
    needles: Mapping[bytes, frozenset[str]]  # prefilter bytes -> changed files importing needs
    focus: Mapping[str, frozenset[str]] = field(default_factory=dict)  # path -> names to keep
    versions: frozenset[bytes] = frozenset()  # version strings on the change's removed lines
    described: Mapping[bytes, float] = field(default_factory=dict)  # description's words

    @property
    def symbols(self) -> frozenset[str]:
        return self.changed_symbols | self.used_symbols


def _words(lines: tuple[str, ...] | list[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(w for w in IDENT.findall(line) if w not in STOPWORDS)
    return counts


def described_terms(description: str) -> dict[bytes, float]:
    """The words of the description's first ``DESCRIPTION_CHARS`` characters, weighted
    like the diff's terms (``1 + log n`` for ``n`` occurrences)."""
    words = _words(description[:DESCRIPTION_CHARS].splitlines())
    return {w.encode(): 1.0 + math.log(n) for w, n in words.items()}


def overlapping(defs: tuple[Definition, ...], lines: frozenset[int]) -> list[Definition]:
    if not lines:
        return []
    ordered = sorted(lines)
    out = []
    for d in defs:
        # any changed line inside the definition's span
        lo = _first_at_least(ordered, d.start_line)
        if lo is not None and lo <= d.end_line:
            out.append(d)
    return out


def _first_at_least(ordered: list[int], value: int) -> int | None:
    import bisect

    at = bisect.bisect_left(ordered, value)
    return ordered[at] if at < len(ordered) else None


def build_query(change: Change, contents: Mapping[str, bytes], index: PathIndex) -> Query:
    """The query for ``change``; ``contents`` holds the new text of the changed files."""
    words: Counter[str] = Counter()
    changed_symbols: set[str] = set()
    used: set[str] = set()
    defined_here: set[str] = set()
    forward: dict[str, set[str]] = {}
    needles: dict[bytes, set[str]] = {}
    versions: set[bytes] = set()
    for cf in change.files:
        words.update(_words(list(cf.added_text) + list(cf.removed_text)))
        used.update(string_keys(cf.added_text))
        versions.update(_versions(cf.removed_text))
        words.update(_words(list(cf.sections)))
        for needle in module_needles(cf.path, index) + (
            module_needles(cf.old_path, index) if cf.old_path else ()
        ):
            if len(needle) >= 2:
                needles.setdefault(needle, set()).add(cf.path)
        data = contents.get(cf.path)
        if data is None or cf.deleted or spec_for(cf.path) is None:
            lines = list(cf.added_text) + list(cf.removed_text)
            used.update(w for w in _words(lines) if not is_stop_name(w))
            for text in import_texts(cf.path, data or b""):  # C, C++: #include lines
                for target in resolve(cf.path, text, index):
                    if target != cf.path:
                        forward.setdefault(target, set()).add(cf.path)
            continue
        _analyse(cf, data, index, changed_symbols, used, defined_here, forward)
    changed_symbols |= gone_names(change, contents)
    used -= defined_here | changed_symbols
    used = {u for u in used if len(u) >= 3 and u not in STOPWORDS}
    terms = {w.encode(): 1.0 + math.log(n) for w, n in words.items()}
    for name in changed_symbols:  # the change's own symbols matter most
        if len(name) >= 3:
            terms[name.encode()] = terms.get(name.encode(), 1.0) + 1.0
    return Query(
        changed=frozenset(change.paths),
        terms=terms,
        changed_symbols=frozenset(s for s in changed_symbols if len(s) >= 3),
        used_symbols=frozenset(used),
        forward={k: frozenset(v) for k, v in forward.items()},
        mates=package_mates(change.paths, index),
        needles={k: frozenset(v) for k, v in needles.items()},
        versions=frozenset(versions),
        described=described_terms(change.description),
    )


def gone_names(change: Change, contents: Mapping[str, bytes]) -> set[str]:
    """Names on the change's removed lines that no changed file has any more (a rename, a
    removal): files still using them are the ones the change may have missed."""
    removed: set[str] = set()
    for cf in change.files:
        lang = spec.name if (spec := spec_for(cf.path)) is not None else None
        removed.update(
            w
            for line in cf.removed_text
            for w in IDENT.findall(line)
            if w not in STOPWORDS and not is_stop_name(w, lang)
        )
    if not removed:
        return set()
    still = set(IDENT.findall(b"\n".join(contents.values()).decode("utf-8", "replace")))
    for cf in change.files:
        still.update(w for line in cf.added_text for w in IDENT.findall(line))
    return removed - still


def string_keys(lines: Iterable[str]) -> set[str]:
    """Name-like parts of the string literals on ``lines`` (ubiquitous names left out)."""
    found: set[str] = set()
    for line in lines:
        for literal in STRING_KEY.findall(line):
            found.update(p for p in KEY_PART.findall(literal) if not is_stop_name(p))
    return found


def _versions(lines: Iterable[str]) -> set[bytes]:
    return {m.encode() for line in lines for m in VERSION.findall(line) if m.count(".") >= 2}


_PACKAGE_FOLDERS = (".go", ".java")  # one folder, one package: its files need no import


def package_mates(changed: tuple[str, ...], index: PathIndex) -> dict[str, frozenset[str]]:
    """Files of the same Go or Java package as a changed file (they see each other's names
    without importing them)."""
    mates: dict[str, set[str]] = {}
    for path in changed:
        if not path.endswith(_PACKAGE_FOLDERS):
            continue
        suffix = path[path.rfind(".") :]
        folder = path.rpartition("/")[0]
        for other in index.dirs.get(folder, ()):
            if other.endswith(suffix) and other != path:
                mates.setdefault(other, set()).add(path)
    return {p: frozenset(v) for p, v in mates.items()}


def _analyse(
    cf: ChangedFile,
    data: bytes,
    index: PathIndex,
    changed_symbols: set[str],
    used: set[str],
    defined_here: set[str],
    forward: dict[str, set[str]],
) -> None:
    syntax = LANGUAGES.parse(cf.path, data)
    if syntax is None:
        return
    spec = spec_for(cf.path)
    assert spec is not None
    defined_here.update(d.name for d in syntax.definitions)
    lang = spec.name
    for d in overlapping(syntax.definitions, cf.touched_new):
        if not is_stop_name(d.name, lang):
            changed_symbols.add(d.name)
    used.update(
        n for n in syntax.identifiers_on(cf.added, spec.identifiers) if not is_stop_name(n, lang)
    )
    used.update(w for w in _words(list(cf.removed_text)) if not is_stop_name(w, lang))
    for text in syntax.imports:
        for target in resolve(cf.path, text, index):
            if target != cf.path:
                forward.setdefault(target, set()).add(cf.path)
