"""Which test files go with which source files, per language's conventions.

A test and its module are paired by a normalised *subject*: the module's file name, or the
test's name without its test marker, lower-cased with ``_``, ``-`` and leading underscores
dropped, so ``test_client.py`` goes with the private ``_client.py`` and
``deep-exclude.test.ts`` with ``DeepExclude.ts``. The markers, per language:

* Python: ``test_x.py``, ``x_test.py``, ``tests_x.py``;
* Go: ``x_test.go`` (the same package, so the same folder);
* JavaScript/TypeScript: ``x.test.ts``, ``x.spec.ts``, ``__tests__/x.ts``;
* Rust: ``tests/x.rs`` (integration tests); ``mod tests`` sits inside the module itself;
* Java/Kotlin: ``XTest.java``, ``XTests.java``, ``TestX.java``, ``XIT.java``, usually under
  ``src/test/...`` mirroring ``src/main/...``.

A test in a folder named after a module (``tests/client/test_auth.py`` for ``_client.py``)
is paired too, more weakly. Files whose name says only what role they play in their folder
(``__init__.py``, ``conftest.py``, ``index.ts``, ``mod.rs``, ``main.go``) pair only within one
folder: ``tests/client/__init__.py`` is not a test of ``http3/__init__.py``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TEST_DIRS = frozenset({"tests", "test", "__tests__", "spec", "testing"})
_SOURCE_DIRS = frozenset({"src", "lib", "main", "java", "kotlin", "pkg", "internal"})
_CODE = frozenset(
    {"py", "pyi", "go", "rs", "java", "kt", "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"}
)
_FAMILY = {
    **dict.fromkeys(("js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"), "js"),
    **dict.fromkeys(("py", "pyi"), "py"),
    **dict.fromkeys(("java", "kt"), "jvm"),
}


def _split(path: str) -> tuple[str, str, str]:
    """(folder, name without extensions, extension)."""
    folder, name = posixpath.split(path)
    stem, _, ext = name.partition(".")
    last = name.rpartition(".")[2] if "." in name else ""
    return folder, stem, last.lower() if last else ext


def key(name: str) -> str:
    """``_Deep-Exclude_x`` -> ``deepexcludex``: what a test and its module share."""
    return name.replace("_", "").replace("-", "").lower()


def family(path: str) -> str | None:
    ext = _split(path)[2]
    return _FAMILY.get(ext, ext) if ext in _CODE else None


def is_test(path: str) -> bool:
    name = posixpath.basename(path)
    parts = path.split("/")
    return (
        name.startswith(("test_", "tests_"))
        or any(marker in name for marker in ("_test.", ".test.", ".spec.", "Test.", "Tests."))
        or (name.startswith("Test") and name[4:5].isupper())
        or any(part in TEST_DIRS for part in parts[:-1])
    )


def subject(path: str) -> str | None:
    """The normalised name of the module a test file is about, or ``None``."""
    if not is_test(path) or family(path) is None:
        return None
    name = posixpath.basename(path)
    stem = name.split(".")[0]
    for prefix in ("tests_", "test_"):
        if stem.startswith(prefix) and len(stem) > len(prefix):
            return key(stem[len(prefix) :])
    for suffix in ("_test", "_tests", "Tests", "Test", "IT"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return key(stem[: -len(suffix)])
    if stem.startswith("Test") and stem[4:5].isupper():
        return key(stem[4:])
    return key(stem)  # x.test.ts, x.spec.ts, __tests__/x.ts, tests/x.rs


# Names of a folder's entry points and fixtures, not of a subject.
_GENERIC = frozenset({"init", "main", "conftest", "index", "mod", "lib"})


def _pairable(a: str, b: str, name: str) -> bool:
    """Two paths sharing ``name`` go together unless it is generic and the folders differ."""
    return name not in _GENERIC or closeness(a, b) == 1.0


def _folders(path: str) -> list[str]:
    return [p for p in path.split("/")[:-1] if p not in TEST_DIRS and p not in _SOURCE_DIRS]


def closeness(a: str, b: str) -> float:
    """How much folder two paths share once test and source folder names are ignored
    (``src/main/java/a/b`` and ``src/test/java/a/b`` share all): 0.0 to 1.0."""
    x, y = _folders(a), _folders(b)
    if not x and not y:
        return 1.0
    same = 0
    for p, q in zip(reversed(x), reversed(y), strict=False):
        if p != q:
            break
        same += 1
    return same / max(len(x), len(y))


def _same_folder(a: str, b: str) -> bool:
    """Go tests live in their package's folder."""
    return posixpath.dirname(a) == posixpath.dirname(b)


@dataclass(frozen=True)
class Pair:
    path: str
    score: float
    reason: str


class TestIndex:
    """Candidate paths by subject key (tests) and by name key (modules)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.tests: dict[str, list[str]] = {}
        self.modules: dict[str, list[str]] = {}
        self.test_folders: dict[str, list[str]] = {}
        for path in paths:
            fam = family(path)
            if fam is None:
                continue
            about = subject(path)
            if about is not None:
                self.tests.setdefault(about, []).append(path)
                for part in _folders(path) if about not in _GENERIC else ():
                    self.test_folders.setdefault(key(part), []).append(path)
            else:
                self.modules.setdefault(key(_split(path)[1]), []).append(path)

    def pairs(self, changed: str) -> list[Pair]:
        """Tests of a changed module, or the modules a changed test is about."""
        fam = family(changed)
        if fam is None:
            return []
        about = subject(changed)
        if about is not None:
            return [
                Pair(p, 0.6 + 0.4 * closeness(changed, p), f"module under test of {changed}")
                for p in self.modules.get(about, ())
                if family(p) == fam
                and (fam != "go" or _same_folder(p, changed))
                and _pairable(changed, p, about)
            ]
        name = key(_split(changed)[1])
        found = [
            Pair(p, 0.6 + 0.4 * closeness(changed, p), f"tests {changed}")
            for p in self.tests.get(name, ())
            if family(p) == fam
            and (fam != "go" or _same_folder(p, changed))
            and _pairable(changed, p, name)
        ]
        named = {p.path for p in found}
        found += [
            Pair(p, 0.4, f"in the tests folder named after {changed}")
            for p in self.test_folders.get(name, ())
            if family(p) == fam and p not in named
        ]
        return found


def pair_signal(changed: Iterable[str], index: TestIndex) -> Mapping[str, Pair]:
    """The best pairing of each candidate with any changed file (changed files left out)."""
    changed = list(changed)
    skip = set(changed)
    out: dict[str, Pair] = {}
    for source in changed:
        for pair in index.pairs(source):
            if pair.path in skip:
                continue
            if pair.path not in out or out[pair.path].score < pair.score:
                out[pair.path] = pair
    return out
