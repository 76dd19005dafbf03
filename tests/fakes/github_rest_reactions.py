"""REST handlers of the fake GitHub: reactions on issue comments and review comments, and
reading one review comment.

As GitHub does: creating a reaction the user already made answers 200 with the existing
one (a new one 201); listing filters by ``content``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.github_core import Ctx, Reply
from tests.fakes.github_render import node_id
from tests.fakes.github_state import IssueComment, Reaction, ReviewComment, User

Handler = Callable[[Ctx], Reply]


def _issue_comment(ctx: Ctx) -> IssueComment:
    found = ctx.state.issue_comments.get(int(ctx.params["comment_id"]))
    if found is None or found.repo is not ctx.repo():
        raise ctx.not_found()
    return found


def _review_comment(ctx: Ctx) -> ReviewComment:
    found = ctx.state.review_comments.get(int(ctx.params["comment_id"]))
    if found is None or found.pull.repo is not ctx.repo():
        raise ctx.not_found()
    return found


def render(ctx: Ctx, reaction: Reaction) -> dict[str, Any]:
    return {
        "id": reaction.id,
        "node_id": node_id("REA", reaction.id),
        "user": ctx.render.user(reaction.user),
        "content": reaction.content,
        "created_at": reaction.created_at,
    }


def add(reactions: list[Reaction], user: User, content: str, new_id: int) -> tuple[int, Reaction]:
    """(201, the new reaction), or (200, the one ``user`` already made with ``content``)."""
    for reaction in reactions:
        if reaction.user.login.lower() == user.login.lower() and reaction.content == content:
            return 200, reaction
    made = Reaction(new_id, user, content)
    reactions.append(made)
    return 201, made


def _create(ctx: Ctx, reactions: list[Reaction]) -> Reply:
    status, reaction = add(reactions, ctx.viewer, str(ctx.body["content"]), ctx.state.new_id())
    return Reply(status, render(ctx, reaction))


def _list(ctx: Ctx, reactions: list[Reaction]) -> Reply:
    wanted = ctx.query.get("content")
    chosen = [r for r in reactions if wanted is None or r.content == wanted]
    return ctx.page([render(ctx, r) for r in chosen])


def create_for_issue_comment(ctx: Ctx) -> Reply:
    return _create(ctx, _issue_comment(ctx).reactions)


def list_for_issue_comment(ctx: Ctx) -> Reply:
    return _list(ctx, _issue_comment(ctx).reactions)


def create_for_review_comment(ctx: Ctx) -> Reply:
    return _create(ctx, _review_comment(ctx).reactions)


def list_for_review_comment(ctx: Ctx) -> Reply:
    return _list(ctx, _review_comment(ctx).reactions)


def get_review_comment(ctx: Ctx) -> Reply:
    comment = _review_comment(ctx)
    review = ctx.state.reviews.get(comment.review_id)
    if review is not None and review.state == "PENDING" and review.user is not ctx.viewer:
        raise ctx.not_found()  # a pending review's comments are its author's alone
    return Reply(200, ctx.render.review_comment(comment))


HANDLERS: dict[str, Handler] = {
    "reactions/create-for-issue-comment": create_for_issue_comment,
    "reactions/list-for-issue-comment": list_for_issue_comment,
    "reactions/create-for-pull-request-review-comment": create_for_review_comment,
    "reactions/list-for-pull-request-review-comment": list_for_review_comment,
    "pulls/get-review-comment": get_review_comment,
}
