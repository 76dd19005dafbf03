"""Neutralising model-written text before anyone else sees it. Pure functions.

What the model writes comes, in the end, from a pull request's author: a crafted diff can
steer it. So before text is posted on GitHub, or echoed to a workflow log, it is made
harmless:

- ``@mentions`` (users and ``@org/team``) are broken with a zero-width space, so nobody is
  notified; cross-repository references (``owner/repo#12``) likewise, so no other
  repository gets a back-link;
- secret-looking strings (GitHub tokens, ``sk-`` keys, AWS keys, private-key blocks, and
  the exact secrets of the run) become ``[REDACTED]``;
- links to hosts other than the repository's GitHub host are kept, defanged
  (``hxxps://evil[.]com``) or dropped, per setting ``github_links``;
- for logs: workflow commands (``::set-output``, ``::add-mask``, ``##[...]``) cannot start
  a line.

Code (fenced blocks and inline code spans) is left as written except for secrets: GitHub
does not link or notify there, and a ``suggestion`` block must stay exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Literal

LinkPolicy = Literal["keep", "defang", "drop"]
REDACTED = "[REDACTED]"
ZWSP = "\u200b"
MIN_KNOWN_SECRET = 8  # shorter "secrets" would redact ordinary words

_SECRET_PATTERNS = [
    re.compile(
        r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----(?:.*?-----END[A-Z0-9 ]*PRIVATE KEY-----|.*)", re.S
    ),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,255}"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,255}"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"),
    re.compile(r"(?i)(?<=aws_secret_access_key)(\s*[:=]\s*[\"']?)[A-Za-z0-9/+=]{40}"),
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}"),
]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_MENTION = re.compile(r"(?<![\w@/`.\-])@(?=[A-Za-z0-9])")
_CROSS_REF = re.compile(r"(/[\w.\-]+)#(?=\d)")
_MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_URL = re.compile(
    r"(?i)\b(?:(?:https?|ftp)://|www\.)[^\s<>\"'`)\]]+|(?<![:\w])//[A-Za-z0-9.\-]+\.[A-Za-z]{2,}[^\s<>\"'`)\]]*"
)
_COMMAND = re.compile(r"^(\s*)(::|##\[)", re.M)


# Splitting code from prose -------------------------------------------------------------
def split_code(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_code, chunk) pieces that join back to it exactly.

    Code is fenced blocks (``` or ~~~, until a closing fence of the same kind that is at
    least as long, or the end) and inline code spans.
    """
    pieces: list[tuple[bool, str]] = []
    prose: list[str] = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if not opened:
            prose.append(lines[i])
            i += 1
            continue
        fence = opened.group(1)
        j = i + 1
        while j < len(lines):
            if _closes(lines[j], fence):
                break
            j += 1
        if prose:
            pieces += _split_spans("".join(prose))
            prose = []
        pieces.append((True, "".join(lines[i : j + 1])))
        i = j + 1
    if prose:
        pieces += _split_spans("".join(prose))
    return pieces


def _closes(line: str, fence: str) -> bool:
    closing = _FENCE.match(line)
    return (
        closing is not None
        and closing.group(1)[0] == fence[0]
        and len(closing.group(1)) >= len(fence)
        and not line.strip().strip(fence[0])
    )


def _split_spans(text: str) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = []
    at = 0
    for match in _CODE_SPAN.finditer(text):
        if match.start() > at:
            out.append((False, text[at : match.start()]))
        out.append((True, match.group(0)))
        at = match.end()
    if at < len(text):
        out.append((False, text[at:]))
    return out


def _on_prose(text: str, change: Callable[[str], str]) -> str:
    return "".join(chunk if code else change(chunk) for code, chunk in split_code(text))


# The single steps ----------------------------------------------------------------------
def break_mentions(text: str) -> str:
    """``@user``, ``@org/team`` and ``owner/repo#1`` no longer notify or link (prose only)."""

    def words(part: str) -> str:
        part = _MENTION.sub("@" + ZWSP, part)
        return _CROSS_REF.sub(lambda m: f"{m.group(1)}#{ZWSP}", part)

    def change(chunk: str) -> str:  # URLs are left whole: GitHub neither mentions nor links there
        out, at = [], 0
        for url in _URL.finditer(chunk):
            out += [words(chunk[at : url.start()]), url.group(0)]
            at = url.end()
        return "".join([*out, words(chunk[at:])])

    return _on_prose(text, change)


def redact_secrets(text: str, known: Iterable[str] = ()) -> str:
    """Secret-looking strings and the exact ``known`` secrets become ``[REDACTED]``
    (everywhere, code included)."""
    for secret in sorted({s for s in known if len(s) >= MIN_KNOWN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


def neutralize_commands(text: str) -> str:
    """No line can start a workflow command (``::name::`` or ``##[name]``) in a log."""
    return _COMMAND.sub(lambda m: f"{m.group(1)}{m.group(2)[0]}{ZWSP}{m.group(2)[1:]}", text)


def url_host(url: str) -> str:
    """The host of a URL as written (``www.x.com/...`` and ``//x.com`` too), lower-cased."""
    rest = url.split("://", 1)[1] if "://" in url else url.lstrip("/")
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]
    return host.split(":", 1)[0].lower().rstrip(".")


def defang(url: str) -> str:
    """A URL nobody can click: ``https://a.b/c`` -> ``hxxps://a[.]b/c``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    host_end = re.search(r"[/?#]", rest.lstrip("/"))
    lead = len(rest) - len(rest.lstrip("/"))
    cut = lead + (host_end.start() if host_end else len(rest) - lead)
    host, tail = rest[:cut], rest[cut:]
    shown = scheme.lower().replace("http", "hxxp").replace("ftp", "fxp") + sep if sep else ""
    return shown + host.replace(".", "[.]") + tail


def police_links(text: str, *, allowed_host: str, policy: LinkPolicy) -> str:
    """Links to hosts other than ``allowed_host`` kept, defanged or dropped (prose only)."""
    if policy == "keep":
        return text
    allowed = allowed_host.lower()

    def foreign(url: str) -> bool:
        if not re.match(r"(?i)(?:[a-z][a-z0-9+.\-]*:|//|www\.)", url):
            return False  # a relative link stays on the repository's host
        if re.match(r"(?i)(?:https?|ftp)://|//|www\.", url) is None:
            return True  # mailto:, data:, javascript: and the like
        return url_host(url).removeprefix("www.") != allowed.removeprefix("www.")

    def shown(url: str) -> str:
        return defang(url) if policy == "defang" else ""

    def markdown(match: re.Match[str]) -> str:
        bang, label, url = match.group(1), match.group(2), match.group(3)
        if not foreign(url):
            return match.group(0)
        label = label or ("image" if bang else "link")
        target = shown(url)
        if not target:
            return label if label not in ("image", "link") else f"[{label} removed]"
        return f"{label} ({'image: ' if bang else ''}{target})"

    def bare(match: re.Match[str]) -> str:
        whole = match.group(0)
        url = whole.rstrip(".,;:!?*_~")
        if not foreign(url):
            return whole
        return (shown(url) or "[link removed]") + whole[len(url) :]

    def change(chunk: str) -> str:
        return _URL.sub(bare, _MD_LINK.sub(markdown, chunk))

    return _on_prose(text, change)


# What callers use ----------------------------------------------------------------------
def for_github(
    text: str,
    *,
    allowed_host: str,
    links: LinkPolicy,
    secrets: Iterable[str] = (),
) -> str:
    """Model-written Markdown made safe to post as a comment or review body."""
    text = redact_secrets(text, secrets)
    text = police_links(text, allowed_host=allowed_host, policy=links)
    return break_mentions(text)


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\x1b": "\\e", "\x00": "\\0", "\t": "\\t"}


def printable(name: str) -> str:
    """A name from the repository (a file path) shown on one line: control characters and
    line separators escaped, so a file named ``x\n::set-output ...`` cannot start a line."""
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() else _ESCAPES.get(c, f"\\u{ord(c):04x}") for c in name)


def for_log(text: str, secrets: Iterable[str] = ()) -> str:
    """Text made safe to echo to a workflow log (or a GITHUB_OUTPUT value)."""
    return neutralize_commands(redact_secrets(text, secrets))


def for_code(text: str, secrets: Iterable[str] = ()) -> str:
    """Code (a suggestion) keeps every character except secrets."""
    return redact_secrets(text, secrets)


# Names of variables that hold secrets by convention: GITHUB_TOKEN, MOONSHOT_API_KEY,
# AWS_SECRET_ACCESS_KEY, DB_PASSWORD, ACTIONS_RUNTIME_TOKEN, ... (whole words only, so
# REVIEWBOT_MAX_TOKENS or REVIEWBOT_TOKENIZER are not secrets).
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PASS|KEY|APIKEY|CREDENTIALS?|AUTH"
    r"|PRIVATE|COOKIE|SESSION|DSN)(?:_|$)",
    re.IGNORECASE,
)
_NOT_SECRET = frozenset({"SSH_AUTH_SOCK", "GPG_AGENT_INFO"})


def secret_values(env: Mapping[str, str]) -> tuple[str, ...]:
    """The values of the environment variables named like secrets, longest first."""
    found = {
        value
        for name, value in env.items()
        if name not in _NOT_SECRET and _SECRET_NAME.search(name) and len(value) >= MIN_KNOWN_SECRET
    }
    return tuple(sorted(found, key=lambda v: (-len(v), v)))
