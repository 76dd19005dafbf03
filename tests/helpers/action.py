"""action.yml as tests use it: its steps, and a copy of the action folder to install from."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
# What building reviewbot from the action's folder reads (pyproject's wheel and metadata).
_SHIPPED = ("reviewbot", "prompts", "requirements", "pyproject.toml", "README.md", "action.yml")


def load_action() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(
        (ROOT / "action.yml").read_text(encoding="utf-8")
    )
    return data


def action_step(step_id: str) -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in load_action()["runs"]["steps"] if s.get("id") == step_id)
    return step


def copy_action(into: Path, *, lock: str | None = None) -> Path:
    """The action's folder as a release holds it, with `lock` as requirements/action.txt."""
    into.mkdir(parents=True)
    for name in _SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, into / name)
    if lock is not None:
        (into / "requirements" / "action.txt").write_text(lock, encoding="utf-8")
    return into


def offline_pip(wheels: Path) -> dict[str, str]:
    """pip answers from `wheels` only: no index, no user or site configuration."""
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
