"""Prompt templates: Jinja2 in a sandbox, with StrictUndefined, shipped inside the wheel.

Templates live in the top-level ``prompts/`` folder of the source tree, which the wheel
carries as ``reviewbot/prompts/``. A repository can override any template with a file of
the same name in ``.reviewbot/prompts/``, read from a commit (the reviewed one; the base
commit in pull-request reviews, so a PR cannot rewrite its own instructions), never from
the work tree.

An override is the repository's code, so it is not trusted: templates render in Jinja's
immutable sandbox (no attribute starting with ``_``, no method that changes a value, no
``range`` over 100,000), and a product of ``*`` or ``**`` over ``MAX_PRODUCT`` is refused,
so a template can neither run a command nor exhaust memory. Any template error is one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reviewbot.errors import ConfigError

MAX_PRODUCT = 1_000_000  # characters of a repeated string, or digits-ish of a power
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


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with ``*`` and ``**`` checked before they allocate."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            sizes = [len(x) if isinstance(x, str | list | tuple) else 1 for x in (left, right)]
            counts = [x if isinstance(x, int) and x > 0 else 1 for x in (left, right)]
            if max(sizes) * max(counts) > MAX_PRODUCT:
                raise jinja2.exceptions.SecurityError("a repeated value over the size limit")
        elif operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise jinja2.exceptions.SecurityError("a power over the size limit")
        return super().call_binop(context, operator, left, right)


class CommitFiles(Protocol):
    """What reading overrides needs of a ``RepoView`` pinned to a commit."""

    def tracked_files(self) -> Iterable[Any]: ...
    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]: ...


def overrides_at(view: CommitFiles) -> dict[str, str]:
    """The templates in ``.reviewbot/prompts/`` of the view's commit, by file name."""
    folder = OVERRIDE_DIR.as_posix() + "/"
    wanted = [
        e.path
        for e in view.tracked_files()
        if e.path.startswith(folder) and "/" not in e.path[len(folder) :]
    ]
    return {
        path[len(folder) :]: data.decode("utf-8", "replace")
        for path, data in view.read_many(wanted)
    }


def environment(overrides: Mapping[str, str] | None = None) -> jinja2.Environment:
    """A sandboxed environment that looks in the overrides first, then the package."""
    loaders: list[jinja2.BaseLoader] = []
    if overrides:
        loaders.append(jinja2.DictLoader(dict(overrides)))
    loaders.append(jinja2.FileSystemLoader(str(packaged_prompts_dir())))
    return _Sandbox(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # prompts are plain text for a model, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(
    name: str, variables: Mapping[str, Any], *, overrides: Mapping[str, str] | None = None
) -> str:
    """Render template ``name`` with ``variables``; any missing variable is an error, and so
    is anything the sandbox refuses."""
    env = environment(overrides)
    where = f".reviewbot/prompts/{name}" if overrides and name in overrides else name
    try:
        return env.get_template(name).render(**variables)
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"prompt template {name!r} not found") from exc
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"prompt template {where}: {exc.message}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"prompt template {where}:{exc.lineno}: {exc.message}") from exc
    except jinja2.exceptions.SecurityError as exc:
        raise ConfigError(
            f"prompt template {where} was refused by the sandbox: {exc}",
            hint="a template may only format the values it is given",
        ) from exc
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as exc:
        raise ConfigError(f"prompt template {where} failed: {type(exc).__name__}: {exc}") from exc
