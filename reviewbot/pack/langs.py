"""Per-language syntax through tree-sitter: definitions, imports and identifiers.

Grammars come from the per-language wheels (their compiled grammar ships inside them), so
nothing is downloaded. Every query captures whole definition nodes as ``@def`` and their
name as ``@name``; imports are captured whole and read by ``reviewbot.pack.imports``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

import tree_sitter as ts


@dataclass(frozen=True)
class LangSpec:
    name: str
    module: str
    entry: str
    defs: str
    imports: str
    identifiers: frozenset[str]


_PY = LangSpec(
    "python",
    "tree_sitter_python",
    "language",
    """
    (function_definition name: (_) @name) @def
    (class_definition name: (_) @name) @def
    """,
    "(import_statement) @import (import_from_statement) @import",
    frozenset({"identifier"}),
)
_JS_DEFS = """
    (function_declaration name: (_) @name) @def
    (generator_function_declaration name: (_) @name) @def
    (class_declaration name: (_) @name) @def
    (method_definition name: (_) @name) @def
    (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)
        (class)]) @def
"""
_JS_IMPORTS = """
    (import_statement source: (string) @import)
    (export_statement source: (string) @import)
    (call_expression function: (identifier) @_req arguments: (arguments (string) @import))
"""
_JS_IDS = frozenset(
    {"identifier", "property_identifier", "shorthand_property_identifier", "type_identifier"}
)
_JS = LangSpec("javascript", "tree_sitter_javascript", "language", _JS_DEFS, _JS_IMPORTS, _JS_IDS)
_TS_DEFS = (
    _JS_DEFS
    + """
    (abstract_class_declaration name: (_) @name) @def
    (interface_declaration name: (_) @name) @def
    (type_alias_declaration name: (_) @name) @def
    (enum_declaration name: (_) @name) @def
    (function_signature name: (_) @name) @def
"""
)
_TS = LangSpec(
    "typescript", "tree_sitter_typescript", "language_typescript", _TS_DEFS, _JS_IMPORTS, _JS_IDS
)
_TSX = LangSpec("tsx", "tree_sitter_typescript", "language_tsx", _TS_DEFS, _JS_IMPORTS, _JS_IDS)
_GO = LangSpec(
    "go",
    "tree_sitter_go",
    "language",
    """
    (function_declaration name: (_) @name) @def
    (method_declaration name: (_) @name) @def
    (type_spec name: (_) @name) @def
    """,
    "(import_spec path: (_) @import)",
    frozenset({"identifier", "field_identifier", "type_identifier", "package_identifier"}),
)
_RUST = LangSpec(
    "rust",
    "tree_sitter_rust",
    "language",
    """
    (function_item name: (_) @name) @def
    (function_signature_item name: (_) @name) @def
    (struct_item name: (_) @name) @def
    (enum_item name: (_) @name) @def
    (trait_item name: (_) @name) @def
    (impl_item type: (_) @name) @def
    (mod_item name: (_) @name) @def
    (macro_definition name: (_) @name) @def
    (type_item name: (_) @name) @def
    """,
    "(use_declaration) @import (mod_item) @import",
    frozenset({"identifier", "field_identifier", "type_identifier"}),
)
_JAVA = LangSpec(
    "java",
    "tree_sitter_java",
    "language",
    """
    (class_declaration name: (_) @name) @def
    (interface_declaration name: (_) @name) @def
    (enum_declaration name: (_) @name) @def
    (record_declaration name: (_) @name) @def
    (method_declaration name: (_) @name) @def
    (constructor_declaration name: (_) @name) @def
    """,
    "(import_declaration) @import",
    frozenset({"identifier", "type_identifier"}),
)

EXTENSIONS: dict[str, LangSpec] = {
    ".py": _PY,
    ".pyi": _PY,
    ".js": _JS,
    ".mjs": _JS,
    ".cjs": _JS,
    ".jsx": _JS,
    ".ts": _TS,
    ".mts": _TS,
    ".cts": _TS,
    ".tsx": _TSX,
    ".go": _GO,
    ".rs": _RUST,
    ".java": _JAVA,
}


def spec_for(path: str) -> LangSpec | None:
    return EXTENSIONS.get(PurePosixPath(path).suffix.lower())


@dataclass(frozen=True)
class Definition:
    """A function, class, method or type: its name and 1-based inclusive line span."""

    name: str
    kind: str
    start_line: int
    end_line: int
    signature: str
    depth: int  # 0 = top level, 1 = inside another definition, ...


@dataclass(frozen=True)
class Syntax:
    """What the packer needs from one parsed file."""

    language: str
    definitions: tuple[Definition, ...]
    imports: tuple[str, ...]  # raw import texts (statements or module strings)
    tree: ts.Tree

    def identifiers_on(self, lines: frozenset[int], kinds: frozenset[str]) -> set[str]:
        """Names referenced from ``lines`` (1-based): called functions, accessed members,
        types and capitalised names. Locals and parameters are left out: other files do
        not define them."""
        found: set[str] = set()
        if not lines:
            return found
        lo, hi = min(lines), max(lines)
        stack = [self.tree.root_node]
        while stack:
            node = stack.pop()
            start, end = node.start_point[0] + 1, node.end_point[0] + 1
            if end < lo or start > hi:
                continue
            if (
                node.type in kinds
                and start in lines
                and node.text is not None
                and _is_reference(node)
            ):
                found.add(node.text.decode("utf-8", "replace"))
            stack.extend(node.children)
        return found


_CALLS = frozenset({"call", "call_expression", "method_invocation", "new_expression"})
_MEMBERS = frozenset(
    {
        "attribute",
        "member_expression",
        "selector_expression",
        "field_expression",
        "scoped_identifier",
        "scoped_type_identifier",
        "method_invocation",
        "field_access",
        "qualified_type",
    }
)


def _is_reference(node: ts.Node) -> bool:
    text = node.text or b""
    if node.type.startswith("type_") or text[:1].isupper():
        return True
    parent = node.parent
    if parent is None:
        return False
    if parent.type in _CALLS:
        function = parent.child_by_field_name("function") or parent.child_by_field_name("name")
        if function is not None and function.id == node.id:
            return True
    if parent.type in _MEMBERS:
        last = parent.named_children[-1] if parent.named_children else None
        return last is not None and last.id == node.id
    return False


class Languages:
    """Parsers and compiled queries, built once per language on first use."""

    @functools.cached_property
    def _cache(self) -> dict[str, tuple[ts.Parser, ts.Query, ts.Query]]:
        return {}

    def _tools(self, spec: LangSpec) -> tuple[ts.Parser, ts.Query, ts.Query]:
        tools = self._cache.get(spec.name)
        if tools is None:
            entry: Callable[[], object] = getattr(importlib.import_module(spec.module), spec.entry)
            language = ts.Language(entry())
            tools = (
                ts.Parser(language),
                ts.Query(language, spec.defs),
                ts.Query(language, spec.imports),
            )
            self._cache[spec.name] = tools
        return tools

    def parse(self, path: str, source: bytes) -> Syntax | None:
        spec = spec_for(path)
        if spec is None:
            return None
        key = (path, len(source), hash(source))
        cached = self._parsed.get(key)
        if cached is not None:
            return cached
        syntax = self._parse(spec, source)
        if len(self._parsed) >= 4:
            self._parsed.pop(next(iter(self._parsed)))
        self._parsed[key] = syntax
        return syntax

    @functools.cached_property
    def _parsed(self) -> dict[tuple[str, int, int], Syntax]:
        return {}

    def _parse(self, spec: LangSpec, source: bytes) -> Syntax:
        parser, defs_query, imports_query = self._tools(spec)
        tree = parser.parse(source)
        definitions = _definitions(ts.QueryCursor(defs_query).matches(tree.root_node), source)
        imports = []
        for _, captures in ts.QueryCursor(imports_query).matches(tree.root_node):
            req = captures.get("_req")
            if req and req[0].text != b"require":
                continue
            for node in captures.get("import", ()):
                if node.text is not None:
                    imports.append(node.text.decode("utf-8", "replace"))
        return Syntax(spec.name, definitions, tuple(imports), tree)


def _definitions(
    matches: list[tuple[int, dict[str, list[ts.Node]]]], source: bytes
) -> tuple[Definition, ...]:
    spans: list[tuple[int, int, ts.Node, str]] = []
    for _, captures in matches:
        node, label = captures["def"][0], captures["name"][0]
        spans.append(
            (node.start_byte, -node.end_byte, node, (label.text or b"").decode("utf-8", "replace"))
        )
    spans.sort(key=lambda s: (s[0], s[1]))
    out: list[Definition] = []
    open_ends: list[int] = []
    for start, neg_end, node, name in spans:
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        out.append(
            Definition(
                name,
                _kind(node.type),
                node.start_point[0] + 1,
                node.end_point[0] + 1,
                _signature(node, source),
                len(open_ends),
            )
        )
        open_ends.append(-neg_end)
    return tuple(out)


_SUFFIXES = ("_definition", "_declaration", "_declarator", "_item", "_spec", "_signature")
_KINDS = {"variable": "function", "type_alias": "type", "generator_function": "function"}


def _kind(node_type: str) -> str:
    for suffix in _SUFFIXES:
        node_type = node_type.removesuffix(suffix)
    return _KINDS.get(node_type, node_type)


def _signature(node: ts.Node, source: bytes) -> str:
    """The definition's head: up to its body, on one line (decorators left out)."""
    body = node.child_by_field_name("body")
    stop = body.start_byte if body is not None else node.end_byte
    head = source[node.start_byte : min(stop, node.start_byte + 400)]
    text = " ".join(head.decode("utf-8", "replace").split())
    return text.rstrip("{: ").strip() or text


LANGUAGES = Languages()
