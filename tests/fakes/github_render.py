"""JSON shapes of the fake GitHub's objects, as the REST API returns them.

`api` is the API root the request came in on (`http://127.0.0.1:P` or `.../api/v3`), so
every `url` a client follows (PyGitHub does) leads back to the same server and prefix.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from tests.fakes.github_files import PullFile
from tests.fakes.github_hunks import parse_patch
from tests.fakes.github_render_reviews import ReviewShapes, node_id
from tests.fakes.github_state import (
    Commit,
    Label,
    Pull,
    Repo,
    State,
    User,
    fake_sha,
    now_iso,
)

_REPO_TEMPLATES = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def content_base64(data: bytes) -> str:
    """GitHub wraps base64 content at 60 characters with a trailing newline."""
    text = base64.b64encode(data).decode()
    return "".join(text[i : i + 60] + "\n" for i in range(0, len(text), 60))


@dataclass(frozen=True)
class Render(ReviewShapes):
    api: str
    web: str
    state: State

    # People and repositories ---------------------------------------------------------
    def user(self, u: User) -> dict[str, Any]:
        url = f"{self.api}/users/{u.login}"
        return {
            "login": u.login,
            "id": u.id,
            "node_id": node_id("U" if u.type == "User" else "BOT", u.id),
            "avatar_url": f"{self.web}/avatars/{u.login}",
            "gravatar_id": "",
            "url": url,
            "html_url": f"{self.web}/{u.login}",
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": u.type,
            "site_admin": False,
            "user_view_type": "public",
        }

    def repo_url(self, r: Repo) -> str:
        return f"{self.api}/repos/{r.full_name}"

    def repo(self, r: Repo, *, full: bool = False) -> dict[str, Any]:
        url = self.repo_url(r)
        data: dict[str, Any] = {k: url + v for k, v in _REPO_TEMPLATES.items()}
        open_issues = sum(
            1 for i in self.state.issues.values() if i.repo is r and i.state == "open"
        ) + sum(1 for p in self.state.pulls.values() if p.repo is r and p.state == "open")
        data.update(
            {
                "id": r.id,
                "node_id": node_id("R", r.id),
                "name": r.name,
                "full_name": r.full_name,
                "owner": self.user(r.owner),
                "private": r.private,
                "html_url": f"{self.web}/{r.full_name}",
                "description": None,
                "fork": r.fork,
                "url": url,
                "git_url": f"git://127.0.0.1/{r.full_name}.git",
                "ssh_url": f"git@127.0.0.1:{r.full_name}.git",
                "clone_url": f"{self.web}/{r.full_name}.git",
                "svn_url": f"{self.web}/{r.full_name}",
                "mirror_url": None,
                "homepage": None,
                "language": None,
                "forks_count": 0,
                "forks": 0,
                "stargazers_count": 0,
                "watchers_count": 0,
                "watchers": 0,
                "size": 0,
                "default_branch": r.default_branch,
                "open_issues_count": open_issues,
                "open_issues": open_issues,
                "is_template": False,
                "topics": [],
                "has_issues": True,
                "has_projects": True,
                "has_wiki": True,
                "has_pages": False,
                "has_downloads": True,
                "has_discussions": False,
                "archived": False,
                "disabled": False,
                "visibility": "private" if r.private else "public",
                "pushed_at": r.created_at,
                "created_at": r.created_at,
                "updated_at": r.created_at,
                "license": None,
                "allow_forking": True,
                "web_commit_signoff_required": False,
            }
        )
        if full:
            data.update({"network_count": 0, "subscribers_count": 0})
        return data

    # Pull requests -----------------------------------------------------------------
    def pull_url(self, p: Pull) -> str:
        return f"{self.repo_url(p.repo)}/pulls/{p.number}"

    def label(self, r: Repo, label: Label) -> dict[str, Any]:
        return {
            "id": label.id,
            "node_id": node_id("LA", label.id),
            "url": f"{self.repo_url(r)}/labels/{label.name}",
            "name": label.name,
            "description": label.description,
            "color": label.color,
            "default": False,
        }

    def branch(self, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{repo.owner.login}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.user(repo.owner),
            "repo": self.repo(repo),
        }

    def pull(self, p: Pull) -> dict[str, Any]:
        url = self.pull_url(p)
        repo_url = self.repo_url(p.repo)
        html = f"{self.web}/{p.repo.full_name}/pull/{p.number}"
        adds = dels = 0
        for f in p.current.files:
            if f.patch is not None:
                a, d = parse_patch(f.patch).counts()
                adds, dels = adds + a, dels + d
        comments = [c for c in self.state.issue_comments.values() if c.repo is p.repo]
        review_comments = self.published_review_comments(p)
        return {
            "url": url,
            "id": p.id,
            "node_id": node_id("PR", p.id),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": f"{repo_url}/issues/{p.number}",
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{repo_url}/pulls/comments{{/number}}",
            "comments_url": f"{repo_url}/issues/{p.number}/comments",
            "statuses_url": f"{repo_url}/statuses/{p.head_sha}",
            "number": p.number,
            "state": p.state,
            "locked": False,
            "title": p.title,
            "user": self.user(p.user),
            "body": p.body,
            "labels": [self.label(p.repo, label) for label in p.labels],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": p.created_at,
            "updated_at": p.updated_at,
            "closed_at": None if p.state == "open" else p.updated_at,
            "merged_at": p.updated_at if p.merged else None,
            "merge_commit_sha": None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": self.branch(p.head_repo, p.head_ref, p.head_sha),
            "base": self.branch(p.repo, p.base_ref, p.base_sha),
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "issue": {"href": f"{repo_url}/issues/{p.number}"},
                "comments": {"href": f"{repo_url}/issues/{p.number}/comments"},
                "review_comments": {"href": f"{url}/comments"},
                "review_comment": {"href": f"{repo_url}/pulls/comments{{/number}}"},
                "commits": {"href": f"{url}/commits"},
                "statuses": {"href": f"{repo_url}/statuses/{p.head_sha}"},
            },
            "author_association": self.association(p.repo, p.user),
            "auto_merge": None,
            "draft": p.draft,
            "merged": p.merged,
            "mergeable": None if p.merged else True,
            "rebaseable": None,
            "mergeable_state": "unknown" if p.merged else "clean",
            "merged_by": None,
            "comments": sum(1 for c in comments if c.number == p.number),
            "review_comments": len(review_comments),
            "maintainer_can_modify": False,
            "commits": len(p.commits),
            "additions": adds,
            "deletions": dels,
            "changed_files": len(p.current.files),
        }

    def association(self, repo: Repo, user: User) -> str:
        if user.login.lower() == repo.owner.login.lower():
            return "OWNER"
        level = self.state.permission(repo, user.login)
        return "COLLABORATOR" if level in ("admin", "maintain", "write", "triage") else "NONE"

    def diff_entry(self, repo: Repo, ref: str, f: PullFile) -> dict[str, Any]:
        adds, dels = (0, 0) if f.patch is None else parse_patch(f.patch).counts()
        data: dict[str, Any] = {
            "sha": fake_sha("blob", f.filename, f.patch),
            "filename": f.filename,
            "status": f.status,
            "additions": adds,
            "deletions": dels,
            "changes": adds + dels,
            "blob_url": f"{self.web}/{repo.full_name}/blob/{ref}/{f.filename}",
            "raw_url": f"{self.web}/{repo.full_name}/raw/{ref}/{f.filename}",
            "contents_url": f"{self.repo_url(repo)}/contents/{f.filename}?ref={ref}",
        }
        if f.patch is not None:
            data["patch"] = f.patch
        if f.previous_filename is not None:
            data["previous_filename"] = f.previous_filename
        return data

    def commit(self, repo: Repo, c: Commit) -> dict[str, Any]:
        url = f"{self.repo_url(repo)}/commits/{c.sha}"
        author = self.state.user(c.author)
        person = {"name": c.author, "email": f"{c.author}@users.noreply.invalid", "date": now_iso()}
        return {
            "url": url,
            "sha": c.sha,
            "node_id": node_id("C", int(c.sha[:8], 16)),
            "html_url": f"{self.web}/{repo.full_name}/commit/{c.sha}",
            "comments_url": f"{url}/comments",
            "commit": {
                "url": f"{self.repo_url(repo)}/git/commits/{c.sha}",
                "author": person,
                "committer": person,
                "message": c.message,
                "tree": {"sha": fake_sha("tree", c.sha), "url": f"{self.repo_url(repo)}/git/trees"},
                "comment_count": 0,
            },
            "author": self.user(author),
            "committer": self.user(author),
            "parents": [{"sha": s, "url": f"{self.repo_url(repo)}/commits/{s}"} for s in c.parents],
        }
