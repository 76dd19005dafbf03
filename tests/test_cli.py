"""The command line as a user meets it: help, version, errors as one line and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewbot import __version__
from reviewbot.cli import main
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import reviewbot


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"reviewbot, version {__version__}"


def test_help_lists_every_contract_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("review", "pack", "github", "audit", "install-hook", "config"):
        assert f"  {command} " in out


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["review"], "--fail-on"),
        (["pack"], "--format"),
        (["github"], "GITHUB_EVENT_PATH"),
        (["audit"], "--shard"),
        (["audit", "merge"], "Combine the outputs"),
        (["install-hook"], "--uninstall"),
        (["config"], "where each value came from"),
    ],
)
def test_each_command_has_help(
    capsys: pytest.CaptureFixture[str], command: list[str], expected: str
) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert expected in " ".join(out.split())


def test_unknown_flag_is_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "review", "--no-such-flag")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "No such option '--no-such-flag'" in err
    assert "reviewbot review --help" in err


def test_unknown_command_is_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "reveiw")
    assert code == 2
    assert err.count("\n") == 1
    assert "reveiw" in err


def test_missing_api_key_is_one_line_and_names_the_variable(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.path)
    code, _, err = run(capsys, "review")
    assert code == 2
    assert err.count("\n") == 1
    assert "no API key for provider 'moonshot'" in err
    assert "MOONSHOT_API_KEY" in err


def test_missing_key_names_the_chosen_providers_variable(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.path)
    code, _, err = run(capsys, "review", "--provider", "openrouter")
    assert code == 2
    assert "OPENROUTER_API_KEY" in err


def test_bad_config_file_is_one_line_naming_file_key_and_allowed(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write(".reviewbot.toml", "max_stepz = 3\n")
    monkeypatch.chdir(repo.path)
    code, _, err = run(capsys, "config")
    assert code == 2
    assert err.count("\n") == 1
    assert ".reviewbot.toml" in err
    assert "unknown key 'max_stepz'" in err
    assert "did you mean 'max_steps'?" in err


def test_wrong_type_in_config_names_what_is_allowed(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write(".reviewbot.toml", 'max_steps = "many"\n')
    monkeypatch.chdir(repo.path)
    code, _, err = run(capsys, "config")
    assert code == 2
    assert "key 'max_steps' must be an integer >= 1, got str" in err


def test_invalid_toml_is_a_config_error(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write(".reviewbot.toml", "max_steps = [\n")
    monkeypatch.chdir(repo.path)
    code, _, err = run(capsys, "config")
    assert code == 2
    assert "not valid TOML" in err
    assert err.count("\n") == 1


def test_later_capabilities_fail_cleanly(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.path)
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-test-0123456789")
    repo.write(".git/hooks/pre-push", "#!/bin/sh\nexit 0\n")  # not ours: refused
    code, _, err = run(capsys, "install-hook")
    assert code == 2
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_config_shows_sources_and_masks_keys(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write(".reviewbot.toml", "max_steps = 40\n[audit]\ninclude = ['src/**']\n")
    monkeypatch.chdir(repo.path)
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-secret-value-0123456789")
    monkeypatch.setenv("REVIEWBOT_MAX_COST", "0.5")
    code, out, _ = run(capsys, "--config", ".reviewbot.toml", "config")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert rows["max_steps"].split()[1:] == ["40", "file", ".reviewbot.toml"]
    assert rows["max_cost"].split()[1:] == ["0.5", "env", "REVIEWBOT_MAX_COST"]
    assert rows["audit.include"].split()[-2:] == ["file", ".reviewbot.toml"]
    assert "env MOONSHOT_API_KEY" in rows["api_key"]
    assert "sk-secret" not in out
    assert "0123456789" not in out


def test_debug_shows_traceback_only_when_asked(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write(".reviewbot.toml", "nope = 1\n")
    monkeypatch.chdir(repo.path)
    _, _, quiet = run(capsys, "config")
    _, _, loud = run(capsys, "--debug", "config")
    assert "Traceback" not in quiet
    assert "Traceback" in loud


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    done = reviewbot(tmp_path, "--version")
    assert done.code == 0
    assert __version__ in done.stdout


def test_readme_documents_every_setting() -> None:
    from reviewbot.config import OPTIONS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- config-table:start -->")[1].split("<!-- config-table:end -->")[0]
    for key, option in OPTIONS.items():
        assert f"| `{key}` | `{option.env}` |" in table, key


def test_readme_workflows_are_the_checked_ones() -> None:
    """The workflows shown in the README are the files CI checks with zizmor and the schemas."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    pull_request = (root / "docs" / "workflows" / "reviewbot.yml").read_text(encoding="utf-8")
    assert pull_request.strip() in readme
    audit = (root / "docs" / "audit.md").read_text(encoding="utf-8")
    scheduled = audit.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert scheduled.strip() in readme
