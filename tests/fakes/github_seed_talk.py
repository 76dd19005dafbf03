"""Seeding what people do on a pull request after a review: reactions, replies in a
review thread, resolving a thread, linking an issue by hand (GitHub's sidebar)."""

from __future__ import annotations

from tests.fakes import github_reviews as rules
from tests.fakes.github_rest_reactions import add
from tests.fakes.github_seed import StateAccess


class Talking(StateAccess):
    """Mixed into GitHubServer."""

    def react(self, comment_id: int, content: str, *, author: str) -> int:
        """``author`` reacts to a review comment or an issue comment; the reaction's id."""
        with self.state.lock:
            user = self.state.user(author)
            target = self.state.review_comments.get(comment_id) or self.state.issue_comments.get(
                comment_id
            )
            if target is None:
                raise KeyError(f"no comment {comment_id}")
            _, reaction = add(target.reactions, user, content, self.state.new_id())
            return reaction.id

    def reply_in_thread(self, comment_id: int, body: str, *, author: str) -> int:
        """``author`` replies in the review thread of comment ``comment_id``; the reply's id."""
        with self.state.lock:
            root = self.state.review_comments[comment_id]
            while root.in_reply_to is not None:
                root = self.state.review_comments[root.in_reply_to]
            return rules.reply(self.state, root, self.state.user(author), body).id

    def resolve_thread_of(self, comment_id: int, *, by: str) -> int:
        """``by`` resolves the thread comment ``comment_id`` is in; the thread's id."""
        with self.state.lock:
            thread_id = self.state.review_comments[comment_id].thread_id
            assert thread_id is not None, "the comment is in no thread"
            thread = self.state.threads[thread_id]
            thread.resolved = True
            thread.resolved_by = self.state.user(by)
            return thread.id

    def link_issue(self, owner: str, repo: str, number: int, issue: str, issue_number: int) -> None:
        """Link ``issue``#``issue_number`` (owner/name) to the pull request by hand."""
        with self.state.lock:
            self._pull(owner, repo, number).linked_issues.append((issue, issue_number))
