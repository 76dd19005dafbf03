"""Git access: what changed (refs, diff, line maps), how to show it, and a sandboxed view."""

from reviewbot.repo.diff import ChangeSet, DiffLine, FileChange, Hunk
from reviewbot.repo.gitdiff import changeset_from_git
from reviewbot.repo.grep import Match, SearchResult
from reviewbot.repo.guard import DEFAULT_DENY, PathGuard
from reviewbot.repo.history import BlameLine, CommitInfo, range_messages
from reviewbot.repo.patches import PatchFile, changeset_from_patches
from reviewbot.repo.refs import RevRange, Scope, resolve_range
from reviewbot.repo.render import render_changeset, render_file
from reviewbot.repo.textfile import FileText
from reviewbot.repo.tree import FileEntry
from reviewbot.repo.view import RepoView

__all__ = [
    "DEFAULT_DENY",
    "BlameLine",
    "ChangeSet",
    "CommitInfo",
    "DiffLine",
    "FileChange",
    "FileEntry",
    "FileText",
    "Hunk",
    "Match",
    "PatchFile",
    "PathGuard",
    "RepoView",
    "RevRange",
    "Scope",
    "SearchResult",
    "changeset_from_git",
    "changeset_from_patches",
    "range_messages",
    "render_changeset",
    "render_file",
    "resolve_range",
]
