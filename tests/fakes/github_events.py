"""Real webhook payloads (tests/fixtures/github/webhooks) and seeding the fake to match them.

event = load_event("pull_request.opened.1")
number = seed_pull(server, event, files=files_from_git_diff(diff))
path.write_text(json.dumps(event))      # GITHUB_EVENT_PATH for `reviewbot github`
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.fakes.github_files import FileSpec
from tests.fakes.github_server import GitHubServer

WEBHOOKS = Path(__file__).resolve().parent.parent / "fixtures" / "github" / "webhooks"


def event_names() -> list[str]:
    return sorted(p.stem for p in WEBHOOKS.glob("*.json"))


def load_event(name: str) -> dict[str, Any]:
    """A fresh copy of one payload, e.g. "pull_request.synchronize.1"."""
    data: dict[str, Any] = json.loads((WEBHOOKS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def fork_event(event: dict[str, Any], fork_owner: str) -> dict[str, Any]:
    """The same event as if the PR came from `fork_owner`'s fork (head.repo edited)."""
    forked = copy.deepcopy(event)
    head = forked["pull_request"]["head"]
    name = head["repo"]["name"]
    head["repo"].update(
        {
            "full_name": f"{fork_owner}/{name}",
            "fork": True,
            "id": head["repo"]["id"] + 1,
            "owner": {**head["repo"]["owner"], "login": fork_owner, "id": 1_000_001},
        }
    )
    head["label"] = f"{fork_owner}:{head['ref']}"
    head["user"] = {**head["user"], "login": fork_owner}
    forked["pull_request"]["user"] = {**forked["pull_request"]["user"], "login": fork_owner}
    return forked


def retarget(event: dict[str, Any], *, head_sha: str, base_sha: str) -> dict[str, Any]:
    """The event with its head/base shas replaced (e.g. by a real repository's commits)."""
    changed = copy.deepcopy(event)
    changed["pull_request"]["head"]["sha"] = head_sha
    changed["pull_request"]["base"]["sha"] = base_sha
    if "after" in changed:
        changed["after"] = head_sha
    return changed


def seed_pull(server: GitHubServer, event: dict[str, Any], files: Iterable[FileSpec] = ()) -> int:
    """Add the repository (if new) and the event's pull request, with `files` as its diff."""
    pr = event["pull_request"]
    repo = event["repository"]
    owner, name = repo["full_name"].split("/", 1)
    if server.state.repo(owner, name) is None:
        server.add_repo(owner, name, default_branch=repo["default_branch"], private=repo["private"])
    head_repo = pr["head"]["repo"]
    number: int = server.add_pull(
        owner,
        name,
        number=int(pr["number"]),
        title=pr["title"],
        body=pr["body"],
        draft=bool(pr.get("draft")),
        state=pr["state"],
        head_sha=pr["head"]["sha"],
        head_ref=pr["head"]["ref"],
        base_sha=pr["base"]["sha"],
        base_ref=pr["base"]["ref"],
        author=pr["user"]["login"],
        author_type=pr["user"]["type"],
        head_repo=None if head_repo is None else head_repo["full_name"],
        files=files,
        merged=bool(pr.get("merged")),
    )
    return number
