"""A clone whose ``.git/config`` (or ``.gitattributes``) names programs for git to run: an
fsmonitor, clean and smudge filters, a textconv and an external diff driver, hooks. No git
process reviewbot starts may run any of them, and none may see the user's secrets: git
gets a minimal environment (no API key, no GITHUB_TOKEN).

Issue 14, item 7: git ran without ``core.fsmonitor=false``, ``core.hooksPath=/dev/null``,
``--no-textconv``, ``--no-ext-diff`` and inherited the whole environment: a hostile
``.git/config`` ran its fsmonitor, clean filter and hooks during ``--uncommitted`` and
``search_code``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import model_env, reviewbot

SECRETS = {
    "MOONSHOT_API_KEY": "sk-moonshot-canary-5b1f0e",
    "GITHUB_TOKEN": "ghs_canary_token_8d2c4a",
    "AWS_SECRET_ACCESS_KEY": "aws-canary-secret-93e1",
}
PROGRAMS = ("fsmonitor", "clean", "smudge", "process", "textconv", "external", "hook")
HOOKS = ("post-index-change", "pre-commit", "post-checkout", "reference-transaction")


def _program(folder: Path, ran: Path, name: str) -> str:
    """A script that records that it ran (with its environment), then acts like a filter."""
    script = folder / f"{name}.sh"
    script.write_text(f'#!/bin/sh\nenv > "{ran}/{name}-$$"\ncat\n')
    script.chmod(0o755)
    return str(script)


@pytest.fixture
def hostile_clone(make_repo: Callable[..., GitRepo], tmp_path: Path) -> tuple[GitRepo, Path]:
    ran = tmp_path / "ran"
    ran.mkdir()
    bin_dir = tmp_path / "programs"
    bin_dir.mkdir()
    repo = make_repo("clone")
    repo.write("app/a.py", "def f():\n    return 1\n")
    repo.write(".gitattributes", "* filter=evil diff=evil\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app/a.py", "def f():\n    return 2\n")
    repo.commit("change")
    repo.write("app/a.py", "def f():\n    return 3\n")  # uncommitted
    repo.write("app/new.py", "X = 1\n")  # untracked
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in HOOKS:
        (hooks / hook).write_text(f'#!/bin/sh\nenv > "{ran}/hook-{hook}-$$"\n')
        (hooks / hook).chmod(0o755)
    with repo.repo.config_writer() as cfg:
        cfg.set_value("core", "fsmonitor", _program(bin_dir, ran, "fsmonitor"))
        cfg.set_value("core", "hooksPath", str(hooks))
        cfg.set_value("filter.evil", "clean", _program(bin_dir, ran, "clean"))
        cfg.set_value("filter.evil", "smudge", _program(bin_dir, ran, "smudge"))
        cfg.set_value("filter.evil", "required", "true")
        cfg.set_value("diff.evil", "textconv", _program(bin_dir, ran, "textconv"))
        cfg.set_value("diff", "external", _program(bin_dir, ran, "external"))
    # Stat information that forces git to look at the files again (and so to filter them).
    os.utime(repo.path / "app/a.py", (1, 1))
    return repo, ran


def _git_spy(tmp_path: Path) -> tuple[Path, Path]:
    """A `git` first on PATH that records each call's environment and runs the real git."""
    shims, seen = tmp_path / "shims", tmp_path / "git-envs"
    shims.mkdir()
    seen.mkdir()
    real = next(
        str(Path(d) / "git")
        for d in os.environ["PATH"].split(os.pathsep)
        if d and (Path(d) / "git").is_file()
    )
    (shims / "git").write_text(
        f'#!/bin/sh\n{{ echo "ARGS: $*"; env; }} > "{seen}/$$"\nexec "{real}" "$@"\n'
    )
    (shims / "git").chmod(0o755)
    return shims, seen


def _script() -> list[Turn]:
    calls = [
        FakeCall("search_code", {"pattern": "return"}),
        FakeCall("read_file", {"path": "app/a.py"}),
        FakeCall("read_file", {"path": "app/new.py"}),
        FakeCall("git_log", {"path": "app/a.py"}),
        FakeCall("list_files", {}),
    ]
    return [
        Turn(tool_calls=calls),
        Turn(tool_calls=[FakeCall("finish_review", {"summary": "done"})]),
    ]


COMMANDS = {
    "review --uncommitted": ["review", "--uncommitted", "--no-verify"],
    "review --staged": ["review", "--staged", "--no-verify"],
    "review --base main": ["review", "--base", "main", "--no-verify"],
    "review --dry-run": ["review", "--uncommitted", "--dry-run"],
    "pack": ["pack", "--all"],
    "audit --plan": ["audit", "--plan"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_hostile_git_config_runs_nothing_and_git_sees_no_secret(
    command: str, hostile_clone: tuple[GitRepo, Path], k2_server: K2Server, tmp_path: Path
) -> None:
    repo, ran = hostile_clone
    shims, seen = _git_spy(tmp_path)
    k2_server.script(_script())
    env = model_env(k2_server, **SECRETS)
    env["PATH"] = f"{shims}{os.pathsep}{os.environ['PATH']}"
    run = reviewbot(repo.path, *COMMANDS[command], env=env, timeout=120)
    assert "Traceback" not in run.stderr
    assert run.code in (0, 1), run.stderr
    assert sorted(p.name.rsplit("-", 1)[0] for p in ran.iterdir()) == []
    # GitPython runs `git version` when it is imported (no repository, nothing configured
    # runs); every git command on the repository is reviewbot's own.
    calls = [c for c in seen.iterdir() if not c.read_text().startswith("ARGS: version\n")]
    assert calls, "the spy saw no git call"
    secret_values = [*SECRETS.values(), env["REVIEWBOT_API_KEY"]]
    leaked = {
        call.name: [v for v in secret_values if v in call.read_text()]
        for call in calls
        if any(v in call.read_text() for v in secret_values)
    }
    assert leaked == {}, [(seen / name).read_text().splitlines()[0] for name in leaked]
