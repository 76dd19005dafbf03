"""Settings and prompt overrides from the pull request's base commit, never from its head.

A pull request must not rewrite the rules it is reviewed by: its own ``.reviewbot.toml``,
``[tool.reviewbot]`` in ``pyproject.toml`` or ``.reviewbot/prompts/`` could tell the model
to approve everything. So ``reviewbot github`` reads those files from the base commit
(through a ``RepoView`` at the base SHA): the config files into a private temporary folder
to load settings from (defaults < user file < base config file < environment < flags),
the templates into memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from reviewbot.config import OPTIONS, Settings, load_settings
from reviewbot.errors import ConfigError, RepositoryError
from reviewbot.prompts import overrides_at
from reviewbot.repo import RepoView
from reviewbot.repo.gitcmd import find_root

CONFIG_FILES = (".reviewbot.toml", "pyproject.toml")
CHECKOUT_HINT = (
    "check the pull request out with actions/checkout and `fetch-depth: 0` "
    "(for issue_comment and pull_request_target: `ref: refs/pull/<number>/head`)"
)
BASE_HINT = "set `fetch-depth: 0` on actions/checkout (a shallow clone lacks the base commit)"


def flags_of(settings: Settings) -> dict[str, Any]:
    """The values that came from command-line flags (they still win over the base file)."""
    return {
        key: getattr(settings, option.name)
        for key, option in OPTIONS.items()
        if settings.sources.get(key, "").startswith("flag")
    }


class BaseFiles:
    """The base commit's config and prompt files, copied to a private temporary folder."""

    def __init__(self, view: RepoView, config_path: str | None = None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="reviewbot-base-")
        self.root = Path(self._tmp.name)
        self.base = view.ref or ""
        self.config_path = _relative(config_path) if config_path else None
        wanted = [*CONFIG_FILES, *([self.config_path] if self.config_path else [])]
        present = {e.path for e in view.tracked_files()}
        self.overrides = overrides_at(view)
        for path, data in view.read_many([p for p in wanted if p in present]):
            target = self.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if self.config_path and self.config_path not in present:
            raise ConfigError(
                f"config file {self.config_path} is not in the base commit {self.base[:12]}",
                hint="commit it to the base branch first (it is never read from the pull request)",
            )

    def close(self) -> None:
        self._tmp.cleanup()

    def __enter__(self) -> BaseFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def settings(self, environ: Mapping[str, str], flags: Mapping[str, Any]) -> Settings:
        config_file = self.root / self.config_path if self.config_path else None
        try:
            return load_settings(root=self.root, env=environ, flags=flags, config_file=config_file)
        except ConfigError as exc:
            where = f"base commit {self.base[:12]}: "
            message = exc.message.replace(str(self.root) + "/", where)
            raise ConfigError(message, hint=exc.hint) from exc


def _relative(path: str) -> str:
    clean = PurePosixPath(path.replace("\\", "/"))
    if clean.is_absolute() or ".." in clean.parts:
        raise ConfigError(
            f"config path {path!r} must be relative to the repository root",
            hint="for example .github/reviewbot.toml",
        )
    return clean.as_posix()


def require_commit(
    view_root: Path, sha: str, what: str, hint: str, settings: Settings | None = None
) -> RepoView:
    """A view at ``sha``, or a one-line error saying how to get it into the clone. With
    ``settings`` (the base commit's), the view keeps their deny list and size cap: a view of
    the pull request's head is made only once those are known."""
    extra: dict[str, Any] = {}
    if settings is not None:
        extra = {"deny_paths": settings.deny_paths, "max_file_bytes": settings.max_file_bytes}
    try:
        return RepoView(view_root, sha, **extra)
    except RepositoryError as exc:
        raise RepositoryError(
            f"the {what} commit {sha[:12]} is not in this clone", hint=hint
        ) from exc


def git_root(start: Path) -> Path:
    root = find_root(start)
    if root is None:
        raise RepositoryError(f"{start} is not inside a git checkout", hint=CHECKOUT_HINT)
    return root
