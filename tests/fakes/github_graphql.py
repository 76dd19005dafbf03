"""The fake GitHub's GraphQL endpoint: queries validated against GitHub's public schema.

Executed by graphql-core over plain dicts (callables take field arguments). Supported:
`repository.pullRequest` (with `reviewThreads`, their `comments`, and
`closingIssuesReferences`), `node`/`nodes`,
`viewer`, and the mutations `resolveReviewThread`, `unresolveReviewThread`,
`minimizeComment`, `unminimizeComment`. Anything else the schema allows resolves to null
(and is reported if the schema says non-null).
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import graphql

from tests.fakes.github_render import Render, node_id
from tests.fakes.github_state import (
    Issue,
    IssueComment,
    Pull,
    ReviewComment,
    State,
    Thread,
    User,
)

SCHEMA_FILE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "github" / "graphql" / "schema.graphql"
)
MAX_PAGE = 100
# GitHub's closing keywords, then #N, owner/name#N or an issue URL (the fake's own reading).
CLOSING = re.compile(
    r"(?i)\b(?:close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved):?[ \t]+"
    r"(?:(?:https?://[^/\s]+/)?(?P<repo>[\w.-]+/[\w.-]+)(?:#|/issues/)|#)(?P<n>\d+)\b"
)


@functools.cache
def schema() -> graphql.GraphQLSchema:
    # GitHub's published SDL repeats a few fields (EnterpriseOwnerInfo.*): skip SDL checks.
    document = graphql.parse(SCHEMA_FILE.read_text(encoding="utf-8"))
    return graphql.build_ast_schema(document, assume_valid_sdl=True)


class NotFound(graphql.GraphQLError):
    """GitHub's `"type": "NOT_FOUND"` error."""


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _uncursor(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode().rsplit(":", 1)[-1])
    except (ValueError, UnicodeDecodeError) as exc:
        raise graphql.GraphQLError(f"`{cursor}` does not appear to be a valid cursor.") from exc


def connection(name: str, items: Sequence[Any], args: dict[str, Any]) -> dict[str, Any]:
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise graphql.GraphQLError(
            f"You must provide a `first` or `last` value to properly paginate the `{name}` "
            "connection."
        )
    for key, value in (("first", first), ("last", last)):
        if value is not None and value > MAX_PAGE:
            raise graphql.GraphQLError(
                f"Requesting {value} records on the `{name}` connection exceeds the `{key}` "
                f"limit of {MAX_PAGE} records."
            )
    indexed = list(enumerate(items))
    if args.get("after"):
        indexed = [(i, x) for i, x in indexed if i > _uncursor(args["after"])]
    if args.get("before"):
        indexed = [(i, x) for i, x in indexed if i < _uncursor(args["before"])]
    window = indexed
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if last else []
    return {
        "totalCount": len(items),
        "nodes": [x for _, x in window],
        "edges": [{"cursor": _cursor(i), "node": x} for i, x in window],
        "pageInfo": {
            "hasNextPage": bool(window) and window[-1][0] < indexed[-1][0],
            "hasPreviousPage": bool(window) and window[0][0] > (indexed[0][0] if indexed else 0),
            "startCursor": _cursor(window[0][0]) if window else None,
            "endCursor": _cursor(window[-1][0]) if window else None,
        },
    }


class Graph:
    """Builds GraphQL-shaped dicts from the state for one request."""

    def __init__(self, state: State, render: Render, viewer: User) -> None:
        self.state = state
        self.render = render
        self.viewer = viewer

    def actor(self, user: User) -> dict[str, Any]:
        return {
            "__typename": "Bot" if user.type == "Bot" else "User",
            "login": user.login,
            "id": node_id("U", user.id),
            "databaseId": user.id,
            "url": f"{self.render.web}/{user.login}",
            "avatarUrl": f"{self.render.web}/avatars/{user.login}",
            "resourcePath": f"/{user.login}",
        }

    def review_comment(self, c: ReviewComment) -> dict[str, Any]:
        thread = self.state.threads.get(c.thread_id or -1)
        outdated = thread is not None and thread.outdated
        review = self.state.reviews[c.review_id]
        root = self.state.review_comments.get(c.in_reply_to or -1)
        url = f"{self.render.web}/{c.pull.repo.full_name}/pull/{c.pull.number}#discussion_r{c.id}"
        return {
            "__typename": "PullRequestReviewComment",
            "id": node_id("PRRC", c.id),
            "databaseId": c.id,
            "fullDatabaseId": str(c.id),
            "body": c.body,
            "bodyText": c.body,
            "bodyHTML": c.body,
            "path": c.path,
            "line": None if outdated else c.line,
            "originalLine": c.line,
            "startLine": None if outdated else c.start_line,
            "originalStartLine": c.start_line,
            "position": None if outdated else c.position,
            "originalPosition": c.position or 0,
            "diffHunk": c.diff_hunk,
            "outdated": outdated,
            "author": self.actor(c.user),
            "authorAssociation": self.render.association(c.pull.repo, c.user),
            "createdAt": c.created_at,
            "updatedAt": c.updated_at,
            "publishedAt": c.created_at,
            "url": url,
            "resourcePath": url.removeprefix(self.render.web),
            "isMinimized": c.minimized_reason is not None,
            "minimizedReason": c.minimized_reason,
            "state": "PENDING" if review.state == "PENDING" else "SUBMITTED",
            "subjectType": c.subject_type.upper(),
            "commit": {"oid": c.commit_id, "abbreviatedOid": c.commit_id[:7]},
            "originalCommit": {"oid": c.commit_id, "abbreviatedOid": c.commit_id[:7]},
            "replyTo": None if root is None else (lambda info: self.review_comment(root)),
            "pullRequestReview": {
                "id": node_id("PRR", review.id),
                "databaseId": review.id,
                "state": review.state,
                "body": review.body,
                "author": self.actor(review.user),
            },
            "pullRequest": lambda info: self.pull(c.pull),
            "viewerDidAuthor": c.user is self.viewer,
            "viewerCanMinimize": True,
            "viewerCanDelete": c.user is self.viewer,
            "viewerCanUpdate": c.user is self.viewer,
        }

    def thread(self, t: Thread) -> dict[str, Any]:
        comments = [self.state.review_comments[cid] for cid in t.comment_ids]
        first = comments[0]
        return {
            "__typename": "PullRequestReviewThread",
            "id": node_id("PRRT", t.id),
            "isResolved": t.resolved,
            "isOutdated": t.outdated,
            "isCollapsed": t.resolved,
            "path": first.path,
            "line": None if t.outdated else first.line,
            "originalLine": first.line,
            "startLine": None if t.outdated else first.start_line,
            "originalStartLine": first.start_line,
            "diffSide": first.side or "RIGHT",
            "startDiffSide": first.start_side,
            "subjectType": first.subject_type.upper(),
            "resolvedBy": None if t.resolved_by is None else self.actor(t.resolved_by),
            "viewerCanResolve": not t.resolved,
            "viewerCanUnresolve": t.resolved,
            "viewerCanReply": True,
            "comments": lambda info, **args: connection(
                "comments", [self.review_comment(c) for c in comments], args
            ),
            "pullRequest": lambda info: self.pull(t.pull),
        }

    def issue_comment(self, c: IssueComment) -> dict[str, Any]:
        return {
            "__typename": "IssueComment",
            "id": node_id("IC", c.id),
            "databaseId": c.id,
            "fullDatabaseId": str(c.id),
            "body": c.body,
            "bodyText": c.body,
            "author": self.actor(c.user),
            "createdAt": c.created_at,
            "updatedAt": c.updated_at,
            "url": f"{self.render.web}/{c.repo.full_name}/issues/{c.number}#issuecomment-{c.id}",
            "isMinimized": c.minimized_reason is not None,
            "minimizedReason": c.minimized_reason,
            "viewerDidAuthor": c.user is self.viewer,
            "viewerCanMinimize": True,
        }

    def pull(self, p: Pull) -> dict[str, Any]:
        threads = sorted(
            (t for t in self.state.threads.values() if t.pull is p), key=lambda t: t.id
        )
        return {
            "__typename": "PullRequest",
            "id": node_id("PR", p.id),
            "databaseId": p.id,
            "fullDatabaseId": str(p.id),
            "number": p.number,
            "title": p.title,
            "body": p.body or "",
            "state": "MERGED" if p.merged else p.state.upper(),
            "isDraft": p.draft,
            "url": f"{self.render.web}/{p.repo.full_name}/pull/{p.number}",
            "headRefName": p.head_ref,
            "headRefOid": p.head_sha,
            "baseRefName": p.base_ref,
            "baseRefOid": p.base_sha,
            "isCrossRepository": p.head_repo is not p.repo,
            "author": self.actor(p.user),
            "reviewThreads": lambda info, **args: connection(
                "reviewThreads", [self.thread(t) for t in threads], args
            ),
            "closingIssuesReferences": lambda info, **args: connection(
                "closingIssuesReferences",
                [self.issue(i) for i in self.closing(p, bool(args.get("userLinkedOnly")))],
                args,
            ),
        }

    def closing(self, p: Pull, by_hand_only: bool) -> list[Issue]:
        """What GitHub counts as the issues a pull request closes: those linked by hand
        and, for one into the default branch, those its body names after a keyword."""
        named = list(p.linked_issues)
        if not by_hand_only and p.base_ref == p.repo.default_branch:
            for match in CLOSING.finditer(p.body or ""):
                named.append((match.group("repo") or p.repo.full_name, int(match.group("n"))))
        found: dict[int, Issue] = {}
        for full_name, number in named:
            owner, _, name = full_name.partition("/")
            repo = self.state.repo(owner, name)
            issue = None if repo is None else self.state.issue(repo, number)
            if issue is not None:
                found.setdefault(issue.id, issue)
        return list(found.values())

    def issue(self, i: Issue) -> dict[str, Any]:
        return {
            "__typename": "Issue",
            "id": node_id("I", i.id),
            "databaseId": i.id,
            "number": i.number,
            "title": i.title,
            "body": i.body or "",
            "bodyText": i.body or "",
            "state": i.state.upper(),
            "url": f"{self.render.web}/{i.repo.full_name}/issues/{i.number}",
            "author": self.actor(i.user),
            "repository": {
                "__typename": "Repository",
                "name": i.repo.name,
                "nameWithOwner": i.repo.full_name,
                "owner": {"__typename": "User", "login": i.repo.owner.login},
            },
        }

    def repository(self, owner: str, name: str) -> dict[str, Any] | None:
        repo = self.state.repo(owner, name)
        if repo is None:
            raise NotFound(f"Could not resolve to a Repository with the name '{owner}/{name}'.")

        def pull_request(info: Any, number: int) -> dict[str, Any]:
            found = self.state.pull(repo, number)
            if found is None:
                raise NotFound(f"Could not resolve to a PullRequest with the number of {number}.")
            return self.pull(found)

        return {
            "__typename": "Repository",
            "id": node_id("R", repo.id),
            "databaseId": repo.id,
            "name": repo.name,
            "nameWithOwner": repo.full_name,
            "owner": {"__typename": "User", "login": repo.owner.login},
            "pullRequest": pull_request,
        }

    def node(self, global_id: str) -> tuple[str, Any]:
        prefix, _, rest = global_id.partition("_kwDOfake")
        table: dict[str, tuple[dict[int, Any], Callable[[Any], dict[str, Any]]]] = {
            "PRRT": (self.state.threads, self.thread),
            "PRRC": (self.state.review_comments, self.review_comment),
            "IC": (self.state.issue_comments, self.issue_comment),
        }
        if prefix in table and rest.isdigit() and int(rest) in table[prefix][0]:
            obj = table[prefix][0][int(rest)]
            return prefix, obj
        raise NotFound(f"Could not resolve to a node with the global id of '{global_id}'")

    def render_node(self, global_id: str) -> dict[str, Any]:
        kind, obj = self.node(global_id)
        if kind == "PRRT":
            return self.thread(obj)
        return self.review_comment(obj) if kind == "PRRC" else self.issue_comment(obj)

    # Mutations ---------------------------------------------------------------------
    def set_resolved(self, data: dict[str, Any], resolved: bool) -> dict[str, Any]:
        kind, thread = self.node(str(data["threadId"]))
        if kind != "PRRT":
            raise NotFound(
                "Could not resolve to a PullRequestReviewThread with the id of "
                f"'{data['threadId']}'"
            )
        thread.resolved = resolved
        thread.resolved_by = self.viewer if resolved else None
        return {"clientMutationId": data.get("clientMutationId"), "thread": self.thread(thread)}

    def set_minimized(self, data: dict[str, Any], reason: str | None) -> dict[str, Any]:
        kind, comment = self.node(str(data["subjectId"]))
        if kind not in ("PRRC", "IC"):
            raise NotFound(
                f"Could not resolve to a Minimizable with the id of '{data['subjectId']}'"
            )
        comment.minimized_reason = reason
        rendered = self.review_comment(comment) if kind == "PRRC" else self.issue_comment(comment)
        key = "minimizedComment" if reason is not None else "unminimizedComment"
        return {"clientMutationId": data.get("clientMutationId"), key: rendered}

    def root(self) -> dict[str, Any]:
        return {
            "repository": lambda info, owner, name, **_: self.repository(owner, name),
            "node": lambda info, id: self.render_node(id),
            "nodes": lambda info, ids: [self.render_node(i) for i in ids],
            "viewer": lambda info: self.actor(self.viewer) | {"__typename": "User"},
            "resolveReviewThread": lambda info, input: self.set_resolved(input, True),
            "unresolveReviewThread": lambda info, input: self.set_resolved(input, False),
            "minimizeComment": lambda info, input: self.set_minimized(
                input, str(input["classifier"]).lower()
            ),
            "unminimizeComment": lambda info, input: self.set_minimized(input, None),
        }


def _format(error: graphql.GraphQLError) -> dict[str, Any]:
    data: dict[str, Any] = dict(error.formatted)
    if isinstance(error.original_error, NotFound) or isinstance(error, NotFound):
        data["type"] = "NOT_FOUND"
    return data


def execute(
    state: State, render: Render, viewer: User, body: Any
) -> tuple[dict[str, Any], list[str]]:
    """Answer one GraphQL POST body: (response payload, violations)."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return {"message": "Problems parsing JSON"}, [
            "GraphQL body must be an object with a `query` string"
        ]
    try:
        document = graphql.parse(body["query"])
    except graphql.GraphQLError as exc:
        return {"errors": [_format(exc)]}, [f"GraphQL syntax: {exc.message}"]
    problems = graphql.validate(schema(), document)
    if problems:
        return {"errors": [_format(e) for e in problems]}, [
            f"GraphQL: {e.message}" for e in problems
        ]
    result = graphql.execute_sync(
        schema(),
        document,
        root_value=Graph(state, render, viewer).root(),
        variable_values=body.get("variables") or {},
        operation_name=body.get("operationName"),
    )
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [_format(e) for e in result.errors]
    return payload, [f"GraphQL: {e.message}" for e in result.errors or []]
