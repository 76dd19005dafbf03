"""The one glob matcher (reviewbot/repo/globs.py) against a reference written from its
documentation: a plain recursive matcher, exponential but obviously right on small inputs.
Hypothesis builds patterns and paths from the characters that matter; every mode (rooted or
anywhere, covering folders or not, any case or not) must agree with the reference."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewbot.repo.globs import (
    globset,
    last_components,
    literal_folder,
    pattern_mistake,
    pattern_regex,
)

# Reference ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Chars:
    """One character of a set (or, with ``plain``, exactly that character)."""

    singles: str = ""
    ranges: tuple[tuple[str, str], ...] = ()
    negate: bool = False

    def accepts(self, c: str, fold: bool) -> bool:
        forms = {c, c.lower(), c.upper()} if fold else {c}
        inside = any(f in self.singles or any(a <= f <= b for a, b in self.ranges) for f in forms)
        return c != "/" and inside != self.negate


STAR, FOLDERS = "STAR", "FOLDERS"
ANY = Chars(negate=True)


def ref_class(text: str, i: int) -> tuple[Chars, int] | None:
    j = i + 1
    negate = j < len(text) and text[j] in "!^"
    if negate:
        j += 1
    singles, ranges, first = "", [], True
    while j < len(text) and (text[j] != "]" or first):
        first = False
        c = text[j]
        if c == "\\" and j + 1 < len(text):
            j += 1
            c = text[j]
        if j + 2 < len(text) and text[j + 1] == "-" and text[j + 2] != "]":
            end = text[j + 2]
            if end == "\\" and j + 3 < len(text):
                j += 1
                end = text[j + 2]
            ranges.append((c, end))
            j += 3
            continue
        singles += c
        j += 1
    if j >= len(text):
        return None
    return Chars(singles, tuple(ranges), negate), j + 1


def ref_component(text: str) -> object:
    if text == "**":
        return FOLDERS
    tokens: list[object] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "*":
            tokens.append(STAR)
            i += 1
        elif c == "?":
            tokens.append(ANY)
            i += 1
        elif c == "[" and (found := ref_class(text, i)) is not None:
            tokens.append(found[0])
            i = found[1]
        elif c == "\\" and i + 1 < len(text):
            tokens.append(Chars(singles=text[i + 1]))
            i += 2
        else:
            tokens.append(Chars(singles=c))
            i += 1
    return tokens


def ref_split(text: str) -> list[str]:
    parts, current, i = [], "", 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current, i = current + text[i : i + 2], i + 2
        elif text[i] == "/":
            parts, current, i = [*parts, current], "", i + 1
        else:
            current, i = current + text[i], i + 1
    return [p for p in [*parts, current] if p]


def name_matches(tokens: list[object], name: str, fold: bool) -> bool:
    if not tokens:
        return name == ""
    head, rest = tokens[0], tokens[1:]
    if head == STAR:
        return any(name_matches(rest, name[k:], fold) for k in range(len(name) + 1))
    assert isinstance(head, Chars)
    return bool(name) and head.accepts(name[0], fold) and name_matches(rest, name[1:], fold)


def path_matches(parts: list[object], names: list[str], end: str, fold: bool) -> bool:
    if not parts:
        return {"exact": not names, "below": True, "folder": bool(names)}[end]
    head, rest = parts[0], parts[1:]
    if head == FOLDERS:
        if not rest:  # at the end: everything inside (one component or more)
            return bool(names)
        return any(path_matches(rest, names[k:], end, fold) for k in range(len(names) + 1))
    assert isinstance(head, list)
    return (
        bool(names)
        and name_matches(head, names[0], fold)
        and path_matches(rest, names[1:], end, fold)
    )


def reference(pattern: str, path: str, anywhere: bool, below: bool, fold: bool) -> bool:
    text = pattern.strip()
    folder_only = text.endswith("/") and not text.endswith("\\/")
    rooted = text.startswith("/")
    parts = ref_split(text.strip("/") if folder_only else text.lstrip("/"))
    if not parts:
        return False
    compiled: list[object] = [ref_component(p) for p in parts]
    if not (rooted or (not anywhere and len(parts) > 1)):
        compiled.insert(0, FOLDERS)
    end = "folder" if folder_only else "below" if below else "exact"
    return path_matches(compiled, path.split("/"), end, fold)


# Properties ---------------------------------------------------------------------------

PATTERN_PIECES = [
    "a", "b", "A", "ab", "*", "**", "?", "/", "[ab]", "[!a]", "[^b]", "[a-b]", "[b-a]",
    "[]a]", "[!]", "[", "]", "\\*", "\\[", "\\", "-", ".", "*a", "a*", "**/", "/**",
]  # fmt: skip
PATH_PIECES = ["a", "b", "A", "ab", "ba", "*", "[", "]", "-", ".", "\\"]

patterns = st.lists(st.sampled_from(PATTERN_PIECES), min_size=1, max_size=7).map("".join)
paths = st.lists(st.sampled_from(PATH_PIECES), min_size=1, max_size=5).flatmap(
    lambda names: st.lists(st.sampled_from(["", "a", "b/"]), min_size=0, max_size=2).map(
        lambda extra: "/".join([*names, *[e for e in extra if e]]).replace("//", "/").strip("/")
    )
)


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(
    pattern=patterns,
    path=paths,
    anywhere=st.booleans(),
    below=st.booleans(),
    fold=st.booleans(),
)
def test_matcher_agrees_with_the_reference(
    pattern: str, path: str, anywhere: bool, below: bool, fold: bool
) -> None:
    if not path:
        return
    got = globset([pattern], anywhere=anywhere, below=below, ignore_case=fold).match(path)
    assert got == reference(pattern, path, anywhere, below, fold), (pattern, path)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(many=st.lists(patterns, min_size=1, max_size=5), path=paths)
def test_a_set_matches_when_one_pattern_does(many: list[str], path: str) -> None:
    if not path:
        return
    one = globset(many, anywhere=True, ignore_case=True)
    expected = [p for p in many if reference(p, path, True, True, True)]
    assert one.match(path) == bool(expected)
    assert one.which(path) == (expected[0] if expected else None)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(many=st.lists(patterns, min_size=1, max_size=4), path=paths)
def test_last_component_prefilter_never_hides_a_match(many: list[str], path: str) -> None:
    """The guard skips the full set for names that fail ``last_components``; that must
    never skip a path whose own last component ends a match."""
    if not path:
        return
    last = last_components(many, ignore_case=True)
    name = path.rsplit("/", 1)[-1]
    full = globset(many, anywhere=True, ignore_case=True)
    if full.match(path) and not full.match(path.rpartition("/")[0] + "/"):
        assert last is not None and last.fullmatch(name), (many, path)


# The documented rules, by example -----------------------------------------------------

CASES = [
    # pattern, path, matches (rooted, covering folders: exclude, path_instructions)
    ("*.py", "a/b/c.py", True),
    ("*.gen.ts", "a/b/c.gen.ts", True),
    ("build/", "build/x/y.txt", True),
    ("build/", "mybuild/x", False),
    ("build/", "build", False),
    ("src/**/fixtures/*.json", "src/fixtures/a.json", True),
    ("src/**/fixtures/*.json", "src/a/b/fixtures/a.json", True),
    ("src/**/fixtures/*.json", "src/fixtures/a.yaml", False),
    ("src/*.py", "src/a/b.py", False),
    ("/README.md", "docs/README.md", False),
    ("README.md", "docs/README.md", True),
    ("vendor", "vendor/x/y.js", True),
    ("a/**", "a", False),
    ("a/**", "a/b/c", True),
    ("**", "anything/at/all", True),
    ("a**b", "ab", True),
    ("a**b", "a/b", False),
    ("[z-a]", "z", False),
    ("[!z-a]", "z", True),
    ("[ab", "[ab", True),
    ("\\*", "*", True),
    ("\\*", "x", False),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), CASES)
def test_documented_rules(pattern: str, path: str, expected: bool) -> None:
    assert globset([pattern]).match(path) is expected
    assert reference(pattern, path, False, True, False) is expected


def test_deny_style_anywhere_and_any_case() -> None:
    deny = globset([".aws/credentials", "/top.key", "secrets/**"], anywhere=True, ignore_case=True)
    assert deny.match("home/.AWS/Credentials")
    assert deny.match("top.key") and not deny.match("sub/top.key")
    assert deny.match("x/secrets/a/b") and not deny.match("x/secrets")


def test_empty_sets() -> None:
    assert not globset([]) and not globset(["", "  ", "/"]).match("a")
    assert last_components([]) is None


def test_literal_folder() -> None:
    assert literal_folder("src/app/**/*.py") == "src/app"
    assert literal_folder("/src/*.py") == "src"
    assert literal_folder("*.py") == "" and literal_folder("s*c/a.py") == ""


def test_catastrophic_patterns_are_linear() -> None:
    """``"*a"*12 + "b"`` took 97 s against 40 characters (issue 14) and doubled with each
    star. Run in a child process so that a regression fails instead of hanging the suite."""
    code = (
        "from reviewbot.repo.globs import globset\n"
        "name = 'a' * 5000\n"
        "for p in ['*a' * 12 + 'b', '*a' * 60 + 'b', '**/' * 30 + 'b', '*/**/' * 20 + 'b',"
        "          '[ab]*' * 40 + 'c']:\n"
        "    for anywhere in (False, True):\n"
        "        s = globset([p], anywhere=anywhere)\n"
        "        assert not s.match(name) and not s.match('/'.join(['a'] * 2000))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def outside_atomic_groups(source: str) -> str:
    """``source`` with every atomic group ``(?>...)`` cut out; escapes and sets are read
    as units, so a parenthesis inside them opens nothing."""
    out: list[str] = []
    groups: list[bool] = []  # per open group: is it atomic?
    i = 0
    while i < len(source):
        if source.startswith("(?>", i):
            groups.append(True)
            i += 3
            continue
        c = source[i]
        end = i + 1
        if c == "\\":
            end = i + 2
        elif c == "[":
            end = i + 1 + (source[i + 1 : i + 2] == "^")
            end += source[end : end + 1] == "]"
            while source[end] != "]":
                end += 2 if source[end] == "\\" else 1
            end += 1
        elif c == "(":
            groups.append(False)
        elif c == ")":
            groups.pop()
        if not any(groups):
            out.append(source[i:end])
        i = end
    return "".join(out)


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(
    pattern=st.lists(st.sampled_from(PATTERN_PIECES), min_size=1, max_size=40).map("".join),
    anywhere=st.booleans(),
)
def test_stars_that_may_backtrack_are_bounded_by_components(pattern: str, anywhere: bool) -> None:
    """The bound behind linear matching (no timing): between two stars only the leftmost
    occurrence of the fixed text can matter, so every star but the last of a component is
    an atomic group; what may backtrack is at most one star per component and one walk over
    folders, however many stars the pattern has (``"*a"*12 + "b"`` took 97 s when each of
    its 12 stars could backtrack)."""
    source = pattern_regex(pattern, anywhere=anywhere)
    if source is None:
        return
    free = outside_atomic_groups(source).count("[^/]*")
    assert free <= pattern.count("/") + 2, (pattern, source)


def test_the_catastrophic_pattern_has_one_star_that_may_backtrack() -> None:
    source = pattern_regex("*a" * 12 + "b")
    assert source is not None
    assert outside_atomic_groups(source).count("[^/]*") == 2  # the folder walk, the last star


def test_a_reversed_range_is_named_as_a_mistake() -> None:
    assert pattern_mistake("src/[z-a]*.py") == (
        "the range [z-a] in 'src/[z-a]*.py' is reversed (its start comes after its end)"
    )
    assert pattern_mistake("[a-z]*.py") is None and pattern_mistake("[!]") is None
    assert not globset(["[z-a]"]).match("m")  # in a config file it still matches nothing
