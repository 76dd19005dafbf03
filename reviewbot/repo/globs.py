"""The one glob language of reviewbot, matched in time linear in the path's length.

Every glob goes through here: ``exclude``, ``deny_paths`` and the default deny list,
``audit.include`` / ``audit.exclude``, ``path_instructions``, the paths given to
``reviewbot review``, ``.gitattributes`` lines, and the model's ``list_files(pattern)`` and
``search_code(path_glob)``.

Syntax:

- ``*`` any run of characters inside one path component (never ``/``); ``?`` one character
  other than ``/``; ``[abc]``, ``[a-z]``, ``[!a-z]`` or ``[^a-z]`` one character of (not
  of) the set, never ``/`` (a reversed range such as ``[z-a]`` is empty; a ``[`` without
  its ``]`` is a plain character); ``\\`` makes the next character plain.
- ``**`` as a whole component: at the start (``**/x``) or in the middle (``a/**/b``) it
  stands for zero or more folders; at the end (``a/**``) for everything inside ``a``;
  alone, for every path. Anywhere else (``a**b``) it is the same as ``*``.
- Where a pattern applies (git's rules for ``.gitignore``): a pattern with a ``/`` other
  than a trailing one is anchored at the repository root (a leading ``/`` is allowed);
  one without matches a file or folder name at any depth. A match on a folder covers
  everything below it; a trailing ``/`` matches folders only. Deny lists use ``anywhere``:
  a pattern matches a run of whole components at any depth (``.aws/credentials`` also
  covers ``home/.aws/credentials``) unless it starts with ``/``.

Each pattern is compiled to one Python regular expression that cannot backtrack
catastrophically: between two stars only the leftmost occurrence of the fixed text can
matter, so each ``*`` (and each ``**``) before another one is an atomic, lazy group; the
last one backtracks over one component (or one path) only. A pattern set is one regex, so
matching 78,000 paths against the deny list is one ``re.match`` per path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_ANY_FOLDERS = "(?:[^/]*/)*?"  # zero or more whole components, fewest first


class _Star:
    """``*`` inside a component."""


class _Folders:
    """``**`` as a whole component."""


_STAR = _Star()
_FOLDERS = _Folders()
Atom = str | _Star  # one regex for one character, or a star
Component = list[Atom] | _Folders


def _class(pattern: str, i: int, empty: list[str] | None = None) -> tuple[str, int] | None:
    """The regex for the set starting at ``pattern[i] == "["`` and the index after it;
    reversed ranges (which match nothing) are added to ``empty``."""
    j = i + 1
    negate = j < len(pattern) and pattern[j] in "!^"
    j += negate
    items: list[str] = []
    first = True
    while j < len(pattern) and (pattern[j] != "]" or first):
        first = False
        c = pattern[j]
        if c == "\\" and j + 1 < len(pattern):
            j += 1
            c = pattern[j]
        if j + 2 < len(pattern) and pattern[j + 1] == "-" and pattern[j + 2] != "]":
            end = pattern[j + 2]
            if end == "\\" and j + 3 < len(pattern):
                end = pattern[j + 3]
                j += 1
            if c <= end:  # a reversed range is empty
                items.append(f"{re.escape(c)}-{re.escape(end)}")
            elif empty is not None:
                empty.append(f"{c}-{end}")
            j += 3
            continue
        items.append(re.escape(c))
        j += 1
    if j >= len(pattern):
        return None  # no closing bracket: "[" is a plain character
    if not items:
        return ("[^/]" if negate else "(?!)"), j + 1
    body = "".join(items)
    return (f"[^/{body}]" if negate else f"(?!/)[{body}]"), j + 1


def _component(text: str, empty: list[str] | None = None) -> Component:
    if text == "**":
        return _FOLDERS
    atoms: list[Atom] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "*":
            if not atoms or atoms[-1] is not _STAR:
                atoms.append(_STAR)
            i += 1
        elif c == "?":
            atoms.append("[^/]")
            i += 1
        elif c == "[" and (found := _class(text, i, empty)) is not None:
            atoms.append(found[0])
            i = found[1]
        elif c == "\\" and i + 1 < len(text):
            atoms.append("(?!)" if text[i + 1] == "/" else re.escape(text[i + 1]))
            i += 2
        else:
            atoms.append(re.escape(c))
            i += 1
    return atoms


def _split(pattern: str) -> list[str]:
    """Components of ``pattern``; a ``/`` after ``\\`` does not split (it never matches)."""
    parts, current, i = [], "", 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            current += pattern[i : i + 2]
            i += 2
        elif pattern[i] == "/":
            parts.append(current)
            current, i = "", i + 1
        else:
            current += pattern[i]
            i += 1
    return [*parts, current]


def _component_regex(atoms: list[Atom]) -> str:
    """Matches exactly one component: fixed pieces between stars, the leftmost occurrence
    of each middle piece taken once and for all."""
    pieces: list[list[str]] = [[]]
    for atom in atoms:
        if isinstance(atom, _Star):
            pieces.append([])
        else:
            pieces[-1].append(atom)
    if len(pieces) == 1:
        return "".join(pieces[0])
    middle = "".join(f"(?>[^/]*?{''.join(p)})" for p in pieces[1:-1])
    return "".join(pieces[0]) + middle + "[^/]*" + "".join(pieces[-1])


def _path_regex(components: list[Component], *, below: bool, folder_only: bool) -> str:
    """Matches a whole path from its start (for ``re.match``)."""
    # Runs of plain components between ``**``s, and whether a ``**`` comes before each.
    runs: list[list[str]] = [[]]
    for part in components:
        if isinstance(part, _Folders):
            if runs[-1] or len(runs) == 1:
                runs.append([])
        else:
            runs[-1].append(_component_regex(part))
    if all(not run for run in runs):
        return "(?s:.*)"  # "**": every path
    out: list[str] = []
    last = len(runs) - 1
    for index, run in enumerate(runs):
        text = "/".join(run)
        folders_before = index > 0
        if index < last:
            if not run:
                continue  # a leading "**"
            out.append(f"(?>{_ANY_FOLDERS}{text}/)" if folders_before else text + "/")
        elif run:
            end = "/" if folder_only else "(?:/|$)" if below else "$"
            out.append((_ANY_FOLDERS if folders_before else "") + text + end)
        # else a trailing "**": the "/" before it is already required, so something inside
        # the folder follows (a path never ends with "/"); "folder/" itself matches, which
        # is how PathGuard tests whole folders.
    return "".join(out)


def pattern_regex(
    pattern: str, *, anywhere: bool = False, below: bool = True, prefix: str = ""
) -> str | None:
    """The regex source (for ``re.match``) of one pattern, or ``None`` for a blank one.

    ``prefix`` is a folder (plain text, no glob) the pattern is relative to, as for the
    lines of a ``.gitattributes`` file in that folder.
    """
    text = pattern.strip()
    if not text or text in ("/", "//"):
        return None
    folder_only = text.endswith("/") and not text.endswith("\\/")
    text = text.rstrip("/") if folder_only else text
    rooted = text.startswith("/")
    text = text.lstrip("/")
    parts = [p for p in _split(text) if p != ""]
    if not parts:
        return None
    anchored = rooted or (not anywhere and len(parts) > 1)
    components: list[Component] = [_component(p) for p in parts]
    if not anchored:
        components.insert(0, _FOLDERS)
    head = "".join(re.escape(p) + "/" for p in prefix.split("/") if p)
    return head + _path_regex(components, below=below and not folder_only, folder_only=folder_only)


@dataclass(frozen=True)
class GlobSet:
    """Many patterns as one regex; ``match(path)`` says whether any of them matches."""

    patterns: tuple[str, ...]
    regex: re.Pattern[str] | None
    anywhere: bool = False
    below: bool = True
    ignore_case: bool = False

    def match(self, path: str) -> bool:
        return self.regex is not None and self.regex.match(path) is not None

    def which(self, path: str) -> str | None:
        """The first pattern that matches ``path``, if any."""
        if not self.match(path):
            return None
        for pattern in self.patterns:
            if globset([pattern], self.anywhere, self.below, self.ignore_case).match(path):
                return pattern
        return None  # pragma: no cover - the combined regex matched, so one pattern does

    def __bool__(self) -> bool:
        return self.regex is not None


def globset(
    patterns: Iterable[str],
    anywhere: bool = False,
    below: bool = True,
    ignore_case: bool = False,
) -> GlobSet:
    """Compile ``patterns`` (see the module's documentation for what they mean)."""
    kept = tuple(p for p in patterns if p.strip())
    sources = [s for p in kept if (s := pattern_regex(p, anywhere=anywhere, below=below))]
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    regex = re.compile("|".join(f"(?:{s})" for s in sources), flags) if sources else None
    return GlobSet(kept, regex, anywhere, below, ignore_case)


def last_components(patterns: Iterable[str], ignore_case: bool = False) -> re.Pattern[str] | None:
    """For ``fullmatch`` on a file name: could the name end a match of one of ``patterns``
    other than a match of its folder?

    A cheap first test before the full set: most names fail it. A path it rejects is
    matched by the set only if ``match(folder + "/")`` is true for its folder.
    """
    lasts = []
    for raw in patterns:
        parts = [p for p in _split(raw.strip().strip("/")) if p]
        if not parts:
            continue
        last = _component(parts[-1])
        if not isinstance(last, _Folders):
            lasts.append(_component_regex(last))
        elif len(parts) == 1:
            lasts.append("[^/]*")  # "**": every name
        # "a/**" covers whole folders only: the folder test (``match("a/")``) finds them.
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("|".join(f"(?:{s})" for s in lasts), flags) if lasts else None


def pattern_mistake(pattern: str) -> str | None:
    """Why ``pattern`` can match nothing by mistake (a reversed range such as ``[z-a]``),
    said for whoever wrote it (the model: a tool argument); None when there is no such
    mistake. Config files keep such a pattern (it matches nothing, as in fnmatch)."""
    empty: list[str] = []
    for part in _split(pattern.strip()):
        _component(part, empty)
    if not empty:
        return None
    ranges = ", ".join(f"[{r}]" for r in empty)
    return f"the range {ranges} in {pattern!r} is reversed (its start comes after its end)"


def literal_folder(pattern: str) -> str:
    """The longest folder at the front of ``pattern`` with no glob character in it (for
    narrowing a search before the pattern itself is matched)."""
    text = pattern.strip().lstrip("/")
    parts = text.split("/")
    if len(parts) < 2:
        return ""
    plain = []
    for part in parts[:-1]:
        if not part or any(c in part for c in "*?[\\"):
            break
        plain.append(part)
    return "/".join(plain)
