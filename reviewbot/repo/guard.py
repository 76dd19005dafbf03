"""Which paths the model may read: inside the repository, outside ``.git``, no secrets.

Every ``RepoView`` method that takes a path passes it through ``PathGuard.check`` first.
Refused, each with a one-line reason in a ``PathRefusedError``: NUL bytes, absolute
paths, any ``..`` component, ``.git`` internals, files matching the deny list (the
defaults below plus the settings' ``deny_paths``), and symlinks that lead outside the
repository or to a refused file. Denied files are also left out of listings and search
results, so the model never learns more than that they exist when it asks by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from reviewbot.errors import PathRefusedError
from reviewbot.repo.globs import globset, last_components

DEFAULT_DENY: tuple[str, ...] = (
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_ed25519*",
    "*.p12",
    "*.pfx",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    "credentials*.json",
    ".aws/credentials",
    "*.keystore",
    "secrets.*",
    ".envrc",
    "id_ecdsa*",
    "id_dsa*",
    ".ssh",
    ".docker/config.json",
    ".kube/config",
    "*.tfstate",
    "*.tfstate.*",
    "service-account*.json",
    ".htpasswd",
    ".vault-token",
    "*.gpg",
    "*.asc",
    "*.jks",
    "secrets/**",
)
MAX_SYMLINK_HOPS = 40
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


class PathGuard:
    """Normalises repository paths and refuses the ones the model must not read."""

    def __init__(self, deny: Iterable[str] = ()) -> None:
        self.patterns = (*DEFAULT_DENY, *deny)
        self._deny = globset(self.patterns, anywhere=True, ignore_case=True)
        self._last = last_components(self.patterns, ignore_case=True)
        self._folders: dict[str, bool] = {}

    def refuse(self, path: str, reason: str) -> PathRefusedError:
        shown = path if len(path) <= 200 else path[:200] + "..."
        return PathRefusedError(f"refused {shown!r}: {reason}")

    def normalize(self, path: str) -> str:
        """``path`` relative to the root with ``.`` and empty parts dropped; "" is the root."""
        if not isinstance(path, str):
            raise self.refuse(repr(path), "a path must be a string")
        if "\0" in path:
            raise self.refuse(path.replace("\0", "\\0"), "paths cannot contain NUL bytes")
        if path.startswith(("/", "\\", "~")) or _DRIVE.match(path):
            raise self.refuse(
                path, "absolute paths are not allowed; use a path relative to the repository root"
            )
        parts = [part for part in path.split("/") if part not in ("", ".")]
        if ".." in parts:
            raise self.refuse(path, "'..' is not allowed; use a path from the repository root")
        if any(part.lower() == ".git" for part in parts):
            raise self.refuse(path, "git's internal files (.git) are not readable")
        return "/".join(parts)

    def denied_by(self, normalized: str) -> str | None:
        """The deny pattern that covers ``normalized``, if any."""
        return self._deny.which(normalized)

    def allowed(self, normalized: str) -> bool:
        """Fast check for listings: not in ``.git`` and not denied.

        Folders are checked once each (cached); a file name is first tried against the
        patterns' last components, and only a hit there runs the full pattern.
        """
        folder, _, name = normalized.rpartition("/")
        if folder and self._folder_refused(folder):
            return False
        if name.lower() == ".git":
            return False
        if self._last is None or not self._last.fullmatch(name):
            return True
        return not self._deny.match(normalized)

    def _folder_refused(self, folder: str) -> bool:
        known = self._folders.get(folder)
        if known is None:
            # "folder/" matches a pattern exactly when everything inside the folder does.
            known = any(part.lower() == ".git" for part in folder.split("/")) or self._deny.match(
                folder + "/"
            )
            self._folders[folder] = known
        return known

    def check(self, path: str) -> str:
        """The normalised path, or ``PathRefusedError`` saying why it may not be read."""
        normalized = self.normalize(path)
        if self.allowed(normalized):
            return normalized
        pattern = self.denied_by(normalized)
        if pattern is not None:
            raise self.refuse(path, f"matches the secrets deny list ({pattern})")
        return normalized

    def resolve(self, path: str, readlink: Callable[[str], str | None]) -> str:
        """Check ``path`` and follow symlinks in it; the final path is checked again.

        ``readlink(p)`` returns the target of the symlink at repository path ``p`` (or
        ``None`` when ``p`` is not a symlink). Links are followed component by component,
        like the operating system would, but never above the repository root.
        """
        pending = self.check(path).split("/") if path.strip("/.") else []
        resolved: list[str] = []
        hops = 0
        while pending:
            part = pending.pop(0)
            target = readlink("/".join([*resolved, part]))
            if target is None:
                resolved.append(part)
                continue
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                raise self.refuse(path, "too many levels of symbolic links")
            if target.startswith("/") or _DRIVE.match(target):
                raise self.refuse(path, "it is a symlink that points outside the repository")
            stack = list(resolved)
            for step in target.split("/"):
                if step in ("", "."):
                    continue
                if step == "..":
                    if not stack:
                        raise self.refuse(
                            path, "it is a symlink that points outside the repository"
                        )
                    stack.pop()
                else:
                    stack.append(step)
            pending = stack + pending
            resolved = []
        final = "/".join(resolved)
        if final != self.normalize(path):
            try:
                self.check(final)
            except PathRefusedError as exc:
                raise self.refuse(
                    path, f"it is a symlink to a refused path ({exc.message})"
                ) from exc
        return final
