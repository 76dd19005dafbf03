"""aider's repository map as a recall baseline: runs inside a venv where aider-chat installs.

Reads a job (JSON on stdin: a git directory, a scratch work tree, samples), checks out each
sample's commit with the hidden file as it was before, and ranks the pool in the order of
aider's ranked tags (``RepoMap.get_ranked_tags``: PageRank over definitions and references,
personalised towards the chat files, which are the rest of the change). The commit message
plays the user's chat message: the files and names it mentions are found by the rules of
aider's coder (``file_mentions`` below), and the diff's identifiers are mentioned names too.
The map itself puts aider's "important files" (README, CI and build files) first; they are
left out here, which only helps aider in this measure. Prints ``{sample key: [paths]}`` as
JSON. Only the standard library and aider here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from aider.repomap import RepoMap


class QuietIO:
    """The part of aider's InputOutput that RepoMap calls."""

    def read_text(self, fname: str) -> str | None:
        try:
            return Path(fname).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def tool_output(self, *args: object, **kwargs: object) -> None:
        pass

    tool_warning = tool_error = tool_output


def git(tree: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(tree), *args], check=True, capture_output=True).stdout


def file_mentions(message: str, chat: set[str], files: list[str]) -> set[str]:
    """The files a chat message mentions, by aider's coder's rules (``get_file_mentions``
    and ``get_ident_filename_matches`` in aider 0.86): a whole relative path; a basename
    with ``/ . _ -`` in it that names one file only and no chat file; a name of five or more
    characters equal to a file's stem."""
    words = {w.rstrip(",.!;:?").strip("\"'`*_") for w in message.split()}
    found: set[str] = set()
    by_name: dict[str, list[str]] = {}
    for rel in files:
        if rel in chat:
            continue
        if rel in words:
            found.add(rel)
        name = os.path.basename(rel)
        if any(c in name for c in "/\\._-"):
            by_name.setdefault(name, []).append(rel)
    chat_names = {os.path.basename(c) for c in chat}
    for name, rels in by_name.items():
        if name not in chat_names and len(rels) == 1 and name in words:
            found.add(rels[0])
    stems: dict[str, set[str]] = {}
    for rel in [*files, *chat]:
        stem = Path(rel).stem.lower()
        if len(stem) >= 5:
            stems.setdefault(stem, set()).add(rel)
    for ident in re.split(r"\W+", message):
        if len(ident) >= 5:
            found |= stems.get(ident.lower(), set())
    return found


def rank(tree: Path, sample: dict) -> list[str]:  # type: ignore[type-arg]
    git(tree, "checkout", "-q", "-f", "--detach", sample["sha"])
    (tree / sample["hidden"]).write_bytes(git(tree, "show", f"{sample['sha']}^:{sample['hidden']}"))
    repo_map = RepoMap(root=str(tree), io=QuietIO())
    chat = [str(tree / p) for p in sample["changed"] if (tree / p).is_file()]
    other = [str(tree / p) for p in sample["pool"]]
    message = sample["message"]
    mentioned = file_mentions(message, set(sample["changed"]), sample["pool"])
    idents = set(sample["words"]) | set(re.split(r"\W+", message))
    tags = repo_map.get_ranked_tags(chat, other, mentioned, idents)
    order: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        if tag[0] not in seen:
            seen.add(tag[0])
            order.append(tag[0])
    return order


def main() -> int:
    job = json.load(sys.stdin)
    tree = Path(job["tree"])
    if not (tree / ".git").exists():
        subprocess.run(
            ["git", "clone", "-q", "--shared", "--no-checkout", job["git"], str(tree)], check=True
        )
    out = {s["key"]: rank(tree, s) for s in job["samples"]}
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
