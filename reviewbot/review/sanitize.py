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

Code (fenced blocks and inline code spans, as ``codespans.split_code`` finds them, erring
on the side of prose) is left as written except for secrets: GitHub does not link or
notify there, and a ``suggestion`` block must stay exact. Links and mentions are judged as
GitHub will see them: HTML entities decoded (``&#104;ttps://`` is ``https://``,
``&#64;`` is ``@``), raw HTML tags' ``href`` and ``src`` included.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Literal

from reviewbot.review.codespans import split_code

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

_MENTION = re.compile(r"(?<![\w@/.\-])@(?=[A-Za-z0-9])")
_CROSS_REF = re.compile(r"(/[\w.\-]+)#(?=\d)")
_MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_URL = re.compile(
    r"(?i)\b(?:(?:https?|ftp)://|www\.)[^\s<>\"'`)\]]+|(?<![:\w])//[A-Za-z0-9.\-]+\.[A-Za-z]{2,}[^\s<>\"'`)\]]*"
)
# A raw HTML tag with an attribute that a browser follows or loads.
_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_TAG_URL = re.compile(
    r"""(?i)\b(?:href|src|srcset|action|formaction|poster|background|cite|data|xlink:href)"""
    r"""\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)"""
)
# A run of text holding an HTML entity (which may spell a URL once decoded).
_ENTITY_RUN = re.compile(r"""[^\s<>"'`()\[\]]*&#?[A-Za-z0-9]+;[^\s<>"'`()\[\]]*""")
_ENTITY_AT = re.compile(r"&(?:#0*64|#[xX]0*40|commat);(?=[A-Za-z0-9])")
_ENTITY_HASH = re.compile(r"(/[\w.\-]+)&(?:#0*35|#[xX]0*23|num);(?=\d)")
_COMMAND = re.compile(r"^(\s*)(::|##\[)", re.M)


def _on_prose(text: str, change: Callable[[str], str]) -> str:
    return "".join(chunk if code else change(chunk) for code, chunk in split_code(text))


# The single steps ----------------------------------------------------------------------
def break_mentions(text: str) -> str:
    """``@user``, ``@org/team`` and ``owner/repo#1`` no longer notify or link (prose only)."""

    def words(part: str) -> str:
        part = _ENTITY_AT.sub("@" + ZWSP, _MENTION.sub("@" + ZWSP, part))
        part = _ENTITY_HASH.sub(lambda m: f"{m.group(1)}#{ZWSP}", part)
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

    def foreign(written: str) -> bool:
        url = _as_followed(written)
        if not re.match(r"(?i)(?:[a-z][a-z0-9+.\-]*:|//|www\.)", url):
            return False  # a relative link stays on the repository's host
        if re.match(r"(?i)(?:https?|ftp)://|//|www\.", url) is None:
            return True  # mailto:, data:, javascript: and the like
        return url_host(url).removeprefix("www.") != allowed.removeprefix("www.")

    def shown(url: str) -> str:
        return defang(_as_followed(url)) if policy == "defang" else ""

    def tag(match: re.Match[str]) -> str:
        urls = [v.group(1).strip("\"'") for v in _TAG_URL.finditer(match.group(0))]
        bad = [u for u in urls if foreign(u)]
        if not bad:
            return match.group(0)
        return " ".join(f"(link: {shown(u)})" if shown(u) else "[link removed]" for u in bad)

    def entities(match: re.Match[str]) -> str:
        decoded = html.unescape(match.group(0))
        return _URL.sub(bare, decoded) if _URL.search(decoded) else match.group(0)

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
        chunk = _MD_LINK.sub(markdown, _TAG.sub(tag, chunk))
        return _URL.sub(bare, _ENTITY_RUN.sub(entities, chunk))

    return _on_prose(text, change)


def _as_followed(url: str) -> str:
    """A link target as a browser follows it: entities decoded, the spaces and control
    characters it ignores removed (``java&#9;script:`` is ``javascript:``)."""
    return re.sub(r"[\x00-\x20\x7f]", "", html.unescape(url))


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


def code_span(text: str, *, in_table: bool = False) -> str:
    """``text`` (a repository path, a name) as one inline code span, whatever it holds:
    on one line, fenced by more backticks than any run inside, padded when it starts or
    ends with a backtick or a space (CommonMark), its ``|`` escaped inside a table."""
    shown = printable(text)
    if in_table:
        shown = shown.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith(("`", " ")) or shown.endswith(("`", " ")) else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


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
