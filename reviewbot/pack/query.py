"""What the change is about: its identifiers, the symbols it defines and uses, its imports.

Changed files are parsed with tree-sitter (``langs``): the definitions that overlap changed
lines are the symbols the change *defines* (other files that use them are its callers);
the identifiers on changed lines that the file does not define are the symbols it *uses*
(other files that define them are its callees). Files without a grammar fall back to the
identifiers on their changed lines.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from reviewbot.pack.change import Change, ChangedFile
from reviewbot.pack.imports import PathIndex, import_texts, module_needles, resolve
from reviewbot.pack.langs import LANGUAGES, Definition, spec_for

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")

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
    needles: Mapping[bytes, frozenset[str]]  # prefilter bytes -> changed files importing needs
    focus: Mapping[str, frozenset[str]] = field(default_factory=dict)  # path -> names to keep

    @property
    def symbols(self) -> frozenset[str]:
        return self.changed_symbols | self.used_symbols


def _words(lines: tuple[str, ...] | list[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(w for w in IDENT.findall(line) if w not in STOPWORDS)
    return counts


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
    for cf in change.files:
        words.update(_words(list(cf.added_text) + list(cf.removed_text)))
        words.update(_words(list(cf.sections)))
        for needle in module_needles(cf.path) + (
            module_needles(cf.old_path) if cf.old_path else ()
        ):
            if len(needle) >= 2:
                needles.setdefault(needle, set()).add(cf.path)
        data = contents.get(cf.path)
        if data is None or cf.deleted or spec_for(cf.path) is None:
            used.update(w for w in _words(list(cf.added_text) + list(cf.removed_text)))
            for text in import_texts(cf.path, data or b""):  # C, C++: #include lines
                for target in resolve(cf.path, text, index):
                    if target != cf.path:
                        forward.setdefault(target, set()).add(cf.path)
            continue
        _analyse(cf, data, index, changed_symbols, used, defined_here, forward)
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
        needles={k: frozenset(v) for k, v in needles.items()},
    )


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
    for d in overlapping(syntax.definitions, cf.touched_new):
        changed_symbols.add(d.name)
    used.update(syntax.identifiers_on(cf.added, spec.identifiers))
    used.update(w for w in _words(list(cf.removed_text)))
    for text in syntax.imports:
        for target in resolve(cf.path, text, index):
            if target != cf.path:
                forward.setdefault(target, set()).add(cf.path)
