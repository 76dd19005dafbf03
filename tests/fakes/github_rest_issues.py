"""REST handlers of the fake GitHub: issues and issue comments (also on PRs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.github_core import Ctx, Reply
from tests.fakes.github_state import Issue, IssueComment, Label, Pull, Repo, now_iso

Handler = Callable[[Ctx], Reply]


def _label_names(raw: list[Any]) -> list[str]:
    return [str(item["name"] if isinstance(item, dict) else item) for item in raw]


def _labels(ctx: Ctx, repo: Repo, raw: list[Any]) -> list[Label]:
    return [ctx.state.label(repo, name) for name in dict.fromkeys(_label_names(raw))]


def _issue_or_pull(ctx: Ctx) -> Issue | Pull:
    repo = ctx.repo()
    number = int(ctx.params["issue_number"])
    found = ctx.state.issue(repo, number) or ctx.state.pull(repo, number)
    if found is None:
        raise ctx.not_found()
    return found


def create_issue(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    body: dict[str, Any] = ctx.body
    ctx.check_body_length("Issue", body.get("body"))
    assignees = list(body.get("assignees") or [])
    if body.get("assignee"):
        assignees.append(body["assignee"])
    issue = Issue(
        id=ctx.state.new_id(),
        repo=repo,
        number=ctx.state.next_number(repo),
        title=str(body["title"]),
        body=body.get("body"),
        user=ctx.viewer,
        labels=_labels(ctx, repo, list(body.get("labels") or [])),
        assignees=[ctx.state.user(str(a)) for a in dict.fromkeys(assignees)],
    )
    ctx.state.issues[(repo.full_name.lower(), issue.number)] = issue
    return Reply(
        201,
        ctx.render.issue(issue),
        {"Location": f"{ctx.api}/repos/{repo.full_name}/issues/{issue.number}"},
    )


def get_issue(ctx: Ctx) -> Reply:
    return Reply(200, ctx.render.issue(_issue_or_pull(ctx)))


def update_issue(ctx: Ctx) -> Reply:
    target = _issue_or_pull(ctx)
    body: dict[str, Any] = ctx.body or {}
    ctx.check_body_length("Issue", body.get("body"))
    if "title" in body and body["title"] is not None:
        target.title = str(body["title"])
    if "body" in body:
        target.body = body["body"]
    if "labels" in body:
        target.labels = _labels(ctx, target.repo, list(body["labels"] or []))
    if body.get("state") in ("open", "closed"):
        target.state = body["state"]
        if isinstance(target, Issue):
            closed = target.state == "closed"
            target.closed_at = now_iso() if closed else None
            target.state_reason = body.get("state_reason") or (
                "completed" if closed else "reopened"
            )
    if isinstance(target, Issue) and "assignees" in body:
        target.assignees = [ctx.state.user(str(a)) for a in body["assignees"] or []]
    target.updated_at = now_iso()
    return Reply(200, ctx.render.issue(target))


def list_issues(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    q = ctx.query
    items: list[Issue | Pull] = [i for i in ctx.state.issues.values() if i.repo is repo]
    items += [p for p in ctx.state.pulls.values() if p.repo is repo]  # GitHub lists PRs too
    state = q.get("state", "open")
    items = [i for i in items if state == "all" or i.state == state]
    if q.get("labels"):
        wanted = {n.strip().lower() for n in q["labels"].split(",") if n.strip()}
        items = [i for i in items if wanted <= {label.name.lower() for label in i.labels}]
    if q.get("creator"):
        items = [i for i in items if i.user.login.lower() == q["creator"].lower()]
    if q.get("assignee") not in (None, "*"):
        if q["assignee"] == "none":
            items = [i for i in items if not getattr(i, "assignees", [])]
        else:
            login = q["assignee"].lower()
            items = [
                i
                for i in items
                if any(u.login.lower() == login for u in getattr(i, "assignees", []))
            ]
    if q.get("since"):
        items = [i for i in items if i.updated_at >= q["since"]]
    sort = q.get("sort", "created")
    key = {"created": "created_at", "updated": "updated_at"}.get(sort, "created_at")
    items.sort(
        key=lambda i: (getattr(i, key), i.number), reverse=q.get("direction", "desc") == "desc"
    )
    return ctx.page([ctx.render.issue(i) for i in items])


def _comment(ctx: Ctx) -> IssueComment:
    repo = ctx.repo()
    found = ctx.state.issue_comments.get(int(ctx.params["comment_id"]))
    if found is None or found.repo is not repo:
        raise ctx.not_found()
    return found


def create_comment(ctx: Ctx) -> Reply:
    target = _issue_or_pull(ctx)
    text = str(ctx.body["body"])
    if len(text) > 65_536:
        raise ctx.validation_failed(
            "IssueComment",
            "data",
            "Body is too long (maximum is 65536 characters)",
            code="unprocessable",
        )
    comment = IssueComment(ctx.state.new_id(), target.repo, target.number, ctx.viewer, text)
    ctx.state.issue_comments[comment.id] = comment
    return Reply(201, ctx.render.issue_comment(comment))


def list_comments(ctx: Ctx) -> Reply:
    target = _issue_or_pull(ctx)
    comments = [
        c
        for c in ctx.state.issue_comments.values()
        if c.repo is target.repo and c.number == target.number
    ]
    if ctx.query.get("since"):
        comments = [c for c in comments if c.updated_at >= ctx.query["since"]]
    return ctx.page([ctx.render.issue_comment(c) for c in sorted(comments, key=lambda c: c.id)])


def get_comment(ctx: Ctx) -> Reply:
    return Reply(200, ctx.render.issue_comment(_comment(ctx)))


def update_comment(ctx: Ctx) -> Reply:
    comment = _comment(ctx)
    text = str(ctx.body["body"])
    if len(text) > 65_536:
        raise ctx.validation_failed(
            "IssueComment",
            "data",
            "Body is too long (maximum is 65536 characters)",
            code="unprocessable",
        )
    comment.body = text
    comment.updated_at = now_iso()
    return Reply(200, ctx.render.issue_comment(comment))


def delete_comment(ctx: Ctx) -> Reply:
    del ctx.state.issue_comments[_comment(ctx).id]
    return Reply(204)


HANDLERS: dict[str, Handler] = {
    "issues/create": create_issue,
    "issues/get": get_issue,
    "issues/update": update_issue,
    "issues/list-for-repo": list_issues,
    "issues/create-comment": create_comment,
    "issues/list-comments": list_comments,
    "issues/get-comment": get_comment,
    "issues/update-comment": update_comment,
    "issues/delete-comment": delete_comment,
}
