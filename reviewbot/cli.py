"""Command line: flags, environment and config files merged once; errors -> exit codes.

This is the only module that reads flags and ``os.environ``. Everything below it receives
a ``Settings`` object and plain values.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, get_args

import click
from rich.console import Console

from reviewbot import __version__
from reviewbot.config import FAIL_LEVELS, SEVERITIES, Settings, load_settings
from reviewbot.errors import (
    EXIT_RUNTIME,
    EXIT_USAGE,
    ReviewbotError,
    UsageError,
)
from reviewbot.eval.configs import CONFIGURATIONS, DEFAULT_CONFIGURATIONS
from reviewbot.llm.providers import PROVIDERS
from reviewbot.publish.output import Format
from reviewbot.repo.gitcmd import find_root

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def require_root() -> Path:
    root = find_root(Path.cwd())
    if root is None:
        raise UsageError(
            f"{Path.cwd()} is not inside a git repository", hint="run reviewbot in a checkout"
        )
    return root


def _relative(root: Path, path: str) -> str:
    """A path argument as a repository-relative path (it may be given from a subfolder)."""
    absolute = (Path.cwd() / path).resolve()
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"{path} is outside the repository {root}") from None


def _color_ok() -> bool:
    return "NO_COLOR" not in os.environ


def stdout_console() -> Console:
    # Off a terminal nothing is wrapped: logs and pipes get whole lines.
    return Console(no_color=not _color_ok(), highlight=False, soft_wrap=not sys.stdout.isatty())


def stderr_console() -> Console:
    return Console(stderr=True, no_color=not _color_ok(), highlight=False)


def build_settings(ctx: click.Context, flags: dict[str, Any]) -> Settings:
    """Settings for this invocation: the file, then REVIEWBOT_* env, then ``flags``."""
    config_file = ctx.find_root().params.get("config_file")
    root = find_root(Path.cwd())
    return load_settings(
        root=root,
        env=os.environ,
        flags=flags,
        config_file=Path(config_file) if config_file else None,
    )


def model_options(func: F) -> F:
    """Flags shared by every command that talks to the model."""
    decorators = [
        click.option("--provider", type=click.Choice(sorted(PROVIDERS)), help="Provider preset."),
        click.option("--model", metavar="ID", help="Model id (default: the preset's K2 Thinking)."),
        click.option("--base-url", metavar="URL", help="OpenAI-compatible API base URL."),
        click.option("--max-steps", type=int, metavar="N", help="Most model turns per review."),
        click.option("--max-cost", type=float, metavar="USD", help="Stop when spend reaches this."),
        click.option("--budget", type=int, metavar="TOKENS", help="Tokens for packed context."),
        click.option(
            "--no-verify", "no_verify", is_flag=True, default=None, help="Skip verification pass."
        ),
        click.option(
            "--show-reasoning", is_flag=True, default=None, help="Stream the model's reasoning."
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def model_flags(params: dict[str, Any]) -> dict[str, Any]:
    """Map the shared flags to settings keys (``None`` = flag not given)."""
    return {
        "provider": params.get("provider"),
        "model": params.get("model"),
        "base_url": params.get("base_url"),
        "max_steps": params.get("max_steps"),
        "max_cost": params.get("max_cost"),
        "budget": params.get("budget"),
        "verify": False if params.get("no_verify") else None,
        "show_reasoning": params.get("show_reasoning"),
    }


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="reviewbot")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Config file (default: .reviewbot.toml or [tool.reviewbot] in pyproject.toml).",
)
def cli(debug: bool, config_file: str | None) -> None:
    """reviewbot: code review by Kimi K2 Thinking, on pull requests, before you push,
    and as scheduled whole-repository audits.

    \b
    Settings come from defaults < .reviewbot.toml (or [tool.reviewbot] in pyproject.toml)
    < REVIEWBOT_* environment variables < flags. `reviewbot config` shows the result.
    Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or configuration error,
    3 runtime failure (model, git, GitHub).
    """


@cli.command(context_settings=CONTEXT)
@click.option("--base", metavar="REF", help="Review commits not on REF (default: upstream).")
@click.option("--head", metavar="REF", help="Review up to REF instead of HEAD (commits only).")
@click.option(
    "--staged", is_flag=True, help="Review the index: staged changes (vs HEAD, or --base)."
)
@click.option(
    "--uncommitted",
    is_flag=True,
    help="Review the work tree, untracked files too (vs HEAD, or --base).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(get_args(Format)),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write output to FILE.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), help="Exit 1 at this severity.")
@click.option("--dry-run", is_flag=True, help="Stop before the first model call; print plan.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask before a run over confirm_cost.")
@click.option("--transcript", type=click.Path(dir_okay=False), help="Write the transcript here.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", is_flag=True, help="One line per step and tool call.")
@click.option(
    "--pre-push",
    is_flag=True,
    help="Review the refs being pushed (git pre-push hook stdin, or pre-commit's variables).",
)
@click.option(
    "--remote", metavar="NAME", help="With --pre-push: the remote pushed to (hook argument $1)."
)
@model_options
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
def review(ctx: click.Context, /, **params: Any) -> int:
    """Review the commits on HEAD that are not on the base branch.

    The base defaults to the upstream branch's merge-base, else origin/HEAD, else
    main/master; --head reviews merge-base(base, REF)..REF instead. PATHS (after `--`)
    limit the review to those files or folders. Findings go to the terminal or to
    -o FILE; the exit code is 1 when a finding is at or above --fail-on.
    On a terminal, a run whose estimated cost is over confirm_cost asks first (-y skips).
    """
    from reviewbot.commands.review import LocalReview, run
    from reviewbot.repo import Scope

    if params["staged"] and params["uncommitted"]:
        raise UsageError("--staged and --uncommitted cannot be used together", hint="pick one")
    if params.get("head") and (params["staged"] or params["uncommitted"]):
        raise UsageError(
            "--head ends a commit range; --staged and --uncommitted end at the index or "
            "the work tree",
            hint="drop one of them",
        )
    if params["pre_push"] and (
        params.get("base") or params.get("head") or params["staged"] or params["uncommitted"]
    ):
        raise UsageError(
            "--pre-push reviews the commits being pushed",
            hint="do not combine it with --base, --head, --staged or --uncommitted",
        )
    settings = build_settings(ctx, {**model_flags(params), "fail_on": params.get("fail_on")})
    root = require_root()
    scope: Scope = (
        "staged" if params["staged"] else "worktree" if params["uncommitted"] else "commits"
    )
    # --staged / --uncommitted alone: what is not committed yet (against HEAD); with --base,
    # everything since the merge-base, the index or work tree included.
    uncommitted = params["staged"] or params["uncommitted"]
    job = LocalReview(
        root=root,
        base=params.get("base") or ("HEAD" if uncommitted else None),
        head=params.get("head"),
        scope=scope,
        paths=tuple(_relative(root, p) for p in params["paths"]),
        fmt=params["output_format"],
        output=Path(params["output"]) if params.get("output") else None,
        dry_run=params["dry_run"],
        quiet=params["quiet"],
        verbose=params["verbose"],
        transcript=Path(params["transcript"]) if params.get("transcript") else None,
        live=sys.stderr.isatty(),
    )
    asks = sys.stdin.isatty() and not params["yes"]
    confirm = (lambda q: click.confirm(q, default=False, err=True)) if asks else None
    if params["pre_push"]:
        from reviewbot.commands.hooks import PushRequest, review_push

        if sys.stdin.isatty() and "PRE_COMMIT" not in os.environ:
            raise UsageError(
                "--pre-push reads the refs being pushed from standard input",
                hint="it is run by the hook `reviewbot install-hook` writes",
            )
        request = PushRequest.from_environment(
            os.environ, remote=params.get("remote"), read_stdin=sys.stdin.read
        )
        # A hook speaks on stderr (stdout may be `git push --porcelain`'s): the report too.
        return review_push(settings, job, request, out=stderr_console(), err=stderr_console())
    if not params["dry_run"]:
        settings.require_api_key()
    return run(settings, job, out=stdout_console(), err=stderr_console(), confirm=confirm)


@cli.command(context_settings=CONTEXT)
@click.option("--base", metavar="REF", help="Pack for the change against REF.")
@click.option("--all", "pack_all", is_flag=True, help="Pack the whole repository by importance.")
@click.option("--budget", type=int, metavar="TOKENS", help="Token budget for the pack.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "markdown", "xml"]),
    default="table",
    show_default=True,
    help="table/json describe the pack; markdown/xml write the packed context.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write output to FILE.")
@click.pass_context
def pack(ctx: click.Context, /, **params: Any) -> int:
    """Show or write the context the model would see: files ranked by relevance to the
    change, chunked and fitted to the token budget."""
    from reviewbot.commands.pack import PackJob, run

    settings = build_settings(ctx, {"budget": params.get("budget")})
    job = PackJob(
        root=find_root(Path.cwd()) or Path.cwd(),
        base=params.get("base"),
        whole=params["pack_all"],
        fmt=params["output_format"],
        output=Path(params["output"]) if params.get("output") else None,
    )
    return run(settings, job, out=stdout_console())


@cli.command(context_settings=CONTEXT)
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), help="Fail the job at this severity.")
@click.option("--max-comments", type=int, metavar="N", help="Most inline comments to post.")
@click.option("--min-severity", type=click.Choice(SEVERITIES), help="Drop findings below this.")
@click.option(
    "--dry-run", is_flag=True, help="Review but post nothing; print what would be posted."
)
@model_options
@click.pass_context
def github(ctx: click.Context, /, **params: Any) -> int:
    """Review a pull request inside GitHub Actions and post one review.

    Reads GITHUB_EVENT_PATH, GITHUB_EVENT_NAME, GITHUB_REPOSITORY, GITHUB_TOKEN and
    GITHUB_API_URL; writes GITHUB_STEP_SUMMARY and GITHUB_OUTPUT.
    """
    from reviewbot.commands.github import run
    from reviewbot.github.action import GitHubRun

    flags = {
        **model_flags(params),
        "fail_on": params.get("fail_on"),
        "max_comments": params.get("max_comments"),
        "min_severity": params.get("min_severity"),
    }
    # The checkout holds the pull request's head: config files (and --config FILE) are read
    # from its base commit by `github.action`, so only the environment and flags count here.
    settings = load_settings(root=None, env=os.environ, flags=flags)
    config_file = ctx.find_root().params.get("config_file")
    job = GitHubRun(dry_run=params["dry_run"], workdir=Path.cwd(), config_path=config_file)
    return run(settings, job, dict(os.environ), out=stdout_console(), err=stderr_console())


@cli.group(context_settings=CONTEXT, invoke_without_command=True)
@click.option("--shard", metavar="I/N", help="Run the I-th of N deterministic shards (1-based).")
@click.option("--plan", is_flag=True, help="Print the audit plan without calling the model.")
@click.option("--since", metavar="REF", help="Audit only units touched since REF.")
@click.option("--issue", is_flag=True, help="Upsert one tracking issue on GitHub.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["sarif", "markdown", "json", "text"]),
    default="sarif",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write output to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", is_flag=True, help="One line per unit and step.")
@model_options
@click.pass_context
def audit(ctx: click.Context, /, **params: Any) -> int | None:
    """Audit the whole repository, ranked by risk, optionally as one shard of N.

    `reviewbot audit merge FILES... -o OUT` combines shard outputs.
    """
    if ctx.invoked_subcommand is not None:
        return None
    from reviewbot.commands.audit import AuditRun, run

    # The API key is asked for only when a unit is about to run: a --since refresh that
    # finds nothing touched, or --plan, needs none.
    settings = build_settings(ctx, model_flags(params))
    job = AuditRun(
        root=require_root(),
        shard=params.get("shard"),
        plan_only=params["plan"],
        since=params.get("since"),
        issue=params["issue"],
        fmt=params["output_format"],
        output=Path(params["output"]) if params.get("output") else None,
        quiet=params["quiet"],
        verbose=params["verbose"],
        live=sys.stderr.isatty(),
    )
    return run(settings, job, dict(os.environ), out=stdout_console(), err=stderr_console())


@audit.command("merge", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["sarif", "markdown", "json"]),
    help="Output format (default: from the -o suffix, else json).",
)
@click.option("--issue", is_flag=True, help="Upsert the tracking issue from the merged result.")
def audit_merge(files: tuple[str, ...], output: str, output_format: str | None, issue: bool) -> int:
    """Combine the outputs of sharded audits into one, deduplicated by fingerprint."""
    from reviewbot.commands.audit import merge

    return merge(
        [Path(f) for f in files],
        Path(output),
        output_format,
        issue=issue,
        environ=dict(os.environ),
        out=stderr_console(),
    )


def _default_cache() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "reviewbot" / "eval"


@cli.command("eval", context_settings=CONTEXT)
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
    from reviewbot.eval.command import EvalOutputs, run
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


@cli.command("install-hook", context_settings=CONTEXT)
@click.option("--force", is_flag=True, help="Replace an existing hook (kept as a backup).")
@click.option("--uninstall", is_flag=True, help="Remove the hook and restore the previous one.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), help="Block the push at this severity.")
def install_hook(force: bool, uninstall: bool, fail_on: str | None) -> int:
    """Install a git pre-push hook that reviews the commits being pushed.

    The hook blocks the push when a finding is at or above --fail-on (default: critical).
    Bypass it once with `git push --no-verify` or REVIEWBOT_SKIP=1.
    """
    from reviewbot.commands.hooks import install
    from reviewbot.commands.hooks import uninstall as remove

    root = require_root()
    if uninstall:
        return remove(root, out=stdout_console())
    return install(root, force=force, fail_on=fail_on or "critical", out=stdout_console())


@cli.group(context_settings=CONTEXT)
@click.option(
    "--repo", metavar="OWNER/NAME", help="Repository (default: GITHUB_REPOSITORY, origin)."
)
@click.pass_context
def learnings(ctx: click.Context, repo: str | None) -> None:
    """What maintainers taught reviewbot: the rules in the repository's learnings issue.

    Needs GITHUB_TOKEN (or GH_TOKEN); GITHUB_API_URL for GitHub Enterprise.
    """
    from reviewbot.commands.learnings import repository

    ctx.obj = repository(repo, os.environ, find_root(Path.cwd()))


@learnings.command("list", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def learnings_list(ctx: click.Context, as_json: bool) -> int:
    """List the learnings (and any row that cannot be read)."""
    from reviewbot.commands.learnings import list_learnings

    return list_learnings(ctx.obj, dict(os.environ), out=stdout_console(), as_json=as_json)


@learnings.command("forget", context_settings=CONTEXT)
@click.argument("ident", metavar="ID")
@click.pass_context
def learnings_forget(ctx: click.Context, ident: str) -> int:
    """Remove learning ID (e.g. L3); its feedback will not teach it again."""
    from reviewbot.commands.learnings import forget

    return forget(ctx.obj, ident, dict(os.environ), out=stdout_console())


@cli.command("config", context_settings=CONTEXT)
@click.pass_context
def config_command(ctx: click.Context) -> int:
    """Print the effective settings and where each value came from (keys masked)."""
    from reviewbot.commands.config import run

    return run(build_settings(ctx, {}), out=stdout_console())


def _wants_debug(argv: Sequence[str]) -> bool:
    return "--debug" in argv or os.environ.get("REVIEWBOT_DEBUG", "") not in ("", "0")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the command and turn every failure into one line and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = _wants_debug(args)
    try:
        result = cli.main(args=args, prog_name="reviewbot", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("reviewbot: aborted", err=True)
        return 130
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "reviewbot"
        message = " ".join(exc.format_message().split())
        click.echo(f"reviewbot: {message} (see `{where} --help`)", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        click.echo(f"reviewbot: {' '.join(exc.format_message().split())}", err=True)
        return EXIT_USAGE
    except ReviewbotError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"reviewbot: {exc.one_line()}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("reviewbot: interrupted", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, never a traceback
        if debug:
            traceback.print_exc()
        click.echo(
            f"reviewbot: internal error: {type(exc).__name__}: {exc}; "
            "rerun with --debug and report it",
            err=True,
        )
        return EXIT_RUNTIME
    return result if isinstance(result, int) else 0
