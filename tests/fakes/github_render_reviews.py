"""JSON shapes of reviews, review comments, issues and issue comments (``Render``'s, which
inherits them; the shapes of people, repositories, pulls and commits are in
``github_render``)."""

from __future__ import annotations

from typing import Any

from tests.fakes.github_state import Issue, IssueComment, Pull, Review, ReviewComment


def node_id(prefix: str, number: int) -> str:
    """Opaque GraphQL-style global ids ("PRRT_kwDO..." on GitHub)."""
    return f"{prefix}_kwDOfake{number}"


class ReviewShapes:
    """Methods of ``Render`` for what is said on pull requests and issues."""

    api: str
    web: str

    # Reviews -----------------------------------------------------------------------
    def published_review_comments(self, p: Pull) -> list[ReviewComment]:
        return [
            c
            for c in self.state.review_comments.values()
            if c.pull is p and self.state.reviews[c.review_id].state != "PENDING"
        ]

    def review(self, r: Review) -> dict[str, Any]:
        pull_url = self.pull_url(r.pull)
        html = f"{self.web}/{r.pull.repo.full_name}/pull/{r.pull.number}#pullrequestreview-{r.id}"
        data: dict[str, Any] = {
            "id": r.id,
            "node_id": node_id("PRR", r.id),
            "user": self.user(r.user),
            "body": r.body,
            "state": r.state,
            "html_url": html,
            "pull_request_url": pull_url,
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
            "commit_id": r.commit_id,
            "author_association": self.association(r.pull.repo, r.user),
        }
        if r.submitted_at is not None:
            data["submitted_at"] = r.submitted_at
        return data

    def review_comment(self, c: ReviewComment) -> dict[str, Any]:
        repo_url = self.repo_url(c.pull.repo)
        url = f"{repo_url}/pulls/comments/{c.id}"
        pull_url = self.pull_url(c.pull)
        html = f"{self.web}/{c.pull.repo.full_name}/pull/{c.pull.number}#discussion_r{c.id}"
        thread = self.state.threads.get(c.thread_id or -1)
        outdated = thread is not None and thread.outdated
        data: dict[str, Any] = {
            "url": url,
            "pull_request_review_id": c.review_id,
            "id": c.id,
            "node_id": node_id("PRRC", c.id),
            "diff_hunk": c.diff_hunk,
            "path": c.path,
            "position": None if outdated else c.position,
            "original_position": c.position,
            "commit_id": c.pull.head_sha if not outdated else c.commit_id,
            "original_commit_id": c.commit_id,
            "user": self.user(c.user),
            "body": c.body,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "html_url": html,
            "pull_request_url": pull_url,
            "author_association": self.association(c.pull.repo, c.user),
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "pull_request": {"href": pull_url},
            },
            "start_line": None if outdated else c.start_line,
            "original_start_line": c.start_line,
            "start_side": c.start_side,
            "line": None if outdated else c.line,
            "original_line": c.line,
            "side": c.side,
            "subject_type": c.subject_type,
        }
        if c.in_reply_to is not None:
            data["in_reply_to_id"] = c.in_reply_to
        return data

    # Issues ------------------------------------------------------------------------
    def issue(self, i: Issue | Pull) -> dict[str, Any]:
        repo_url = self.repo_url(i.repo)
        url = f"{repo_url}/issues/{i.number}"
        is_pull = isinstance(i, Pull)
        kind = "pull" if is_pull else "issues"
        count = sum(
            1
            for c in self.state.issue_comments.values()
            if c.repo is i.repo and c.number == i.number
        )
        data: dict[str, Any] = {
            "id": i.id,
            "node_id": node_id("PR" if is_pull else "I", i.id),
            "url": url,
            "repository_url": repo_url,
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{self.web}/{i.repo.full_name}/{kind}/{i.number}",
            "number": i.number,
            "state": i.state,
            "title": i.title,
            "body": i.body,
            "user": self.user(i.user),
            "labels": [self.label(i.repo, label) for label in i.labels],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "active_lock_reason": None,
            "comments": count,
            "closed_at": None if i.state == "open" else i.updated_at,
            "created_at": i.created_at,
            "updated_at": i.updated_at,
            "author_association": self.association(i.repo, i.user),
        }
        if isinstance(i, Issue):
            data["state_reason"] = i.state_reason
            data["assignees"] = [self.user(u) for u in i.assignees]
            data["assignee"] = data["assignees"][0] if i.assignees else None
            data["closed_at"] = i.closed_at
        else:
            data["draft"] = i.draft
            data["pull_request"] = {
                "url": self.pull_url(i),
                "html_url": f"{self.web}/{i.repo.full_name}/pull/{i.number}",
                "diff_url": f"{self.web}/{i.repo.full_name}/pull/{i.number}.diff",
                "patch_url": f"{self.web}/{i.repo.full_name}/pull/{i.number}.patch",
                "merged_at": i.updated_at if i.merged else None,
            }
        return data

    def issue_comment(self, c: IssueComment) -> dict[str, Any]:
        repo_url = self.repo_url(c.repo)
        kind = "pull" if self.state.pulls.get((c.repo.full_name.lower(), c.number)) else "issues"
        return {
            "id": c.id,
            "node_id": node_id("IC", c.id),
            "url": f"{repo_url}/issues/comments/{c.id}",
            "html_url": f"{self.web}/{c.repo.full_name}/{kind}/{c.number}#issuecomment-{c.id}",
            "issue_url": f"{repo_url}/issues/{c.number}",
            "body": c.body,
            "user": self.user(c.user),
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "author_association": self.association(c.repo, c.user),
        }
