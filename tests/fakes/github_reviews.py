"""Review and review-comment rules of the fake GitHub (all-or-nothing, like the real one)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.github_files import PullFile
from tests.fakes.github_placement import Placement, place
from tests.fakes.github_state import (
    Commit,
    Pull,
    Review,
    ReviewComment,
    Revision,
    State,
    Thread,
    User,
    now_iso,
)

EVENT_STATES = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
}
ACTIONS_BOT = "github-actions[bot]"


@dataclass
class Refusal(Exception):
    """GitHub would answer 422 with `messages`; `details` say precisely why (for violations)."""

    messages: list[str]
    details: list[str] = field(default_factory=list)
    field_name: str = "base"

    def __str__(self) -> str:
        return "; ".join(self.details or self.messages)


def revision_for(pull: Pull, commit_id: str | None) -> Revision:
    if commit_id is None:
        return pull.current
    found = pull.revision(commit_id)
    if found is not None:
        return found
    if any(c.sha == commit_id for c in pull.commits):
        return pull.current
    raise Refusal(
        ["The commitOID is not part of the pull request"],
        [f"commit_id {commit_id} is not a commit of PR #{pull.number}"],
        "commit_id",
    )


def check_event(pull: Pull, user: User, event: str | None, actions_can_approve: bool) -> None:
    own = user.login.lower() == pull.user.login.lower()
    if event == "APPROVE" and user.login == ACTIONS_BOT and not actions_can_approve:
        raise Refusal(["GitHub Actions is not permitted to approve pull requests."])
    if event == "APPROVE" and own:
        raise Refusal(["Can not approve your own pull request"])
    if event == "REQUEST_CHANGES" and own:
        raise Refusal(["Can not request changes on your own pull request"])


def place_all(revision: Revision, comments: Sequence[Mapping[str, Any]]) -> list[Placement]:
    placed: list[Placement] = []
    messages: list[str] = []
    details: list[str] = []
    for index, spec in enumerate(comments):
        result = place(revision, spec)
        if isinstance(result, Placement):
            placed.append(result)
            continue
        messages += result
        where = {k: spec.get(k) for k in ("path", "line", "side", "start_line", "start_side")}
        details.append(f"comments[{index}] {where}: {'; '.join(result)}")
    if messages:
        raise Refusal(messages, details)
    return placed


def _comment(
    state: State, review: Review, placement: Placement, body: str, commit_id: str
) -> ReviewComment:
    comment = ReviewComment(
        id=state.new_id(),
        review_id=review.id,
        pull=review.pull,
        user=review.user,
        body=body,
        path=placement.path,
        commit_id=commit_id,
        side=placement.side,
        line=placement.line,
        start_line=placement.start_line,
        start_side=placement.start_side,
        position=placement.position,
        diff_hunk=placement.diff_hunk,
        subject_type=placement.subject_type,
    )
    state.review_comments[comment.id] = comment
    review.comment_ids.append(comment.id)
    return comment


def _open_threads(state: State, review: Review) -> None:
    for cid in review.comment_ids:
        comment = state.review_comments[cid]
        if comment.thread_id is None and comment.in_reply_to is None:
            thread = Thread(state.new_id(), review.pull, [cid])
            state.threads[thread.id] = thread
            comment.thread_id = thread.id


def create_review(
    state: State,
    pull: Pull,
    user: User,
    *,
    body: str | None,
    event: str | None,
    commit_id: str | None,
    comments: Sequence[Mapping[str, Any]],
    actions_can_approve: bool = False,
) -> Review:
    revision = revision_for(pull, commit_id)
    check_event(pull, user, event, actions_can_approve)
    if event is None and any(
        r.state == "PENDING" and r.pull is pull and r.user is user for r in state.reviews.values()
    ):
        raise Refusal(["User can only have one pending review per pull request"])
    if event in ("REQUEST_CHANGES", "COMMENT") and not body and not comments:
        raise Refusal([f"Body can't be blank when the event is {event}"])
    placed = place_all(revision, comments)
    review = Review(
        id=state.new_id(),
        pull=pull,
        user=user,
        body=body or "",
        state="PENDING" if event is None else EVENT_STATES[event],
        commit_id=revision.head_sha,
        submitted_at=None if event is None else now_iso(),
    )
    state.reviews[review.id] = review
    for placement, spec in zip(placed, comments, strict=True):
        _comment(state, review, placement, str(spec.get("body", "")), revision.head_sha)
    if event is not None:
        _open_threads(state, review)
    return review


def submit_review(
    state: State,
    review: Review,
    event: str,
    body: str | None,
    *,
    actions_can_approve: bool = False,
) -> None:
    if review.state != "PENDING":
        raise Refusal(["Can not submit a non-pending review"])
    check_event(review.pull, review.user, event, actions_can_approve)
    if (
        event in ("REQUEST_CHANGES", "COMMENT")
        and not (body or review.body)
        and not review.comment_ids
    ):
        raise Refusal([f"Body can't be blank when the event is {event}"])
    if body:
        review.body = body
    review.state = EVENT_STATES[event]
    review.submitted_at = now_iso()
    _open_threads(state, review)


def add_comment(state: State, pull: Pull, user: User, spec: Mapping[str, Any]) -> ReviewComment:
    """`POST /pulls/{n}/comments` without `in_reply_to`: a one-comment COMMENTED review."""
    revision = revision_for(pull, str(spec["commit_id"]))
    [placement] = place_all(revision, [spec])
    review = Review(state.new_id(), pull, user, "", "COMMENTED", revision.head_sha)
    review.submitted_at = now_iso()
    state.reviews[review.id] = review
    comment = _comment(state, review, placement, str(spec["body"]), revision.head_sha)
    _open_threads(state, review)
    return comment


def reply(state: State, root: ReviewComment, user: User, body: str) -> ReviewComment:
    pull = root.pull
    review = Review(state.new_id(), pull, user, "", "COMMENTED", pull.head_sha)
    review.submitted_at = now_iso()
    state.reviews[review.id] = review
    placement = Placement(
        root.path,
        root.side,
        root.line,
        root.start_line,
        root.start_side,
        root.position,
        root.diff_hunk,
        root.subject_type,
    )
    comment = _comment(state, review, placement, body, root.commit_id)
    comment.in_reply_to = root.id
    comment.thread_id = root.thread_id
    if root.thread_id is not None:
        state.threads[root.thread_id].comment_ids.append(comment.id)
    return comment


def delete_comment(state: State, comment: ReviewComment) -> None:
    del state.review_comments[comment.id]
    review = state.reviews[comment.review_id]
    review.comment_ids.remove(comment.id)
    thread = state.threads.get(comment.thread_id or -1)
    if thread is not None:
        thread.comment_ids.remove(comment.id)
        if not thread.comment_ids:
            del state.threads[thread.id]


def push(
    state: State,
    pull: Pull,
    head_sha: str,
    files: Iterable[PullFile] | None,
    changed_lines: Mapping[str, Iterable[int]],
    message: str,
) -> None:
    """A new head commit: threads whose (path, RIGHT line) changed become outdated."""
    new_files = tuple(files) if files is not None else pull.current.files
    pull.revisions.append(Revision(head_sha, new_files))
    pull.commits.append(Commit(head_sha, message, (pull.commits[-1].sha,) if pull.commits else ()))
    pull.head_repo.branches[pull.head_ref] = head_sha
    pull.updated_at = now_iso()
    changed = {path: set(lines) for path, lines in changed_lines.items()}
    present = {f.filename for f in new_files}
    for thread in state.threads.values():
        if thread.pull is not pull or thread.outdated:
            continue
        first = state.review_comments[thread.comment_ids[0]]
        touched = False
        if first.side == "RIGHT" and first.line is not None:
            low = first.start_line if first.start_side == "RIGHT" else None
            span = range(low or first.line, first.line + 1)
            touched = bool(set(span) & changed.get(first.path, set()))
        if first.path not in present or touched:
            thread.outdated = True
