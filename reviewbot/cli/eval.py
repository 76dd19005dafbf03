"""`reviewbot eval`: its flags, read into a job for the review-quality benchmark."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from reviewbot.cli.options import (
    CONTEXT,
    build_settings,
    stderr_console,
    stdout_console,
)
from reviewbot.eval.configs import CONFIGURATIONS, DEFAULT_CONFIGURATIONS
from reviewbot.llm.providers import PROVIDERS


def _default_cache() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "reviewbot" / "eval"


@click.command("eval", context_settings=CONTEXT)
@click.argument("instances", type=click.Path(dir_okay=False))
@click.option("--only", multiple=True, metavar="ID", help="Only this instance (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["revert", "mutation", "clean"]))
@click.option("--limit", type=int, metavar="N", help="At most N instances.")
@click.option(
    "--configs",
    default=",".join(DEFAULT_CONFIGURATIONS),
    show_default=True,
    help=f"Comma-separated configurations to compare ({', '.join(CONFIGURATIONS)}).",
)
@click.option(
    "--cache", type=click.Path(file_okay=False), help="Repository caches (default: ~/.cache)."
)
@click.option(
    "--workdir", type=click.Path(file_okay=False), help="Built instances and review outputs."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="reviewbot-eval.json",
    show_default=True,
    help="Scores as JSON (a Markdown table is written beside it).",
)
@click.option("--build-only", is_flag=True, help="Build the instance repositories and stop.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("--provider", type=click.Choice(sorted(PROVIDERS)), help="Provider preset.")
@click.option("--model", metavar="ID", help="Model id (default: the preset's K2 Thinking).")
@click.option("--base-url", metavar="URL", help="OpenAI-compatible API base URL.")
@click.option("--max-steps", type=int, metavar="N", help="Most model turns per review.")
@click.option("--max-cost", type=float, metavar="USD", help="Spend cap per review.")
@click.pass_context
def eval_command(ctx: click.Context, /, **params: Any) -> int:
    """Measure review quality: review benchmark INSTANCES (a JSON file, e.g.
    bench/quality/instances.json) with `reviewbot review` and score the findings.

    \b
    Each instance is built as a git repository (branches base and change) from its
    public repository, fetched once into the cache. Every review uses your provider
    settings and key, as `reviewbot review` would. See docs/quality.md.
    """
    from reviewbot.commands.eval import EvalOutputs, run
    from reviewbot.eval.configs import configurations
    from reviewbot.eval.instances import load_instances
    from reviewbot.eval.run import EvalJob

    names = [n.strip() for n in params["configs"].split(",") if n.strip()]
    model = {k: params.get(k) for k in ("provider", "model", "base_url", "max_steps", "max_cost")}
    if not params["build_only"]:
        build_settings(ctx, model).require_api_key()
    forwarded: list[str] = []
    for key, value in model.items():
        if value is not None:
            forwarded += [f"--{key.replace('_', '-')}", str(value)]
    config_file = ctx.find_root().params.get("config_file")
    if config_file:
        forwarded = ["--config", str(Path(config_file).resolve()), *forwarded]
    selected = load_instances(Path(params["instances"])).select(
        ids=params["only"], kinds=params["kinds"], limit=params.get("limit")
    )
    cache = Path(params["cache"]) if params.get("cache") else _default_cache()
    output = Path(params["output"])
    job = EvalJob(
        instances=selected,
        cache=cache / "repos",
        workdir=Path(params["workdir"]) if params.get("workdir") else cache / "work",
        configurations=configurations(names),
        review_flags=tuple(forwarded),
        environ=dict(os.environ),
    )
    outputs = EvalOutputs(
        json_path=output,
        markdown_path=output.with_suffix(".md"),
        build_only=params["build_only"],
        quiet=params["quiet"],
    )
    return run(job, outputs, out=stdout_console(), err=stderr_console())
