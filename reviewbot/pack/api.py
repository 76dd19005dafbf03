"""Packing a repository on disk: the glue between settings, ``reviewbot.repo`` and the packer."""

from __future__ import annotations

from pathlib import Path

from reviewbot.config import Settings
from reviewbot.pack.change import change_from_changeset
from reviewbot.pack.model import ContextPack
from reviewbot.pack.packer import PackOptions, pack_all, pack_change
from reviewbot.pack.render import Style
from reviewbot.pack.tokens import TokenCounter
from reviewbot.repo import (
    RepoView,
    changeset_from_git,
    range_messages,
    render_changeset,
    resolve_range,
)


def options_for(settings: Settings, style: Style = "markdown") -> PackOptions:
    return PackOptions(
        budget=settings.pack_budget,
        max_file_bytes=settings.max_file_bytes,
        exclude=tuple(settings.exclude),
        deny=tuple(settings.deny_paths),
        style=style,
    )


def pack_repository(
    root: Path,
    settings: Settings,
    *,
    base: str | None = None,
    whole: bool = False,
    style: Style = "markdown",
    counter: TokenCounter | None = None,
) -> ContextPack:
    """Pack the change ``merge-base(base, HEAD)..HEAD`` (or, ``whole``, the repository)."""
    counter = counter or TokenCounter(settings.tokenizer)  # started after the scan forks
    options = options_for(settings, style)
    if whole:
        view = RepoView(
            root, "HEAD", deny_paths=settings.deny_paths, max_file_bytes=settings.max_file_bytes
        )
        return pack_all(view, options, counter)
    rev_range = resolve_range(root, base)
    changeset = changeset_from_git(root, rev_range, max_bytes=settings.max_diff_bytes)
    view = RepoView(
        root,
        rev_range.head_sha,
        deny_paths=settings.deny_paths,
        max_file_bytes=settings.max_file_bytes,
    )
    messages = range_messages(root, rev_range.merge_base_sha, rev_range.head_sha)
    change = change_from_changeset(changeset, render_changeset(changeset), messages)
    return pack_change(view, change, options, counter)
