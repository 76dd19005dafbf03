"""What a pull-request run reviews, and what it keeps on disk between tries.

Full review: the pull request's diff exactly as GitHub shows it (the ``files`` patches).
Incremental review (on ``synchronize`` after an earlier complete review): the local diff
from the last reviewed head to the new head, limited to the pull request's files; the
model is told which other files the pull request changes and what was already reported.
When the last reviewed head is not an ancestor of the new one (a force-push) or is missing
from the clone, the whole pull request is reviewed again.

The run folder (``run_dir`` setting, else ``.git/reviewbot/github``) holds, per pull
request and head, ``findings.json`` (saved before anything is posted), ``meta.json`` and,
once everything is posted, ``published`` (``dry-run`` after a dry run). A run that finds
saved but unpublished findings for its head posts those instead of calling the model again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from reviewbot.config import Settings
from reviewbot.github.prior import Prior
from reviewbot.github.types import PullInfo
from reviewbot.pipeline.plan import filter_paths, runs_folder
from reviewbot.repo import ChangeSet, changeset_from_git
from reviewbot.repo.gitcmd import GitRunner, open_repo
from reviewbot.repo.refs import resolve_commit
from reviewbot.review.findings import Finding
from reviewbot.review.result import ReviewResult

PRIOR_LISTED = 40


def incremental_since(root: Path, last_head: str, head: str) -> tuple[str, str]:
    """(the commit to review from, why not incremental when it is "")."""
    if not last_head or last_head == head:
        return "", ""
    runner = GitRunner(open_repo(root))
    if resolve_commit(runner, last_head) is None:
        return "", f"the last reviewed commit {last_head[:12]} is not in this clone"
    status, _, _ = runner.run(["merge-base", "--is-ancestor", last_head, head], ok=(0, 1))
    if status != 0:
        return "", f"the last reviewed commit {last_head[:12]} is not an ancestor (force-push)"
    return last_head, ""


def changes_to_review(root: Path, pr: PullInfo, lines: ChangeSet, since: str) -> ChangeSet:
    if not since:
        return lines
    changes = changeset_from_git(root, base=since, head=pr.head_sha)
    own = {f.path for f in lines.files}
    return filter_paths(changes, sorted(own)) if own else changes


def review_notes(lines: ChangeSet, changes: ChangeSet, prior: Prior, since: str) -> str:
    """What the model should know about earlier runs, for a message of its own (never
    appended to the author's description)."""
    notes: list[str] = []
    if since:
        others = sorted({f.path for f in lines.files} - {f.path for f in changes.files})
        notes.append(
            f"This is an incremental review: the pull request was reviewed at {since[:12]} "
            "and the diff shows only what changed since. Comment on lines of this diff; the "
            "rest of the pull request is in the context for reference."
        )
        if others:
            notes.append("Other files this pull request changes: " + ", ".join(others[:100]))
    earlier = [p.finding for p in prior.findings][:PRIOR_LISTED]
    if earlier:
        notes.append("Already reported (do not report again):")
        notes += [f"- {f.path}:{f.line} {f.title}" for f in earlier]
    return "\n".join(notes)


@dataclass(frozen=True)
class RunFolder:
    path: Path

    @classmethod
    def of(cls, settings: Settings, root: Path, number: int, head: str) -> RunFolder:
        return cls(runs_folder(settings, root, "github") / f"pr{number}-{head[:12]}")

    @property
    def findings(self) -> Path:
        return self.path / "findings.json"

    def saved(self) -> tuple[ReviewResult, str] | None:
        """The result saved by an earlier try that did not finish posting, and its ``since``."""
        done = any((self.path / name).exists() for name in ("published", "dry-run"))
        if not self.findings.is_file() or done:
            return None
        try:
            data = json.loads(self.findings.read_text(encoding="utf-8"))
            meta = json.loads((self.path / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("stopped_by") == "error":  # a failed run's partial findings: review again
            return None
        result = ReviewResult.from_json(data)
        findings = tuple(Finding.from_json(f) for f in data.get("findings", []))
        notes = tuple(str(n) for n in data.get("notes", []))
        return ReviewResult(result.summary, findings, result.stats, notes), str(
            meta.get("since", "")
        )

    def remember(self, since: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "meta.json").write_text(json.dumps({"since": since}), encoding="utf-8")

    def mark_published(self, *, dry_run: bool = False) -> None:
        """Posted (or only shown, in a dry run): never to be posted from here again."""
        self.path.mkdir(parents=True, exist_ok=True)
        name = "dry-run" if dry_run else "published"
        (self.path / name).write_text("done\n", encoding="utf-8")
