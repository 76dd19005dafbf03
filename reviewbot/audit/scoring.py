"""A file's risk score, as terms that each carry their reason: churn (recent commits,
decayed by age), fan-in (importers), size, a sensitive path, security content; test code
counts half. The plan sorts and groups files by it."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reviewbot.audit.risk import LABELS, path_categories
from reviewbot.audit.scan import FileFacts

HALF_LIFE = 250.0  # commits; a change this many commits ago counts half
BULK_COMMIT = 50  # commits touching more files than this (imports, reformatting) are no churn
# Risk terms: security evidence weighs most; churn, fan-in and size are capped so that a
# header included by thousands of files does not outrank code that unpickles requests.
W_CHURN, MAX_CHURN = 1.5, 4.5  # x log2(1 + decayed commits)
W_FAN_IN, MAX_FAN_IN = 1.0, 4.0  # x log2(1 + importers)
W_SIZE, MAX_SIZE = 0.5, 2.0  # x log2(1 + lines / 200)
W_PATH = 2.0  # per sensitive area the path names (two at most)
W_CONTENT = 3.0  # per security category in the content (three at most), + 0.5 x log2(n)
TEST_FACTOR = 0.5
_TEST_PART = re.compile(r"(^|/)(tests?|__tests__|spec|testing)/|(^|/)test_[^/]*$|_test\.\w+$")


@dataclass(frozen=True)
class Churn:
    commits: int
    score: float
    latest: str


def churn(history: Sequence[Any], *, bulk: int = BULK_COMMIT) -> dict[str, Churn]:
    """Per path: commits that touched it (newest first in ``history``), decayed by age."""
    out: dict[str, Churn] = {}
    for age, commit in enumerate(history):
        files = commit.files
        if not files or len(files) > bulk:
            continue
        decay = 0.5 ** (age / HALF_LIFE)
        for path in files:
            seen = out.get(path)
            if seen is None:
                out[path] = Churn(1, decay, commit.date_iso[:10])
            else:
                out[path] = Churn(seen.commits + 1, seen.score + decay, seen.latest)
    return out


def fan_in(facts: Mapping[str, FileFacts]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in facts.values():
        for target in f.imports:
            counts[target] = counts.get(target, 0) + 1
    return counts


def is_test(path: str) -> bool:
    return bool(_TEST_PART.search(path))


def score_file(
    path: str,
    facts: FileFacts,
    changes: Churn | None,
    importers: int,
    *,
    commits: int,
) -> tuple[float, tuple[str, ...], tuple[str, ...]]:
    """Risk score, its reasons (weightiest first) and the security categories seen."""
    terms: list[tuple[float, str]] = []
    if changes is not None:
        terms.append(
            (
                min(W_CHURN * math.log2(1 + changes.score), MAX_CHURN),
                f"churn: changed in {changes.commits} of the last {commits} commit(s), "
                f"latest {changes.latest}",
            )
        )
    if importers:
        weight = min(W_FAN_IN * math.log2(1 + importers), MAX_FAN_IN)
        terms.append((weight, f"imported by {importers} file(s)"))
    size = min(W_SIZE * math.log2(1 + facts.lines / 200), MAX_SIZE)
    if size >= 0.25:
        terms.append((size, f"size: {facts.lines:,} lines"))
    cats = path_categories(path)
    for category in cats[:2]:
        terms.append((W_PATH, f"sensitive path: {LABELS[category]}"))
    hits = facts.hits
    ordered = sorted(hits.counts, key=lambda c: (-hits.counts[c], c))
    for category in ordered[:3]:
        weight = W_CONTENT + 0.5 * math.log2(hits.counts[category])
        terms.append((weight, f"content: {hits.describe(category)}"))
    if not facts.scanned:
        terms.append((0.0, "content not scanned (over the scan limit)"))
    score = sum(w for w, _ in terms)
    terms.sort(key=lambda t: (-t[0], t[1]))
    reasons = [f"+{w:.1f} {why}" if w else why for w, why in terms]
    if is_test(path) and score:
        score *= TEST_FACTOR
        reasons.append(f"test code: risk x{TEST_FACTOR}")
    seen = tuple(c for c in LABELS if c in cats or c in hits.counts)
    return score, tuple(reasons), seen
