"""Layered settings: defaults < file < environment < flags, validated with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewbot.commands.config import mask
from reviewbot.config import OPTIONS, Settings, load_settings
from reviewbot.errors import ConfigError, MissingApiKeyError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_source(tmp_path: Path) -> None:
    s = load_settings(root=tmp_path, env={})
    assert s == Settings()
    assert s.effective_model == "kimi-k2-thinking"
    assert s.effective_base_url == "https://api.moonshot.ai/v1"
    assert s.pack_budget == 262144 - 32768 - 81920
    assert set(s.sources.values()) == {"default"}


def test_precedence_flag_over_env_over_file(tmp_path: Path) -> None:
    write(tmp_path / ".reviewbot.toml", "max_steps = 10\nmax_cost = 1.5\nmodel = 'file-model'\n")
    env = {"REVIEWBOT_MAX_STEPS": "20", "REVIEWBOT_MAX_COST": "3"}
    s = load_settings(root=tmp_path, env=env, flags={"max_steps": 30, "max_cost": None})
    assert (s.max_steps, s.max_cost, s.model) == (30, 3.0, "file-model")
    assert s.sources["max_steps"] == "flag --max-steps"
    assert s.sources["max_cost"] == "env REVIEWBOT_MAX_COST"
    assert s.sources["model"] == "file .reviewbot.toml"


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname='x'\n[tool.reviewbot]\nfail_on = 'major'\n")
    assert load_settings(root=tmp_path, env={}).fail_on == "major"


def test_reviewbot_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.reviewbot]\nfail_on = 'major'\n")
    write(tmp_path / ".reviewbot.toml", "fail_on = 'minor'\n")
    assert load_settings(root=tmp_path, env={}).fail_on == "minor"


def test_sections_and_maps(tmp_path: Path) -> None:
    write(
        tmp_path / ".reviewbot.toml",
        "[audit]\nexclude = ['vendor/**']\n[github]\nlinks = 'drop'\n"
        "[path_instructions]\n'src/**/*.py' = 'check typing'\n",
    )
    s = load_settings(root=tmp_path, env={})
    assert s.audit_exclude == ["vendor/**"]
    assert s.github_links == "drop"
    assert s.path_instructions == {"src/**/*.py": "check typing"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_steps = 0\n", "key 'max_steps' must be an integer >= 1, got 0"),
        ("verify = 'yes'\n", "key 'verify' must be true or false, got str"),
        ("fail_on = 'huge'\n", "key 'fail_on' must be one of 'critical', 'major'"),
        ("exclude = 'x'\n", "key 'exclude' must be a list of strings, got str"),
        ("exclude = [1]\n", "key 'exclude' must be a list of strings, got list"),
        ("[audit]\nincludes = []\n", "unknown key 'audit.includes'"),
        ("api_key = 'sk-123'\n", "'api_key' must not be stored in a file"),
    ],
)
def test_bad_file_values_name_file_key_and_allowed(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / ".reviewbot.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(root=tmp_path, env={})
    line = info.value.one_line()
    assert message in line
    assert ".reviewbot.toml" in line
    assert "\n" not in line


def test_bad_env_value_names_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REVIEWBOT_MAX_STEPS must be an integer"):
        load_settings(root=tmp_path, env={"REVIEWBOT_MAX_STEPS": "lots"})


def test_env_lists_and_bools(tmp_path: Path) -> None:
    env = {"REVIEWBOT_EXCLUDE": "a/**, b.py", "REVIEWBOT_VERIFY": "off"}
    s = load_settings(root=tmp_path, env=env)
    assert s.exclude == ["a/**", "b.py"]
    assert s.verify is False


def test_api_key_from_provider_variable_and_override(tmp_path: Path) -> None:
    env = {"OPENROUTER_API_KEY": "or-key", "MOONSHOT_API_KEY": "ms-key"}
    s = load_settings(root=tmp_path, env=env, flags={"provider": "openrouter"})
    assert s.api_key == "or-key"
    assert s.sources["api_key"] == "env OPENROUTER_API_KEY"
    env["REVIEWBOT_API_KEY"] = "generic"
    assert load_settings(root=tmp_path, env=env).api_key == "generic"


def test_missing_key_message_names_variables(tmp_path: Path) -> None:
    s = load_settings(root=tmp_path, env={}, flags={"provider": "inference-sh"})
    with pytest.raises(MissingApiKeyError, match="INFERENCE_API_KEY or REVIEWBOT_API_KEY"):
        s.require_api_key()


def test_openai_compatible_needs_a_base_url(tmp_path: Path) -> None:
    s = load_settings(root=tmp_path, env={"REVIEWBOT_PROVIDER": "openai-compatible"})
    with pytest.raises(ConfigError, match="REVIEWBOT_BASE_URL"):
        s.require_base_url()


def test_explicit_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(root=tmp_path, env={}, config_file=tmp_path / "nope.toml")


def test_every_option_has_help_and_env_name() -> None:
    for key, option in OPTIONS.items():
        assert option.help
        assert option.env == "REVIEWBOT_" + key.replace(".", "_").upper()


@given(st.text(min_size=1, max_size=80))
def test_mask_never_reveals_more_than_two_characters(secret: str) -> None:
    shown = mask(secret)
    assert shown.startswith("****")
    if len(secret) >= 4:
        assert secret not in shown
