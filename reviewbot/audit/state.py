"""Incremental audits: which units changed since a point, and what earlier findings carry over.

``--since`` takes one of:

* a commit-ish (``main~20``, a tag, a sha): the units with a file changed in
  ``merge-base(REF, HEAD)..HEAD`` are audited again;
* ``last``: the commit of the previous audit recorded in the state file;
* the path of a previous audit's SARIF output (a merged one in CI): its commit and findings.

Earlier findings come from that SARIF file, else from the state file that every unsharded
audit writes (``audit-state.json`` in the runs folder: ``run_dir`` or ``.git/reviewbot/runs``).
A finding is carried over when its file still exists, belongs to a unit that is not audited
again, and did not change since the audit that found it (so its lines still hold). Files the
earlier audit did not cover (units a cost cap left out, other shards) count as changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from reviewbot.audit.outputs import read_output
from reviewbot.config import Settings
from reviewbot.errors import RepositoryError, UsageError
from reviewbot.pipeline.plan import runs_folder
from reviewbot.repo import changeset_from_git
from reviewbot.repo.gitcmd import GitRunner, open_repo
from reviewbot.repo.refs import resolve_commit
from reviewbot.review.findings import Finding

STATE_FILE = "audit-state.json"
STATE_VERSION = 1
LAST = "last"


@dataclass(frozen=True)
class Previous:
    """Findings of an earlier audit and the commit it audited."""

    head: str
    findings: tuple[Finding, ...]
    source: str  # where they came from, for notes
    covered: frozenset[str] | None = None  # files it audited (None: all of them)


@dataclass(frozen=True)
class Since:
    base: str  # the commit changes are counted from
    touched: frozenset[str]  # files changed since then (old and new paths)
    previous: Previous | None
    label: str


def state_path(settings: Settings, root: Path) -> Path:
    return runs_folder(settings, root) / STATE_FILE


def save_state(
    path: Path,
    head: str,
    date: str,
    findings: Iterable[Finding],
    covered: frozenset[str] | None,
) -> None:
    """Write the state atomically (a crash never leaves half a file)."""
    data = {
        "version": STATE_VERSION,
        "head": head,
        "date": date,
        "covered": None if covered is None else sorted(covered),
        "findings": [f.to_json() for f in findings],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def load_state(path: Path) -> Previous | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        findings = tuple(Finding.from_json(f) for f in data["findings"])
        covered = data.get("covered")
        return Previous(
            str(data["head"]),
            findings,
            f"the state file {path}",
            None if covered is None else frozenset(str(p) for p in covered),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"the audit state file {path} cannot be read ({exc})",
            hint="delete it; the next full audit writes it again",
        ) from exc


def changed_files(root: Path, base: str, head: str) -> frozenset[str]:
    """Paths changed in ``merge-base(base, head)..head`` (both sides of renames)."""
    changes = changeset_from_git(root, base=base, head=head)
    paths = {f.path for f in changes.files}
    paths |= {f.old_path for f in changes.files if f.old_path}
    return frozenset(paths)


def resolve_since(value: str, *, root: Path, head: str, state: Path) -> Since:
    """What ``--since value`` means here (see the module's docstring)."""
    runner = GitRunner(open_repo(root))
    previous: Previous | None
    as_file = Path(value)
    if value != LAST and resolve_commit(runner, value) is None and as_file.is_file():
        output = read_output(as_file)
        if not output.head:
            raise UsageError(
                f"{value} does not record the commit it audited",
                hint="pass the SARIF output of `reviewbot audit` or `audit merge`, or a REF",
            )
        previous = Previous(
            output.head, output.result.findings, f"the output {value}", output.covered
        )
        base, label = output.head, f"the audit in {value}"
    elif value == LAST and resolve_commit(runner, value) is None:
        previous = load_state(state)
        if previous is None:
            raise UsageError(
                f"--since last: no earlier audit recorded in {state}",
                hint="run a full audit first, or pass --since REF",
            )
        base, label = previous.head, "the last audit"
    else:
        sha = resolve_commit(runner, value)
        if sha is None:
            raise RepositoryError(
                f"--since {value!r} is neither a commit here nor an audit output file",
                hint="pass a branch, tag or sha (fetch the history first), or a SARIF file",
            )
        previous = load_state(state)
        base, label = sha, value
    if resolve_commit(runner, base) is None:
        raise RepositoryError(
            f"the earlier audit's commit {base[:12]} is not in this clone",
            hint="fetch the history (actions/checkout with fetch-depth: 0)",
        )
    touched = changed_files(root, base, head)
    if previous is not None and previous.head != base:
        if resolve_commit(runner, previous.head) is None:
            previous = None  # its lines cannot be checked: carry nothing over
        else:
            touched |= changed_files(root, previous.head, head)
    return Since(base, touched, previous, label)


def widen(since: Since, files: Iterable[str]) -> Since:
    """``since`` with the files the earlier audit did not cover counted as touched: a unit
    it never ran (a cost cap, another shard) is audited now, not assumed clean."""
    previous = since.previous
    if previous is None or previous.covered is None:
        return since
    missed = frozenset(files) - previous.covered
    return replace(since, touched=since.touched | missed)


def carry_over(
    previous: Previous | None, files: Iterable[str], touched: frozenset[str]
) -> tuple[Finding, ...]:
    """Earlier findings on ``files`` (untouched, still audited files of units not run)."""
    if previous is None:
        return ()
    keep = set(files) - touched
    return tuple(f for f in previous.findings if f.path in keep)
