"""Which environment variables count as secrets (their values are redacted everywhere)."""

from __future__ import annotations

from reviewbot.config import load_settings
from reviewbot.review.sanitize import secret_values


def test_secret_names() -> None:
    env = {
        "GITHUB_TOKEN": "ghs_aaaaaaaaaaaaaaaa",
        "MOONSHOT_API_KEY": "sk-bbbbbbbbbbbbbbbb",
        "AWS_SECRET_ACCESS_KEY": "cccccccccccccccc",
        "DB_PASSWORD": "dddddddddd",
        "ACTIONS_RUNTIME_TOKEN": "eeeeeeeeeeee",
        "session_cookie": "ffffffffffff",
        "REVIEWBOT_MAX_TOKENS": "123456789",  # a number of tokens, not a token
        "REVIEWBOT_TOKENIZER": "/opt/kimi/tiktoken.model",
        "KEYBOARD": "gggggggggggg",
        "BYPASS_CACHE": "hhhhhhhhhhhh",
        "SSH_AUTH_SOCK": "/tmp/ssh-agent.sock",
        "SHORT_TOKEN": "short",  # too short to redact without hitting ordinary words
        "PATH": "/usr/bin:/bin",
    }
    assert set(secret_values(env)) == {
        "ghs_aaaaaaaaaaaaaaaa",
        "sk-bbbbbbbbbbbbbbbb",
        "cccccccccccccccc",
        "dddddddddd",
        "eeeeeeeeeeee",
        "ffffffffffff",
    }


def test_settings_know_the_key_and_the_environment_secrets() -> None:
    env = {"REVIEWBOT_API_KEY": "sk-key-0123456789", "CANARY_DEPLOY_TOKEN": "deploy-0123456789"}
    settings = load_settings(root=None, env=env)
    assert set(settings.known_secrets) == {"sk-key-0123456789", "deploy-0123456789"}
    assert "deploy-0123456789" not in repr(settings)
