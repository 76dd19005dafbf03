"""Import statements resolved to tracked paths, for every language the packer knows.

Changed files are parsed with tree-sitter (``langs``); the rest of the repository is read
with the line patterns below (cheap enough to run over every scanned file), and both kinds
of import text are resolved here against the tracked paths.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath

from reviewbot.pack.manifests import Roots

_JS_EXT = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".d.ts")
_C_EXT = frozenset({".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx", ".m", ".mm"})

# One pattern per language family: whole import statements (bulk scan, no parser).
_LINE_PATTERNS: dict[str, re.Pattern[bytes]] = {
    "python": re.compile(
        rb"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]+[^\n#]+|import[ \t]+[^\n#]+)", re.M
    ),
    "js": re.compile(rb"""(?:\bfrom|\bimport|\brequire\(|\bimport\()\s*['"]([^'"\n]+)['"]"""),
    "go": re.compile(rb"""^\s*(?:import\s+)?(?:[\w.]+\s+)?"([\w./-]+)"\s*$""", re.M),
    "rust": re.compile(
        rb"^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?(?:use[ \t]+[^;]+;|mod[ \t]+\w+[ \t]*;)", re.M
    ),
    "java": re.compile(rb"^[ \t]*import[ \t]+(?:static[ \t]+)?[\w.*]+[ \t]*;", re.M),
    "c": re.compile(rb"""^[ \t]*#[ \t]*include[ \t]*[<"]([^>"\n]+)[>"]""", re.M),
}


_FAMILIES = {
    **dict.fromkeys(("py", "pyi"), "python"),
    **dict.fromkeys(("js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"), "js"),
    "go": "go",
    "rs": "rust",
    "java": "java",
    **dict.fromkeys((e[1:] for e in _C_EXT), "c"),
}


def family(path: str) -> str | None:
    name = path.rpartition("/")[2]
    if "." not in name:
        return None
    return _FAMILIES.get(name.rpartition(".")[2].lower())


def import_texts(path: str, data: bytes) -> list[str]:
    """Import statements (or module strings) found in ``data`` by line patterns."""
    fam = family(path)
    if fam is None:
        return []
    pattern = _LINE_PATTERNS[fam]
    out: list[str] = []
    for match in pattern.finditer(data):
        raw = match.group(1) if pattern.groups else match.group(0)
        out.append(raw.decode("utf-8", "replace"))
    return out


class PathIndex:
    """Lookups from module names and path suffixes to tracked paths."""

    def __init__(self, paths: Iterable[str], roots: Roots | None = None) -> None:
        self.paths = frozenset(paths)
        self.roots = roots or Roots()
        self.py_modules: dict[str, list[str]] = defaultdict(list)
        self.by_basename: dict[str, list[str]] = defaultdict(list)
        self.dirs: dict[str, list[str]] = defaultdict(list)
        for path in sorted(self.paths):
            self.by_basename[posixpath.basename(path)].append(path)
            self.dirs[posixpath.dirname(path)].append(path)
            if path.endswith((".py", ".pyi")):
                parts = path.rsplit(".", 1)[0].split("/")
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                for i in range(len(parts)):
                    self.py_modules[".".join(parts[i:])].append(path)

    def by_suffix(self, suffix: str) -> list[str]:
        """Tracked paths equal to ``suffix`` or ending in ``/suffix``."""
        base = posixpath.basename(suffix)
        return [
            p for p in self.by_basename.get(base, ()) if p == suffix or p.endswith("/" + suffix)
        ]


def resolve(path: str, text: str, index: PathIndex) -> set[str]:
    """Tracked paths that the import ``text`` written in ``path`` refers to."""
    fam = family(path)
    if fam == "python":
        return _python(path, text, index)
    if fam == "js":
        return _js(path, text.strip("'\"` "), index)
    if fam == "go":
        spec = text.strip('"` ')
        return _go_module(spec, index) if index.roots.go else _go(spec, index)
    if fam == "rust":
        return _rust(path, text, index)
    if fam == "java":
        return _java(text, index)
    if fam == "c":
        return _c(path, text.strip('<>" '), index)
    return set()


def _python(path: str, text: str, index: PathIndex) -> set[str]:
    text = " ".join(text.replace("(", " ").replace(")", " ").replace("\\", " ").split())
    found: set[str] = set()
    if text.startswith("from "):
        module, _, names = text[5:].partition(" import ")
        dots = len(module) - len(module.lstrip("."))
        if dots:
            base = posixpath.dirname(path)
            for _ in range(dots - 1):
                base = posixpath.dirname(base)
            rel = module[dots:].replace(".", "/")
            stem = posixpath.join(base, rel) if rel else base
            candidates = [stem]
            candidates += [
                posixpath.join(stem, n.split(" as ")[0].strip()) for n in names.split(",")
            ]
            for c in candidates:
                for suffix in (".py", "/__init__.py", ".pyi"):
                    if c.lstrip("/") + suffix in index.paths:
                        found.add(c.lstrip("/") + suffix)
            return found
        modules = [module] + [
            f"{module}.{n.split(' as ')[0].strip()}" for n in names.split(",") if n.strip()
        ]
    elif text.startswith("import "):
        modules = [part.split(" as ")[0].strip() for part in text[7:].split(",")]
    else:
        modules = [text]
    for module in modules:
        hits = index.py_modules.get(module, [])
        if len(hits) <= 3:  # an ambiguous short name says little
            found.update(hits)
    return found


def _js(path: str, spec: str, index: PathIndex) -> set[str]:
    if not spec.startswith("."):
        return _js_alias(path, spec, index)
    return _js_file(posixpath.normpath(posixpath.join(posixpath.dirname(path), spec)), index)


def _js_alias(path: str, spec: str, index: PathIndex) -> set[str]:
    """``@/lib/x`` through tsconfig ``paths``; ``@scope/pkg/x`` to a workspace package."""
    for alias in index.roots.aliases:
        if alias.folder and not path.startswith(alias.folder + "/"):
            continue
        if alias.wildcard:
            if not (spec.startswith(alias.prefix) and spec.endswith(alias.suffix)):
                continue
            star = spec[len(alias.prefix) : len(spec) - len(alias.suffix)]
        elif spec != alias.prefix:
            continue
        else:
            star = ""
        for target in alias.targets:
            found = _js_file(target.replace("*", star), index)
            if found:
                return found
    for name, folder in index.roots.packages.items():
        if spec == name or spec.startswith(name + "/"):
            rest = spec[len(name) :].lstrip("/")
            for stem in (posixpath.join(folder, "src", rest), posixpath.join(folder, rest)):
                found = _js_file(stem.rstrip("/"), index)
                if found:
                    return found
    return set()


def _js_file(stem: str, index: PathIndex) -> set[str]:
    """``stem`` as written (``./x``, ``./x.js`` for ``x.ts``, ``./dir`` for ``dir/index.ts``)."""
    if stem in index.paths:
        return {stem}
    base = stem
    for ext in (".js", ".jsx", ".mjs", ".cjs"):  # TS sources imported with a .js suffix
        base = base.removesuffix(ext)
    for candidate in (*(base + e for e in _JS_EXT), *(f"{stem}/index{e}" for e in _JS_EXT)):
        if candidate in index.paths:
            return {candidate}
    return set()


def _go_files(directory: str, index: PathIndex) -> set[str]:
    return {
        f for f in index.dirs.get(directory, []) if f.endswith(".go") and not f.endswith("_test.go")
    }


def _go_module(spec: str, index: PathIndex) -> set[str]:
    """A package of one of the repository's modules (go.mod); anything else is external."""
    for module, folder in index.roots.go:
        if spec == module or spec.startswith(module + "/"):
            rel = spec[len(module) :].strip("/")
            return _go_files(posixpath.join(folder, rel).strip("/") if rel else folder, index)
    return set()


def go_import_path(path: str, index: PathIndex) -> str | None:
    """The import path of the package ``path`` belongs to, from the nearest go.mod."""
    directory = posixpath.dirname(path)
    for module, folder in index.roots.go:
        if not folder or directory == folder or directory.startswith(folder + "/"):
            rel = directory[len(folder) :].strip("/")
            return f"{module}/{rel}" if rel else module
    return None


def _go(spec: str, index: PathIndex) -> set[str]:
    """Without a go.mod: the longest tail of the import path that is a folder here."""
    parts = spec.split("/")
    for i in range(len(parts)):
        directory = "/".join(parts[i:])
        files = [
            f
            for f in index.dirs.get(directory, [])
            if f.endswith(".go") and not f.endswith("_test.go")
        ]
        if files:
            return set(files)
    return set()


def _rust(path: str, text: str, index: PathIndex) -> set[str]:
    text = " ".join(text.split()).rstrip(";")
    text = re.sub(r"^pub(\([^)]*\))? ", "", text)
    here = posixpath.dirname(path)
    stem = PurePosixPath(path).stem
    if text.startswith("mod "):
        name = text[4:].strip()
        own = here if stem in ("mod", "lib", "main") else posixpath.join(here, stem)
        options = (posixpath.join(own, f"{name}.rs"), posixpath.join(own, name, "mod.rs"))
        return {p for p in options if p in index.paths}
    if not text.startswith("use "):
        return set()
    parts = [p for p in text[4:].split("{")[0].split("::") if p]
    crate_root = index.roots.crates.get(parts[0]) if parts else None
    if parts and (parts[0] in ("crate", "self", "super") or crate_root is not None):
        root = here
        if crate_root is not None:
            root = crate_root
        elif parts[0] == "crate":
            while root and posixpath.basename(root) != "src":
                root = posixpath.dirname(root)
        elif parts[0] == "super":
            root = posixpath.dirname(here)
        parts = parts[1:]
        found: set[str] = set()
        for i in range(len(parts), 0, -1):
            rel = posixpath.join(root, *parts[:i])
            for cand in (rel + ".rs", posixpath.join(rel, "mod.rs")):
                if cand in index.paths:
                    found.add(cand)
            if found:
                break
        if not found and crate_root is not None:  # an item of the crate root
            found = {p for p in (f"{root}/lib.rs", f"{root}/main.rs") if p in index.paths}
        return found
    return set()


def _java(text: str, index: PathIndex) -> set[str]:
    name = text.replace("import", "", 1).replace("static", "", 1).strip().rstrip(";").strip()
    parts = name.split(".")
    if parts[-1] == "*":
        directory = "/".join(parts[:-1])
        return {
            p
            for d, files in index.dirs.items()
            if d == directory or d.endswith("/" + directory)
            for p in files
            if p.endswith(".java")
        }
    for i in range(len(parts), 0, -1):  # static imports name a member: drop it
        hits = index.by_suffix("/".join(parts[:i]) + ".java")
        if hits:
            return set(hits[:3])
    return set()


def _c(path: str, spec: str, index: PathIndex) -> set[str]:
    local = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
    if local in index.paths:
        return {local}
    hits = index.by_suffix(spec)
    return set(hits) if len(hits) <= 3 else set()


def module_needles(path: str, index: PathIndex | None = None) -> tuple[bytes, ...]:
    """Byte strings that any file importing ``path`` must contain (a cheap prefilter)."""
    p = PurePosixPath(path)
    fam = family(path)
    if fam is None:
        return ()
    if fam == "python" and p.stem == "__init__":
        return (p.parent.name.encode(),) if p.parent.name else ()
    if fam == "go":
        imported = go_import_path(path, index) if index is not None else None
        if imported is not None:
            return (f'"{imported}"'.encode(),)
        return (p.parent.name.encode(),) if p.parent.name else ()
    if fam == "rust" and p.stem == "lib" and index is not None:
        crate = next((c for c, f in index.roots.crates.items() if f == str(p.parent)), None)
        if crate is not None:
            return (crate.encode(),)
    if fam == "c":
        return (p.name.encode(),) if p.suffix.lower() in (".h", ".hh", ".hpp", ".hxx") else ()
    if fam == "rust" and p.stem in ("mod", "lib", "main"):
        return (p.parent.name.encode(),) if p.parent.name else ()
    if fam == "js" and p.stem == "index":
        names = [p.parent.name] if p.parent.name else []
        if index is not None:  # a workspace package's entry point, imported by its name
            folder = str(p.parent)
            names += [n for n, f in index.roots.packages.items() if folder in (f, f"{f}/src")]
        return tuple(n.encode() for n in names)
    return (p.stem.split(".")[0].encode(),)
