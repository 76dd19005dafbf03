"""Prompt templates: Jinja2 with StrictUndefined, shipped inside the wheel.

Templates live in the top-level ``prompts/`` folder of the source tree, which the wheel
carries as ``reviewbot/prompts/``. A repository can override any template by placing a
file of the same name in ``.reviewbot/prompts/`` at its root (read from the base branch
in pull-request reviews, so a PR cannot rewrite its own instructions).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from reviewbot.errors import ConfigError

OVERRIDE_DIR = Path(".reviewbot") / "prompts"


def packaged_prompts_dir() -> Path:
    """The folder of the templates that ship with reviewbot."""
    here = Path(__file__).resolve().parent
    installed = here / "prompts"  # inside an installed wheel
    if installed.is_dir():
        return installed
    source = here.parent / "prompts"  # a source checkout or an editable install
    if source.is_dir():
        return source
    raise ConfigError(
        "reviewbot's prompt templates are missing from the installation",
        hint="reinstall reviewbot (pip install --force-reinstall reviewbot)",
    )


def template_names() -> list[str]:
    return sorted(p.name for p in packaged_prompts_dir().glob("*.j2"))


def environment(override_root: Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment that looks in the repo's overrides first, then the package."""
    search = []
    if override_root is not None and (override_root / OVERRIDE_DIR).is_dir():
        search.append(str(override_root / OVERRIDE_DIR))
    search.append(str(packaged_prompts_dir()))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - prompts are plain text for a model, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, variables: Mapping[str, Any], *, override_root: Path | None = None) -> str:
    """Render template ``name`` with ``variables``; any missing variable is an error."""
    env = environment(override_root)
    try:
        return env.get_template(name).render(**variables)
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"prompt template {name!r} not found") from exc
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"prompt template {name!r}: {exc.message}") from exc
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or name
        raise ConfigError(f"prompt template {where}:{exc.lineno}: {exc.message}") from exc
