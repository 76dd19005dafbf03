"""Where a repository's own modules live, from its manifests: Go module paths (go.mod), Rust
crate names (Cargo.toml), TypeScript path aliases (tsconfig.json ``compilerOptions.paths``)
and workspace package names (package.json). Import resolution uses them to tell the
repository's own imports from third-party ones.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_GO_MODULE = re.compile(rb"^\s*module\s+\"?([^\s\"]+)", re.M)
_TOML_SECTION = re.compile(rb"^\s*\[([^\]]+)\]\s*$", re.M)
_TOML_NAME = re.compile(rb"^\s*name\s*=\s*\"([^\"]+)\"", re.M)
_JSON_COMMENT = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def is_manifest(path: str) -> bool:
    name = posixpath.basename(path)
    return (
        name in ("go.mod", "Cargo.toml", "package.json")
        or (name.startswith(("tsconfig", "jsconfig")) and name.endswith(".json"))
    ) and "node_modules/" not in path


@dataclass(frozen=True)
class Alias:
    """One ``compilerOptions.paths`` entry: ``prefix*suffix`` -> targets (``*`` kept)."""

    folder: str  # the tsconfig's folder: the alias applies to files below it
    prefix: str
    suffix: str
    wildcard: bool
    targets: tuple[str, ...]  # repository paths, may hold one ``*``


@dataclass(frozen=True)
class Roots:
    go: tuple[tuple[str, str], ...] = ()  # (module path, folder), longest module first
    crates: Mapping[str, str] = field(default_factory=dict)  # crate name -> its src folder
    aliases: tuple[Alias, ...] = ()
    packages: Mapping[str, str] = field(default_factory=dict)  # npm name -> folder


def _json(data: bytes) -> object:
    text = data.decode("utf-8", "replace")
    text = _JSON_COMMENT.sub(lambda m: m.group(1) or "", text)
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text))
    except ValueError:
        return None


def _crate(data: bytes) -> str | None:
    """``[lib] name`` or else ``[package] name``, with ``-`` as ``_`` (as ``use`` spells it)."""
    names: dict[bytes, str] = {}
    sections = list(_TOML_SECTION.finditer(data))
    for i, section in enumerate(sections):
        end = sections[i + 1].start() if i + 1 < len(sections) else len(data)
        found = _TOML_NAME.search(data, section.end(), end)
        if found:
            names[section.group(1).strip()] = found.group(1).decode("utf-8", "replace")
    name = names.get(b"lib") or names.get(b"package")
    return name.replace("-", "_") if name else None


def _aliases(path: str, config: object) -> list[Alias]:
    if not isinstance(config, dict):
        return []
    options = config.get("compilerOptions")
    if not isinstance(options, dict) or not isinstance(options.get("paths"), dict):
        return []
    folder = posixpath.dirname(path)
    base = options.get("baseUrl", ".")
    base_dir = posixpath.normpath(posixpath.join(folder, base if isinstance(base, str) else "."))
    out = []
    for pattern, targets in options["paths"].items():
        if not isinstance(targets, list):
            continue
        prefix, star, suffix = pattern.partition("*")
        resolved = tuple(
            posixpath.normpath(posixpath.join(base_dir, t)) for t in targets if isinstance(t, str)
        )
        out.append(Alias(folder, prefix, suffix, bool(star), resolved))
    return out


def read_roots(files: Iterable[tuple[str, bytes]]) -> Roots:
    go: list[tuple[str, str]] = []
    crates: dict[str, str] = {}
    aliases: list[Alias] = []
    packages: dict[str, str] = {}
    for path, data in files:
        name, folder = posixpath.basename(path), posixpath.dirname(path)
        if name == "go.mod":
            found = _GO_MODULE.search(data)
            if found:
                go.append((found.group(1).decode("utf-8", "replace"), folder))
        elif name == "Cargo.toml":
            crate = _crate(data)
            if crate:
                crates[crate] = posixpath.join(folder, "src")
        elif name == "package.json":
            config = _json(data)
            if isinstance(config, dict) and isinstance(config.get("name"), str):
                packages[config["name"]] = folder
        else:
            aliases.extend(_aliases(path, _json(data)))
    go.sort(key=lambda m: -len(m[0]))
    return Roots(tuple(go), crates, tuple(aliases), packages)
