"""Which commits and hidden files bench/recall.py measures (drawn once, kept as data)."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

from reviewbot.repo import RepoView

BENCH = Path(__file__).resolve().parent
REPOS = BENCH / "recall_repos.json"  # repositories, their language and role
SAMPLES = BENCH / "recall_samples.json"  # the sampled commits and hidden files
CACHE = BENCH / "out" / "recall"  # per-sample signals, one folder per signal-code version
CODE_SUFFIXES = (
    ".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts",
    ".go", ".rs", ".java", ".kt", ".c", ".h", ".cc", ".cpp", ".hpp",
)  # fmt: skip
LANGUAGE_SUFFIXES = {
    "python": (".py",),
    "go": (".go",),
    "typescript": (".ts", ".tsx", ".mts", ".cts"),
    "rust": (".rs",),
    "java": (".java",),
}


@dataclass(frozen=True)
class Sample:
    sha: str
    hidden: str

    @property
    def key(self) -> str:
        return f"{self.sha}:{self.hidden}"

    @property
    def file_name(self) -> str:
        """The sample's cache file name, the same in every process (``hash()`` of a str
        is not: it is salted per process, and each run would write a new copy)."""
        return f"{self.sha[:12]}-{hashlib.sha256(self.hidden.encode()).hexdigest()[:8]}.json"


def repo_path(root: Path, name: str) -> Path:
    """``owner/name`` inside ``root``: ``owner+name.git`` (a clone) or ``owner+name/repo``."""
    flat = name.replace("/", "+")
    for candidate in (root / f"{flat}.git", root / flat / "repo", root / flat):
        if candidate.exists():
            return candidate
    raise SystemExit(f"{name}: not found under {root}; fetch github:{name} and clone it there")


def _modified(path: Path, sha: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(path), "diff-tree", "--no-commit-id", "-r", "--name-status", sha],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.split("\t", 1)[1] for line in out.splitlines() if line.startswith("M\t")]


# A commit whose parent is the same author's, this close before it, is likely one step of a
# series: the history before it holds the author's own earlier steps, which a pull request's
# base branch would not (they would be part of the change under review).
SERIES_SECONDS = 3 * 86_400


def follows_own_commit(path: Path, sha: str) -> bool:
    """Whether ``sha``'s first parent has the same author email and is at most
    ``SERIES_SECONDS`` older (by author date)."""
    shown = subprocess.run(
        ["git", "-C", str(path), "show", "-s", "--format=%ae %at", sha, sha + "^"],
        capture_output=True,
        text=True,
    )
    lines = shown.stdout.split("\n")
    if shown.returncode or len(lines) < 2 or not lines[1]:
        return False
    (mine, at), (theirs, before) = lines[0].rsplit(" ", 1), lines[1].rsplit(" ", 1)
    return mine == theirs and 0 <= int(at) - int(before) <= SERIES_SECONDS


def _whole(path: Path, sha: str) -> bool:
    """Every blob of ``sha`` and its parent present (a stored snapshot lacks files >= 4 MiB)."""
    for rev in (sha, sha + "^"):
        listing = subprocess.run(
            ["git", "-C", str(path), "ls-tree", "-r", "-l", rev], capture_output=True, text=True
        )
        if listing.returncode or any(
            line.split(maxsplit=4)[3] == "BAD" for line in listing.stdout.splitlines()
        ):
            return False
    return True


def draw_samples(path: Path, language: str, commits: int, seed: int) -> list[Sample]:
    """``commits`` commits touching 2-10 code files (at most 20 files in all), newest 6,000
    considered, commits with objects missing from the snapshot left out; in each, one
    modified file of ``language`` is hidden."""
    wanted = LANGUAGE_SUFFIXES[language]
    found = []
    for c in RepoView(path, "HEAD").history(6000):
        code = [f for f in c.files if f.endswith(CODE_SUFFIXES)]
        if 2 <= len(code) <= 10 and len(c.files) <= 20 and any(f.endswith(wanted) for f in code):
            found.append(c.sha)
    rng = random.Random(seed)
    rng.shuffle(found)
    out: list[Sample] = []
    for sha in found:
        options = sorted(f for f in _modified(path, sha) if f.endswith(wanted))
        if options and _whole(path, sha):
            out.append(Sample(sha, rng.choice(options)))
        if len(out) == commits:
            break
    return out


def cache_file(version: str, name: str, sample: Sample) -> Path:
    """Where the packer's signals for ``sample`` of repository ``name`` are cached."""
    return CACHE / version / name.replace("/", "+") / sample.file_name


def tuning_samples() -> dict[str, list[Sample]]:
    """The sampled commits of the *tuning* repositories: everything the fitting may read
    (bench/recall_tune.py); reporting repositories are left out here, once."""
    spec = json.loads(REPOS.read_text())
    stored = json.loads(SAMPLES.read_text())
    return {
        repo["name"]: [Sample(sha, hidden) for sha, hidden in stored[repo["name"]]]
        for repo in spec["repositories"]
        if repo["role"] == "tuning"
    }
