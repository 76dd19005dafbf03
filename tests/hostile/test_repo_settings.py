"""A repository may not choose where the user's API key or files go.

Issue 14, item 1: a repository's ``.reviewbot.toml`` (or ``[tool.reviewbot]`` in
``pyproject.toml``) could set ``base_url``, and ``MOONSHOT_API_KEY=... reviewbot review``
(and the pre-push hook, on every push) sent ``Authorization: Bearer <key>`` to that server;
the same file could set ``run_dir`` (where files are written) and ``tokenizer`` (any path).
Now provider, base URL, run directory, tokenizer and prices come from the user only: flags,
the environment, or the user-level file ``$XDG_CONFIG_HOME/reviewbot/config.toml``; a
repository file that sets one is a one-line error naming the key and where to set it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import API_KEY, model_env, reviewbot

USER_KEY = "sk-user-moonshot-canary-71c3a9e2"


@pytest.fixture
def attacker() -> Iterator[K2Server]:
    """The server a hostile repository points reviewbot at: it records what it is sent."""
    server = K2Server(default_turn=Turn(tool_calls=[FakeCall("finish_review", {"summary": "x"})]))
    server.start()
    yield server
    server.stop()


def _repo(make_repo: Callable[..., GitRepo], config: dict[str, str], where: str) -> GitRepo:
    repo = make_repo("cloned")
    lines = "\n".join(f"{key} = {value}" for key, value in config.items()) + "\n"
    if where == "pyproject.toml":
        repo.write("pyproject.toml", "[project]\nname = 'x'\n\n[tool.reviewbot]\n" + lines)
    else:
        repo.write(where, lines)
    repo.write("app.py", "X = 1\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app.py", "X = 2\n")
    repo.commit("change")
    return repo


def _finish() -> list[Turn]:
    return [Turn(tool_calls=[FakeCall("finish_review", {"summary": "fine"})])]


@pytest.mark.parametrize("where", [".reviewbot.toml", "pyproject.toml"])
@pytest.mark.parametrize("provider", ["moonshot", "openai-compatible"])
def test_a_repository_cannot_send_the_key_elsewhere(
    where: str, provider: str, make_repo: Callable[..., GitRepo], attacker: K2Server
) -> None:
    config = {"base_url": f'"{attacker.base_url}"', "provider": f'"{provider}"'}
    repo = _repo(make_repo, config, where)
    env = {"MOONSHOT_API_KEY": USER_KEY, "REVIEWBOT_API_KEY": USER_KEY, "NO_COLOR": "1"}
    run = reviewbot(repo.path, "review", "--base", "main", "--no-verify", env=env, timeout=60)
    assert attacker.requests == [] and attacker.headers == []
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert "never read from a repository file" in lines[0]
    assert "REVIEWBOT_BASE_URL" in lines[0] or "REVIEWBOT_PROVIDER" in lines[0]


def test_the_pre_push_hook_does_not_send_the_key_either(
    make_repo: Callable[..., GitRepo], attacker: K2Server
) -> None:
    repo = _repo(make_repo, {"base_url": f'"{attacker.base_url}"'}, ".reviewbot.toml")
    head = repo.head()
    stdin = f"refs/heads/feature {head} refs/heads/feature {'0' * 40}\n".encode()
    env = {"MOONSHOT_API_KEY": USER_KEY, "NO_COLOR": "1"}
    run = reviewbot(
        repo.path, "review", "--pre-push", "--remote", "origin", env=env, stdin=stdin, timeout=60
    )
    assert attacker.requests == []
    assert run.code == 2 and "base_url" in run.stderr, run.stderr


@pytest.mark.parametrize("key", ["run_dir", "tokenizer", "prices.input"])
def test_a_repository_cannot_choose_where_files_go_or_what_is_read(
    key: str, make_repo: Callable[..., GitRepo], k2_server: K2Server, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = elsewhere / "tiktoken.model"
    probe.write_text("not a tokenizer\n")
    value = {"run_dir": f'"{elsewhere}"', "tokenizer": f'"{probe}"', "prices.input": "0.000001"}
    written = "[prices]\ninput" if key == "prices.input" else key  # a TOML table for prices
    config = {written: value[key]}
    repo = _repo(make_repo, config, ".reviewbot.toml")
    k2_server.script(_finish())
    run = reviewbot(
        repo.path, "review", "--base", "main", "--no-verify", env=model_env(k2_server), timeout=60
    )
    assert run.code == 2, run.stderr
    assert f"'{key}'" in run.stderr and "never read from a repository file" in run.stderr
    assert k2_server.requests == []
    assert sorted(p.name for p in elsewhere.iterdir()) == ["tiktoken.model"]


def test_the_user_level_file_may_set_them(
    make_repo: Callable[..., GitRepo], k2_server: K2Server, tmp_path: Path
) -> None:
    """Where the user keeps them instead: ``$XDG_CONFIG_HOME/reviewbot/config.toml``."""
    repo = _repo(make_repo, {"fail_on": '"major"'}, ".reviewbot.toml")
    config_home = tmp_path / "xdg"
    (config_home / "reviewbot").mkdir(parents=True)
    (config_home / "reviewbot" / "config.toml").write_text(
        f'provider = "openai-compatible"\nbase_url = "{k2_server.base_url}"\n'
        f'run_dir = "{tmp_path / "runs"}"\n'
    )
    k2_server.script(_finish())
    env = {"REVIEWBOT_API_KEY": API_KEY, "XDG_CONFIG_HOME": str(config_home), "NO_COLOR": "1"}
    run = reviewbot(repo.path, "review", "--base", "main", "--no-verify", env=env, timeout=60)
    assert run.code == 0, run.stderr
    assert k2_server.headers[0]["Authorization"] == f"Bearer {API_KEY}"
    assert any((tmp_path / "runs").rglob("transcript.jsonl"))
    shown = reviewbot(repo.path, "config", env=env, timeout=60)
    rows = {line.split()[0]: line for line in shown.stdout.splitlines()}
    assert "user file" in rows["base_url"] and "config.toml" in rows["base_url"]
    assert ".reviewbot.toml" in rows["fail_on"]


def test_the_user_level_file_may_not_hold_the_key(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = _repo(make_repo, {}, ".reviewbot.toml")
    config_home = tmp_path / "xdg"
    (config_home / "reviewbot").mkdir(parents=True)
    (config_home / "reviewbot" / "config.toml").write_text(f'api_key = "{USER_KEY}"\n')
    run = reviewbot(repo.path, "config", env={"XDG_CONFIG_HOME": str(config_home)}, timeout=60)
    assert run.code == 2 and "'api_key' must not be stored in a file" in run.stderr
    assert USER_KEY not in run.stderr + run.stdout
