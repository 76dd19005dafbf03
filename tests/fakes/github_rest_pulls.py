"""REST handlers of the fake GitHub: pull requests, reviews and review comments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes import github_reviews as rules
from tests.fakes.github_core import Ctx, HttpError, Reply
from tests.fakes.github_state import Review, ReviewComment, now_iso

Handler = Callable[[Ctx], Reply]


def _refused(ctx: Ctx, refusal: rules.Refusal) -> HttpError:
    return ctx.unprocessable(refusal.messages, str(refusal))


def _as_diff(ctx: Ctx) -> Reply:
    pull = ctx.pull()
    parts: list[str] = []
    for f in pull.current.files:
        old = f.previous_filename or f.filename
        parts.append(f"diff --git a/{old} b/{f.filename}")
        if f.patch is None:
            parts.append(f"Binary files a/{old} and b/{f.filename} differ")
            continue
        parts.append("--- /dev/null" if f.status == "added" else f"--- a/{old}")
        parts.append("+++ /dev/null" if f.status == "removed" else f"+++ b/{f.filename}")
        parts.append(f.patch)
    text = "\n".join(parts) + "\n"
    return Reply(200, None, {"Content-Type": "text/plain; charset=utf-8"}, text.encode())


def get_pull(ctx: Ctx) -> Reply:
    if "diff" in ctx.headers.get("accept", ""):
        return _as_diff(ctx)
    return Reply(200, ctx.render.pull(ctx.pull()))


def list_pulls(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    state = ctx.query.get("state", "open")
    pulls = [p for p in ctx.state.pulls.values() if p.repo is repo]
    pulls = [p for p in pulls if state == "all" or p.state == state]
    if "base" in ctx.query:
        pulls = [p for p in pulls if p.base_ref == ctx.query["base"]]
    if "head" in ctx.query:
        pulls = [p for p in pulls if f"{p.head_repo.owner.login}:{p.head_ref}" == ctx.query["head"]]
    pulls.sort(key=lambda p: p.number, reverse=ctx.query.get("direction", "desc") == "desc")
    return ctx.page([ctx.render.pull(p) for p in pulls])


def list_files(ctx: Ctx) -> Reply:
    pull = ctx.pull()
    files = pull.current.files[:3000]
    return ctx.page([ctx.render.diff_entry(pull.head_repo, pull.head_sha, f) for f in files])


def list_commits(ctx: Ctx) -> Reply:
    pull = ctx.pull()
    return ctx.page([ctx.render.commit(pull.repo, c) for c in pull.commits[:250]])


def create_review(ctx: Ctx) -> Reply:
    pull = ctx.pull()
    body: dict[str, Any] = ctx.body or {}
    ctx.check_body_length("PullRequestReview", body.get("body"))
    for spec in body.get("comments", []):
        ctx.check_body_length("PullRequestReviewComment", spec.get("body"))
    try:
        review = rules.create_review(
            ctx.state,
            pull,
            ctx.viewer,
            body=body.get("body"),
            event=body.get("event"),
            commit_id=body.get("commit_id"),
            comments=body.get("comments", []),
            actions_can_approve=bool(ctx.settings.get("actions_can_approve")),
        )
    except rules.Refusal as refusal:
        raise _refused(ctx, refusal) from refusal
    return Reply(200, ctx.render.review(review))


def _review(ctx: Ctx) -> Review:
    pull = ctx.pull()
    review = ctx.state.reviews.get(int(ctx.params["review_id"]))
    if review is None or review.pull is not pull:
        raise ctx.not_found()
    if review.state == "PENDING" and review.user is not ctx.viewer:
        raise ctx.not_found()
    return review


def list_reviews(ctx: Ctx) -> Reply:
    pull = ctx.pull()
    reviews = [
        r
        for r in ctx.state.reviews.values()
        if r.pull is pull and (r.state != "PENDING" or r.user is ctx.viewer)
    ]
    return ctx.page([ctx.render.review(r) for r in sorted(reviews, key=lambda r: r.id)])


def get_review(ctx: Ctx) -> Reply:
    return Reply(200, ctx.render.review(_review(ctx)))


def submit_review(ctx: Ctx) -> Reply:
    review = _review(ctx)
    ctx.check_body_length("PullRequestReview", ctx.body.get("body"))
    try:
        rules.submit_review(
            ctx.state,
            review,
            str(ctx.body["event"]),
            ctx.body.get("body"),
            actions_can_approve=bool(ctx.settings.get("actions_can_approve")),
        )
    except rules.Refusal as refusal:
        raise _refused(ctx, refusal) from refusal
    return Reply(200, ctx.render.review(review))


def update_review(ctx: Ctx) -> Reply:
    review = _review(ctx)
    ctx.check_body_length("PullRequestReview", ctx.body["body"])
    review.body = str(ctx.body["body"])
    return Reply(200, ctx.render.review(review))


def delete_pending_review(ctx: Ctx) -> Reply:
    review = _review(ctx)
    if review.state != "PENDING":
        raise ctx.unprocessable(["Can not delete a non-pending pull request review"], "not pending")
    rendered = ctx.render.review(review)
    for cid in list(review.comment_ids):
        rules.delete_comment(ctx.state, ctx.state.review_comments[cid])
    del ctx.state.reviews[review.id]
    return Reply(200, rendered)


def dismiss_review(ctx: Ctx) -> Reply:
    review = _review(ctx)
    if review.state == "PENDING":
        raise ctx.unprocessable(["Can not dismiss a pending pull request review"], "pending")
    review.state = "DISMISSED"
    return Reply(200, ctx.render.review(review))


def _visible_comments(ctx: Ctx) -> list[ReviewComment]:
    pull = ctx.pull()
    return ctx.render.published_review_comments(pull)


def list_review_comments(ctx: Ctx) -> Reply:
    comments = _visible_comments(ctx)
    key = "updated_at" if ctx.query.get("sort") == "updated" else "created_at"
    since = ctx.query.get("since")
    if since:
        comments = [c for c in comments if c.updated_at >= since]
    comments.sort(key=lambda c: (getattr(c, key), c.id))
    if ctx.query.get("direction") == "desc":
        comments.reverse()
    return ctx.page([ctx.render.review_comment(c) for c in comments])


def list_comments_for_review(ctx: Ctx) -> Reply:
    review = _review(ctx)
    comments = [ctx.state.review_comments[cid] for cid in review.comment_ids]
    return ctx.page([ctx.render.review_comment(c) for c in comments])


def _comment(ctx: Ctx) -> ReviewComment:
    repo = ctx.repo()
    comment = ctx.state.review_comments.get(int(ctx.params["comment_id"]))
    if comment is None or comment.pull.repo is not repo:
        raise ctx.not_found()
    return comment


def create_review_comment(ctx: Ctx) -> Reply:
    pull = ctx.pull()
    body: dict[str, Any] = ctx.body
    ctx.check_body_length("PullRequestReviewComment", body["body"])
    if body.get("in_reply_to") is not None:
        root = ctx.state.review_comments.get(int(body["in_reply_to"]))
        if root is None or root.pull is not pull:
            raise ctx.not_found()
        return Reply(
            201, ctx.render.review_comment(rules.reply(ctx.state, root, ctx.viewer, body["body"]))
        )
    try:
        comment = rules.add_comment(ctx.state, pull, ctx.viewer, body)
    except rules.Refusal as refusal:
        fieldname = (
            refusal.field_name
            if refusal.field_name != "base"
            else "pull_request_review_thread.line"
        )
        error = ctx.validation_failed("PullRequestReviewComment", fieldname, refusal.messages[0])
        raise HttpError(error.status, error.payload, str(refusal)) from refusal
    return Reply(201, ctx.render.review_comment(comment))


def create_reply(ctx: Ctx) -> Reply:
    pull = ctx.pull()
    ctx.check_body_length("PullRequestReviewComment", ctx.body["body"])
    root = ctx.state.review_comments.get(int(ctx.params["comment_id"]))
    if root is None or root.pull is not pull:
        raise ctx.not_found()
    comment = rules.reply(ctx.state, root, ctx.viewer, str(ctx.body["body"]))
    return Reply(201, ctx.render.review_comment(comment))


def update_review_comment(ctx: Ctx) -> Reply:
    comment = _comment(ctx)
    ctx.check_body_length("PullRequestReviewComment", ctx.body["body"])
    comment.body = str(ctx.body["body"])
    comment.updated_at = now_iso()
    return Reply(200, ctx.render.review_comment(comment))


def delete_review_comment(ctx: Ctx) -> Reply:
    rules.delete_comment(ctx.state, _comment(ctx))
    return Reply(204)


HANDLERS: dict[str, Handler] = {
    "pulls/get": get_pull,
    "pulls/list": list_pulls,
    "pulls/list-files": list_files,
    "pulls/list-commits": list_commits,
    "pulls/create-review": create_review,
    "pulls/list-reviews": list_reviews,
    "pulls/get-review": get_review,
    "pulls/submit-review": submit_review,
    "pulls/update-review": update_review,
    "pulls/delete-pending-review": delete_pending_review,
    "pulls/dismiss-review": dismiss_review,
    "pulls/list-review-comments": list_review_comments,
    "pulls/list-comments-for-review": list_comments_for_review,
    "pulls/create-review-comment": create_review_comment,
    "pulls/create-reply-for-review-comment": create_reply,
    "pulls/update-review-comment": update_review_comment,
    "pulls/delete-review-comment": delete_review_comment,
}
