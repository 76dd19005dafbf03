"""Finding and reading a repository's config file: ``.reviewbot.toml``, else the
``[tool.reviewbot]`` table of ``pyproject.toml``. A file that cannot be read or parsed is a
one-line ``ConfigError`` naming it."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from reviewbot.errors import ConfigError


def find_config_file(root: Path | None) -> tuple[Path, dict[str, Any]] | None:
    """The config file that applies under ``root`` and its reviewbot table, if any."""
    if root is None:
        return None
    own = root / ".reviewbot.toml"
    if own.is_file():
        return own, read_toml(own)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = read_toml(pyproject).get("tool", {}).get("reviewbot")
        if isinstance(table, dict):
            return pyproject, table
    return None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", hint="fix the syntax") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
