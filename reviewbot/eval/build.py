"""Materialise an instance as a real git repository: branch ``base`` and branch ``change``
(checked out), ready for ``reviewbot review --base base --head change``.

Objects come from a per-repository cache (``CACHE/owner+name.git``, fetched from the
repository's URL once; fill it yourself to work offline). An instance repository borrows
the cache's objects (``objects/info/alternates``) and has only its two branches, so no
later commit of the project (the real fix, say) is reachable from it. Commits made here
have fixed authors and dates: the same instance builds to the same shas on every machine.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import git

from reviewbot.errors import RepositoryError
from reviewbot.eval.instances import (
    GoldLine,
    Instance,
    InstanceSet,
    Mutation,
    Repository,
    gold_json,
)
from reviewbot.repo import changeset_from_git
from reviewbot.repo.diff import ChangeSet, FileChange
from reviewbot.repo.gitcmd import GitRunner

MARKER = "reviewbot-eval.json"  # in the instance's .git: what it was built from
REVERT_AUTHOR = ("reviewbot eval", "eval@reviewbot.invalid")
FETCH_REFS = "+refs/heads/*:refs/heads/*"


@dataclass(frozen=True)
class BuiltInstance:
    instance: Instance
    root: Path
    base: str
    head: str
    gold: tuple[GoldLine, ...]  # computed from the built change
    changed: tuple[GoldLine, ...]  # every added (RIGHT) and deleted (LEFT) line


def cache_path(cache: Path, repository: Repository) -> Path:
    return cache / (repository.key.replace("/", "+") + ".git")


def ensure_cached(cache: Path, repository: Repository, commits: Iterable[str]) -> GitRunner:
    """The cache repository holding ``commits``, fetched from the URL when they are missing."""
    path = cache_path(cache, repository)
    if not path.exists():
        path.mkdir(parents=True)
        git.Repo.init(path, bare=True)
    runner = GitRunner(git.Repo(path))
    missing = [c for c in commits if not _has_commit(runner, c)]
    if missing and not repository.url.startswith("https://"):
        raise RepositoryError(
            f"commit {missing[0]} is not in the cache of {repository.key} ({path})",
            hint=f"it is fetched only from https URLs; fill the cache: {repository.note}".rstrip(),
        )
    if missing:
        try:
            runner.run(["fetch", "--quiet", "--tags", "--", repository.url, FETCH_REFS])
        except RepositoryError as exc:
            raise RepositoryError(
                f"cannot fetch {repository.url}: {exc.message}",
                hint=f"or fill the cache yourself: git clone --bare {repository.url} {path}",
            ) from exc
        for commit in missing:
            if not _has_commit(runner, commit):
                raise RepositoryError(
                    f"commit {commit} is not in {repository.url}",
                    hint="check the instance file",
                )
    return runner


def _has_commit(runner: GitRunner, commit: str) -> bool:
    return runner.try_text(["rev-parse", "--verify", "--quiet", commit + "^{commit}"]) is not None


def build_instance(
    instances: InstanceSet, instance: Instance, cache: Path, workdir: Path
) -> BuiltInstance:
    """Build (or reuse, when already built from the same data) the instance's repository."""
    repository = instances.repositories[instance.repository]
    source = ensure_cached(cache, repository, [instance.commit])
    root = workdir / instance.id
    spec = {"instance": asdict(instance), "url": repository.url}
    marker = root / ".git" / MARKER
    if marker.exists():
        saved = json.loads(marker.read_text(encoding="utf-8"))
        if saved.get("spec") == json.loads(json.dumps(spec)):
            return _describe(instance, root, saved["base"], saved["head"])
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    runner = GitRunner(git.Repo.init(root))
    alternates = root / ".git" / "objects" / "info" / "alternates"
    alternates.write_text(str(source.git_dir.resolve() / "objects") + "\n", encoding="utf-8")
    commit = source.text(["rev-parse", "--verify", instance.commit + "^{commit}"])
    if instance.kind == "revert":
        base, head = commit, _revert(runner, commit, instance.paths)
    elif instance.kind == "mutation":
        assert instance.mutation is not None
        base = runner.text(["rev-parse", commit + "^"])
        head = _mutate(runner, commit, base, instance.mutation, instance.id)
    else:
        base, head = runner.text(["rev-parse", commit + "^"]), commit
    runner.run(["update-ref", "refs/heads/base", base])
    runner.run(["update-ref", "refs/heads/change", head])
    runner.run(["-c", "core.hooksPath=/dev/null", "checkout", "--quiet", "--force", "change"])
    runner.run(["remote", "add", "origin", repository.url])
    built = _describe(instance, root, base, head)
    marker.write_text(json.dumps({"spec": spec, "base": base, "head": head}), encoding="utf-8")
    return built


def _identity(name: str, email: str, date: str) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": date,
    }


def _text(runner: GitRunner, args: list[str], env: Mapping[str, str]) -> str:
    return os.fsdecode(runner.out(args, env=env)).strip()


def _commit_tree(
    runner: GitRunner, tree: str, parent: str, message: str, who: Mapping[str, str]
) -> str:
    with tempfile.TemporaryDirectory(prefix="reviewbot-eval-") as tmp:
        note = Path(tmp) / "message"
        note.write_text(message, encoding="utf-8")
        return _text(runner, ["commit-tree", tree, "-p", parent, "-F", str(note)], who)


def _revert(runner: GitRunner, fix: str, paths: tuple[str, ...]) -> str:
    """A commit on ``fix`` that reverses the fix's hunks in ``paths``, with a neutral message
    (a review should not be told what the change undoes)."""
    with tempfile.TemporaryDirectory(prefix="reviewbot-eval-") as tmp:
        patch = Path(tmp) / "fix.patch"
        patch.write_bytes(
            runner.out(["diff", "--binary", "--no-color", fix + "^", fix, "--", *paths])
        )
        if not patch.read_bytes().strip():
            raise RepositoryError(f"commit {fix[:12]} changes none of {', '.join(paths)}")
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        runner.run(["read-tree", fix], env=index)
        runner.run(["apply", "--cached", "-R", str(patch)], env=index)
        tree = _text(runner, ["write-tree"], index)
    date = runner.text(["show", "-s", "--format=%cI", fix])
    message = "Update " + ", ".join(paths) + "\n"
    return _commit_tree(runner, tree, fix, message, _identity(*REVERT_AUTHOR, date))


def _mutate(runner: GitRunner, commit: str, parent: str, mutation: Mutation, ident: str) -> str:
    """``commit`` with ``mutation`` applied, as one commit on ``parent`` with the original
    message, author and dates (a real change with one defect injected)."""
    listing = runner.text(["ls-tree", commit, "--", mutation.path])
    if not listing:
        raise RepositoryError(f"instance {ident}: {mutation.path} is not in {commit[:12]}")
    mode = listing.split()[0]
    original = runner.out(["cat-file", "blob", f"{commit}:{mutation.path}"])
    changed = apply_mutation(original, mutation, ident)
    with tempfile.TemporaryDirectory(prefix="reviewbot-eval-") as tmp:
        blob_file = Path(tmp) / "blob"
        blob_file.write_bytes(changed)
        blob = runner.text(["hash-object", "-w", "--no-filters", str(blob_file)])
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        runner.run(["read-tree", commit], env=index)
        runner.run(["update-index", "--cacheinfo", f"{mode},{blob},{mutation.path}"], env=index)
        tree = _text(runner, ["write-tree"], index)
    fields = runner.out(
        ["show", "-s", "--format=%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B", commit]
    )
    an, ae, ad, cn, ce, cd, message = fields.decode("utf-8", "replace").split("\x00", 6)
    who = {
        "GIT_AUTHOR_NAME": an,
        "GIT_AUTHOR_EMAIL": ae,
        "GIT_AUTHOR_DATE": ad,
        "GIT_COMMITTER_NAME": cn,
        "GIT_COMMITTER_EMAIL": ce,
        "GIT_COMMITTER_DATE": cd,
    }
    return _commit_tree(runner, tree, parent, message, who)


def apply_mutation(original: bytes, mutation: Mutation, ident: str = "") -> bytes:
    """The file with ``mutation.before`` (at ``mutation.line``) replaced by ``after``; line
    endings are kept. A ``before`` that is not there is an error, never a silent no-op."""
    lines = original.splitlines(keepends=True)
    start = mutation.line - 1
    found = [_strip_eol(b) for b in lines[start : start + len(mutation.before)]]
    wanted = [t.encode("utf-8") for t in mutation.before]
    if found != wanted:
        shown = found[0].decode("utf-8", "replace") if found else "end of file"
        raise RepositoryError(
            f"instance {ident}: {mutation.path}:{mutation.line} reads {shown!r}, "
            f"not {mutation.before[0]!r}",
            hint="fix the mutation's line or before",
        )
    eol = lines[start][len(found[0]) :] if lines[start][len(found[0]) :] else b"\n"
    replaced = [t.encode("utf-8") + eol for t in mutation.after]
    return b"".join([*lines[:start], *replaced, *lines[start + len(mutation.before) :]])


def _strip_eol(line: bytes) -> bytes:
    return line.rstrip(b"\r\n")


def _describe(instance: Instance, root: Path, base: str, head: str) -> BuiltInstance:
    changes = changeset_from_git(root, base=base, head=head)
    changed = tuple(changed_lines(changes))
    if instance.kind == "revert":
        wanted = set(instance.paths)
        gold = tuple(g for g in revert_gold(changes) if g.path in wanted)
    elif instance.kind == "mutation":
        assert instance.mutation is not None
        gold = mutation_gold(instance.mutation, changes)
    else:
        gold = ()
    return BuiltInstance(instance, root, base, head, gold, changed)


def changed_lines(changes: ChangeSet) -> list[GoldLine]:
    out: list[GoldLine] = []
    for f in changes.files:
        out += [GoldLine(f.path, n, "RIGHT") for n in sorted(f.added_lines())]
        out += [GoldLine(f.path, n, "LEFT") for n in sorted(f.deleted_lines())]
    return out


def revert_gold(changes: ChangeSet) -> list[GoldLine]:
    """Every added and deleted line; where lines are only deleted, also the new-file lines
    either side of the gap (a reviewer may point at where the code is now missing)."""
    out: list[GoldLine] = []
    for f in changes.files:
        out += [GoldLine(f.path, n, "RIGHT") for n in sorted(f.added_lines() | _gap_lines(f))]
        out += [GoldLine(f.path, n, "LEFT") for n in sorted(f.deleted_lines())]
    return sorted(set(out), key=lambda g: (g.path, g.side, g.line))


def _gap_lines(change: FileChange) -> set[int]:
    found: set[int] = set()
    for hunk in change.hunks:
        lines = hunk.lines
        for i, line in enumerate(lines):
            starts_run = line.kind == "-" and (i == 0 or lines[i - 1].kind != "-")
            if not starts_run:
                continue
            end = i
            while end < len(lines) and lines[end].kind == "-":
                end += 1
            if end < len(lines) and lines[end].kind == "+":
                continue  # replaced, not only deleted: the added lines are gold already
            before = next((x.new for x in reversed(lines[:i]) if x.new is not None), None)
            after = next((x.new for x in lines[end:] if x.new is not None), None)
            found |= {n for n in (before, after) if n is not None}
    return found


def mutation_gold(mutation: Mutation, changes: ChangeSet) -> tuple[GoldLine, ...]:
    """The replacing lines; for a deletion, the lines either side of where it was."""
    if mutation.after:
        lines = range(mutation.line, mutation.line + len(mutation.after))
    else:
        lines = range(max(mutation.line - 1, 1), mutation.line + 1)
    return tuple(GoldLine(mutation.path, n, "RIGHT") for n in lines)


def problems(built: BuiltInstance, changes: ChangeSet | None = None) -> list[str]:
    """What is wrong with an instance's gold: it differs from what the built change says,
    or a gold line is not one a review can comment on."""
    changes = changes or changeset_from_git(built.root, base=built.base, head=built.head)
    out: list[str] = []
    if set(built.gold) != set(built.instance.gold):
        out.append(f"gold in the data differs from the built change: {sorted_json(built.gold)}")
    for g in built.gold:
        if not changes.is_commentable(g.path, g.line, g.side):
            out.append(f"gold {g.path}:{g.line} ({g.side}) is not a line of the diff")
    if built.instance.kind != "clean" and not built.gold:
        out.append("the built change has no gold line")
    return out


def sorted_json(gold: Iterable[GoldLine]) -> str:
    ordered = sorted(gold, key=lambda g: (g.path, g.side, g.line))
    return json.dumps(gold_json(ordered))
