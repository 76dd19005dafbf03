"""REST handlers of the fake GitHub: repository, contents, compare, permission, user, limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.fakes.github_core import Ctx, Reply
from tests.fakes.github_render import content_base64
from tests.fakes.github_state import PERMISSIONS, Commit, Comparison, Repo, fake_sha

Handler = Callable[[Ctx], Reply]

_LEGACY = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
}


def get_repo(ctx: Ctx) -> Reply:
    return Reply(200, ctx.render.repo(ctx.repo(), full=True))


def _tree(repo: Repo, ref: str) -> dict[str, bytes] | None:
    """Files at `ref`: a branch and the sha it points at name the same tree."""
    sha = repo.branches.get(ref, ref)
    names = [ref, sha, *[name for name, target in repo.branches.items() if target == sha]]
    found = [repo.trees[name] for name in dict.fromkeys(names) if name in repo.trees]
    if not found:
        return None
    merged: dict[str, bytes] = {}
    for tree in reversed(found):
        merged.update(tree)
    return merged


def _entry(
    ctx: Ctx, repo: Repo, ref: str, path: str, kind: str, size: int, sha: str
) -> dict[str, Any]:
    url = f"{ctx.render.repo_url(repo)}/contents/{path}?ref={ref}"
    html = f"{ctx.render.web}/{repo.full_name}/{'blob' if kind == 'file' else 'tree'}/{ref}/{path}"
    git = f"{ctx.render.repo_url(repo)}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
    raw = f"{ctx.render.web}/{repo.full_name}/raw/{ref}/{path}" if kind == "file" else None
    return {
        "type": kind,
        "size": size,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "url": url,
        "git_url": git,
        "html_url": html,
        "download_url": raw,
        "_links": {"self": url, "git": git, "html": html},
    }


def get_content(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    ref = ctx.query.get("ref") or repo.default_branch
    path = str(ctx.params["path"]).strip("/")
    tree = _tree(repo, ref)
    if tree is None:
        raise ctx.not_found()
    if path in tree:
        data = tree[path]
        entry = _entry(ctx, repo, ref, path, "file", len(data), fake_sha("blob", data))
        entry.update({"content": content_base64(data), "encoding": "base64"})
        return Reply(200, entry)
    prefix = path + "/"
    children: dict[str, tuple[str, int]] = {}
    for name, data in tree.items():
        if name.startswith(prefix):
            head, _, rest = name[len(prefix) :].partition("/")
            children[head] = ("dir", 0) if rest else ("file", len(data))
    if not children:
        raise ctx.not_found()
    listing = [
        _entry(ctx, repo, ref, prefix + name, kind, size, fake_sha(kind, ref, prefix + name))
        for name, (kind, size) in sorted(children.items())
    ]
    return Reply(200, listing)


def _comparison(ctx: Ctx, repo: Repo, base: str, head: str) -> Comparison | None:
    found = repo.comparisons.get((base, head))
    if found is not None:
        return found
    for pull in ctx.state.pulls.values():
        if pull.repo is repo and pull.base_sha == base and pull.head_sha == head:
            return Comparison(base, head, pull.current.files, tuple(pull.commits))
    return None


def compare(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    base, head = str(ctx.params["base"]), str(ctx.params["head"])
    found = _comparison(ctx, repo, base, head)
    if found is None:
        raise ctx.not_found()
    render = ctx.render
    url = f"{render.repo_url(repo)}/compare/{base}...{head}"
    html = f"{render.web}/{repo.full_name}/compare/{base}...{head}"
    base_commit = render.commit(repo, _base_commit(base))
    per_page = max(1, min(250, int(ctx.query.get("per_page", "250"))))
    page = max(1, int(ctx.query.get("page", "1")))
    commits = found.commits[(page - 1) * per_page : page * per_page]
    data = {
        "url": url,
        "html_url": html,
        "permalink_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "base_commit": base_commit,
        "merge_base_commit": base_commit,
        "status": found.status,
        "ahead_by": len(found.commits),
        "behind_by": found.behind_by,
        "total_commits": len(found.commits),
        "commits": [render.commit(repo, c) for c in commits],
        "files": [render.diff_entry(repo, head, f) for f in found.files[:300]],
    }
    return Reply(200, data)


def _base_commit(sha: str) -> Commit:
    return Commit(sha if len(sha) == 40 else fake_sha("ref", sha), "base")


def permission(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    login = str(ctx.params["username"])
    level = ctx.state.permission(repo, login)
    user = ctx.state.user(login)
    rank = PERMISSIONS.index(level)
    collaborator = ctx.render.user(user) | {
        "permissions": {
            "admin": rank <= 0,
            "maintain": rank <= 1,
            "push": rank <= 2,
            "triage": rank <= 3,
            "pull": rank <= 4,
        },
        "role_name": level,
    }
    data = {"permission": _LEGACY.get(level, "none"), "role_name": level, "user": collaborator}
    return Reply(200, data)


def authenticated_user(ctx: Ctx) -> Reply:
    if ctx.viewer.type == "Bot":
        # GitHub answers GITHUB_TOKEN's GET /user this way.
        return Reply(403, ctx.error("Resource not accessible by integration", status=403))
    data = ctx.render.user(ctx.viewer) | {
        "name": None,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
    }
    return Reply(200, data)


def rate_limit(ctx: Ctx) -> Reply:
    bucket = {"limit": 5000, "remaining": 4999, "reset": int(time.time()) + 3600, "used": 1}
    names = ("core", "search", "graphql", "code_search", "integration_manifest")
    return Reply(200, {"resources": {n: dict(bucket) for n in names}, "rate": dict(bucket)})


HANDLERS: dict[str, Handler] = {
    "repos/get": get_repo,
    "repos/get-content": get_content,
    "repos/compare-commits": compare,
    "repos/get-collaborator-permission-level": permission,
    "users/get-authenticated": authenticated_user,
    "rate-limit/get": rate_limit,
}
