"""One settings object, built once from defaults < user file < repository file <
environment < flags.

The user file is ``$XDG_CONFIG_HOME/reviewbot/config.toml`` (``~/.config/...`` without
XDG_CONFIG_HOME). The repository file is `.reviewbot.toml` at the repository root, or
`[tool.reviewbot]` in `pyproject.toml` (or ``--config FILE``, which takes its place).

A repository is not trusted to choose where the user's key or files go: the settings
marked ``user_only`` (provider, base URL, run directory, tokenizer, prices) come from the
user file, the environment or flags, and a repository file that sets one is an error. The
API key comes from the environment or a flag only, never from any file.

Keys are the field names below; dotted names (`audit.include`) are
written as TOML tables (`[audit] include = [...]`). Environment variables are
`REVIEWBOT_` + the key upper-cased with dots as underscores (`REVIEWBOT_AUDIT_INCLUDE`);
lists in the environment are comma-separated. This module never reads `os.environ`
itself: ``cli`` passes the environment in.
"""

from __future__ import annotations

import dataclasses
import difflib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from reviewbot.config_file import find_config_file, read_toml
from reviewbot.config_values import BadValue, Option, coerce, describe
from reviewbot.errors import ConfigError, MissingApiKeyError
from reviewbot.llm.providers import PROVIDERS, Provider
from reviewbot.review.sanitize import secret_values

SEVERITIES = ("critical", "major", "minor", "nit")
FAIL_LEVELS = (*SEVERITIES, "none")
LINK_POLICIES = ("keep", "defang", "drop")
REASONING_EFFORTS = ("", "low", "medium", "high")
# Headroom for the conversation beside the packed context (measured by bench/headroom.py,
# documented in docs/model-contract.md): a review of REVIEW_TURNS turns, each keeping about
# GROWTH_PER_TURN tokens (its reasoning, sent back every turn, and a median tool output).
REVIEW_TURNS = 20
GROWTH_PER_TURN = 4_096
DIAGRAM_POLICIES = ("auto", "never")


def _opt(default: Any, help: str, **meta: Any) -> Any:
    if isinstance(default, list | dict):
        return field(
            default_factory=lambda: type(default)(default), metadata={"help": help, **meta}
        )
    return field(default=default, metadata={"help": help, **meta})


@dataclass(frozen=True)
class Settings:
    # Model
    provider: str = _opt(
        "moonshot", "model provider preset", choices=tuple(PROVIDERS), user_only=True
    )
    base_url: str = _opt("", "API base URL (empty: the provider's)", user_only=True)
    model: str = _opt("", "model id (empty: the provider's K2 Thinking id)")
    api_key: str = _opt("", "API key (environment or flag only)", secret=True, in_file=False)
    max_tokens: int = _opt(32768, "output tokens per call, reasoning included", minimum=1024)
    temperature: float = _opt(1.0, "sampling temperature (1.0 recommended for K2 Thinking)")
    reasoning_effort: str = _opt(
        "", "reasoning effort (empty: the provider's, inference.sh high)", choices=REASONING_EFFORTS
    )
    reasoning_max_tokens: int = _opt(
        0, "reasoning token budget, OpenRouter and inference.sh (0: by effort)", minimum=0
    )
    reasoning_exclude: bool = _opt(
        False, "ask OpenRouter / inference.sh to think without returning the reasoning"
    )
    idle_timeout: float = _opt(180.0, "seconds without a streamed byte before retrying", minimum=1)
    max_retry_seconds: float = _opt(300.0, "total seconds spent retrying one call", minimum=0)
    # Agent limits
    max_steps: int = _opt(150, "model turns per review", minimum=1)
    max_cost: float = _opt(2.0, "USD cap per run (0: no cap)", minimum=0)
    max_seconds: int = _opt(1800, "wall-clock seconds per run", minimum=1)
    tool_timeout: float = _opt(
        60.0, "seconds one tool call may take (the model is told)", minimum=1
    )
    verify: bool = _opt(True, "re-examine each finding before keeping it")
    show_reasoning: bool = _opt(False, "stream the model's reasoning to the terminal")
    # Context packing
    context_window: int = _opt(262144, "model context window in tokens", minimum=4096)
    output_reserve: int = _opt(32768, "tokens kept free for the reply", minimum=0)
    tool_reserve: int = _opt(
        REVIEW_TURNS * GROWTH_PER_TURN,
        "tokens kept free for the conversation: kept reasoning and tool results",
        minimum=0,
    )
    budget: int = _opt(0, "tokens for the packed context (0: window minus reserves)", minimum=0)
    tokenizer: str = _opt(
        "", "path to Kimi's tiktoken.model (empty: o200k_base stand-in)", user_only=True
    )
    max_file_bytes: int = _opt(1_000_000, "files larger than this are not packed", minimum=1)
    max_diff_bytes: int = _opt(
        32 << 20, "a local diff larger than this is refused, not read", minimum=1024
    )
    exclude: list[str] = _opt([], "globs never packed or read")
    deny_paths: list[str] = _opt([], "extra globs the model may never read (secrets)")
    # Review output
    instructions: str = _opt("", "extra review instructions for the model")
    path_instructions: dict[str, str] = _opt({}, "glob -> instructions for matching files")
    fail_on: str = _opt("critical", "exit 1 when a finding is at least this", choices=FAIL_LEVELS)
    min_severity: str = _opt("nit", "drop findings below this", choices=SEVERITIES)
    inline_min_severity: str = _opt(
        "minor", "post findings below this in the summary, not on lines", choices=SEVERITIES
    )
    max_comments: int = _opt(10, "most findings published per run", minimum=0)
    confirm_cost: float = _opt(1.0, "ask on a terminal when the estimate exceeds USD", minimum=0)
    walkthrough: bool = _opt(True, "add a walkthrough (changed files by purpose) to the summary")
    diagram: str = _opt(
        "auto", "walkthrough diagram of the changed call paths", choices=DIAGRAM_POLICIES
    )
    learnings: bool = _opt(True, "learn from maintainers' rejections and apply the learnings")
    run_dir: str = _opt(
        "", "where transcripts and findings are saved (empty: .git/reviewbot)", user_only=True
    )
    # Prices per 1M tokens (0: the built-in table for the model)
    prices_input: float = _opt(0.0, "USD per 1M uncached input tokens", minimum=0, user_only=True)
    prices_cached_input: float = _opt(
        0.0, "USD per 1M cached input tokens", minimum=0, user_only=True
    )
    prices_output: float = _opt(0.0, "USD per 1M output tokens", minimum=0, user_only=True)
    # GitHub
    github_resolve_outdated: bool = _opt(True, "resolve threads of findings that are gone")
    github_links: str = _opt("defang", "links to foreign hosts in comments", choices=LINK_POLICIES)
    github_mention: str = _opt(
        "@reviewbot",
        "the mention that asks reviewbot a question (workflow setting: its `if:` tests it too)",
        in_file=False,
    )
    github_answer_max_cost: float = _opt(0.25, "USD cap per answer to a question", minimum=0)
    github_answer_max_steps: int = _opt(12, "model turns per answer to a question", minimum=1)
    # Audit
    audit_include: list[str] = _opt([], "globs an audit covers (empty: everything)")
    audit_exclude: list[str] = _opt([], "globs an audit skips")

    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    # Values that must never appear in anything reviewbot writes: the API key and the
    # environment variables named like secrets (see ``secret_values``).
    known_secrets: tuple[str, ...] = field(default=(), compare=False, repr=False)

    # Derived values -------------------------------------------------------------------
    @property
    def preset(self) -> Provider:
        return PROVIDERS[self.provider]

    @property
    def effective_base_url(self) -> str:
        return self.base_url or self.preset.base_url

    @property
    def effective_model(self) -> str:
        return self.model or self.preset.model

    @property
    def pack_budget(self) -> int:
        auto = self.context_window - self.output_reserve - self.tool_reserve
        return self.budget or max(auto, 0)

    def require_api_key(self) -> str:
        if self.api_key:
            return self.api_key
        own = self.preset.key_env
        alternatives = own if own == "REVIEWBOT_API_KEY" else f"{own} or REVIEWBOT_API_KEY"
        raise MissingApiKeyError(
            f"no API key for provider {self.provider!r}",
            hint=f"set {alternatives} (or use --dry-run to stop before the model call)",
        )
        return ""  # pragma: no cover

    def require_base_url(self) -> str:
        if not self.effective_base_url:
            raise ConfigError(
                f"provider {self.provider!r} has no default base URL",
                hint="set REVIEWBOT_BASE_URL, --base-url, or base_url in your user config file",
            )
        return self.effective_base_url


_SECTIONS = ("prices", "github", "audit")


def _file_key(name: str) -> str:
    for section in _SECTIONS:
        if name.startswith(section + "_"):
            return f"{section}.{name[len(section) + 1 :]}"
    return name


def _options() -> dict[str, Option]:
    hints = typing.get_type_hints(Settings)
    out: dict[str, Option] = {}
    for f in dataclasses.fields(Settings):
        if f.name in ("sources", "known_secrets"):
            continue
        kind = typing.get_origin(hints[f.name]) or hints[f.name]
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        key = _file_key(f.name)
        out[key] = Option(
            name=f.name,
            key=key,
            env="REVIEWBOT_" + f.name.upper(),
            kind=kind,
            default=default,
            help=f.metadata["help"],
            choices=f.metadata.get("choices"),
            minimum=f.metadata.get("minimum"),
            secret=f.metadata.get("secret", False),
            in_file=f.metadata.get("in_file", True),
            user_only=f.metadata.get("user_only", False),
        )
    return out


OPTIONS: Mapping[str, Option] = MappingProxyType(_options())


def _flatten(table: Mapping[str, Any], origin: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if key in _SECTIONS and isinstance(value, dict):
            for sub, subvalue in value.items():
                flat[f"{key}.{sub}"] = subvalue
        else:
            flat[key] = value
    return flat


def _unknown(key: str, origin: str) -> ConfigError:
    allowed = [k for k, o in OPTIONS.items() if o.in_file]
    close = difflib.get_close_matches(key, allowed, n=1)
    guess = f"did you mean '{close[0]}'? " if close else ""
    return ConfigError(
        f"{origin}: unknown key '{key}'",
        hint=f"{guess}allowed keys: {', '.join(allowed)}",
    )


def user_config_path(env: Mapping[str, str]) -> Path | None:
    """``$XDG_CONFIG_HOME/reviewbot/config.toml``, else ``~/.config/reviewbot/config.toml``."""
    base = env.get("XDG_CONFIG_HOME", "")
    if not base.startswith("/"):  # unset or relative: ignored, as the XDG spec says
        base = str(Path(env["HOME"]) / ".config") if env.get("HOME") else ""
    return Path(base) / "reviewbot" / "config.toml" if base else None


def _from_file(
    values: dict[str, Any],
    sources: dict[str, str],
    path: Path,
    table: Mapping[str, Any],
    *,
    repository: bool,
    user_file: Path | None,
) -> None:
    """Apply one file's table: the user's own file, or a repository's (``repository``)."""
    origin = str(path) if path.name != "pyproject.toml" else f"{path} [tool.reviewbot]"
    for key, value in _flatten(table, origin).items():
        option = OPTIONS.get(key)
        if option is None:
            raise _unknown(key, origin)
        if not option.in_file:
            raise ConfigError(
                f"{origin}: '{key}' must not be stored in a file",
                hint=f"set {option.env} in the environment instead",
            )
        if option.user_only and repository:
            where = f", or put it in {user_file}" if user_file else ""
            raise ConfigError(
                f"{origin}: '{key}' chooses where your API key or files go, so it is never "
                "read from a repository file",
                hint=f"set {option.env} or its flag{where}",
            )
        try:
            values[key] = coerce(option, value, from_text=False)
        except BadValue as bad:
            raise ConfigError(
                f"{origin}: key '{key}' must be {describe(option)}, got {bad}"
            ) from None
        sources[key] = f"file {path.name}" if repository else f"user file {path}"


def load_settings(
    *,
    root: Path | None,
    env: Mapping[str, str],
    flags: Mapping[str, Any] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Merge defaults < user file < repository file < environment < flags into one
    validated ``Settings``.

    ``flags`` maps option keys (``"max_steps"``, ``"audit.include"``) to values; ``None``
    values are ignored (a flag that was not given). ``config_file`` (``--config``) takes the
    place of the repository's file and is trusted no more than it.
    """
    values: dict[str, Any] = {}
    sources: dict[str, str] = {key: "default" for key in OPTIONS}
    user_file = user_config_path(env)
    if user_file is not None and user_file.is_file():
        _from_file(
            values, sources, user_file, read_toml(user_file), repository=False, user_file=None
        )

    found: tuple[Path, dict[str, Any]] | None
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"config file {config_file} does not exist", hint="check --config")
        data = read_toml(config_file)
        if config_file.name == "pyproject.toml":
            data = data.get("tool", {}).get("reviewbot", {})
        found = (config_file, data)
    else:
        found = find_config_file(root)
    if found is not None:
        path, table = found
        _from_file(values, sources, path, table, repository=True, user_file=user_file)

    for key, option in OPTIONS.items():
        if option.env in env:
            try:
                values[key] = coerce(option, env[option.env], from_text=True)
            except BadValue as bad:
                raise ConfigError(
                    f"environment variable {option.env} must be {describe(option)}, got {bad}"
                ) from None
            sources[key] = f"env {option.env}"

    for key, value in (flags or {}).items():
        if value is None:
            continue
        option = OPTIONS[key]
        try:
            values[key] = coerce(option, value, from_text=isinstance(value, str))
        except BadValue as bad:
            flag = "--" + key.replace("_", "-").replace(".", "-")
            raise ConfigError(f"{flag} must be {describe(option)}, got {bad}") from None
        sources[key] = "flag --" + key.replace("_", "-")

    provider = values.get("provider", Settings.provider)
    if "api_key" not in values:
        key_env = PROVIDERS[provider].key_env
        for name in ("REVIEWBOT_API_KEY", key_env):
            if env.get(name):
                values["api_key"] = env[name]
                sources["api_key"] = f"env {name}"
                break
    kwargs = {OPTIONS[key].name: value for key, value in values.items()}
    known = secret_values(env) + ((values["api_key"],) if values.get("api_key") else ())
    return Settings(**kwargs, sources=MappingProxyType(sources), known_secrets=known)
