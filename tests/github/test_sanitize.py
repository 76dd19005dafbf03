"""Neutralising model text before it reaches GitHub or a workflow log: properties and cases."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewbot.review.codespans import split_code
from reviewbot.review.sanitize import (
    REDACTED,
    ZWSP,
    break_mentions,
    defang,
    for_code,
    for_github,
    for_log,
    neutralize_commands,
    police_links,
    redact_secrets,
    url_host,
)

HOST = "github.com"
WORDS = st.sampled_from(
    ["a", "x_y", "@", "@bob", "@org/team", "/", "#", "12", "`", "```", "~~~", " ", "\n",
     "::", "##[", "  ", "octo/repo#3", "e@mail.com", "-", ".", "(", ")", "[", "]", "!"]
)  # fmt: skip
TEXT = st.lists(WORDS, max_size=40).map("".join)
PROSE_MENTION = re.compile(r"(?:^|[^\w@/.\-])@[A-Za-z0-9]")


def prose(text: str) -> list[str]:
    """The prose pieces of ``text``, each on its own (a code span between two pieces
    separates them as GitHub renders them)."""
    return [chunk for code, chunk in split_code(text) if not code]


@given(TEXT)
def test_splitting_code_from_prose_loses_nothing(text: str) -> None:
    assert "".join(chunk for _, chunk in split_code(text)) == text


@given(TEXT)
def test_no_mention_survives_in_prose_and_only_invisible_spaces_are_added(text: str) -> None:
    out = break_mentions(text)
    assert out.replace(ZWSP, "") == text
    assert not any(PROSE_MENTION.search(chunk) for chunk in prose(out))
    assert not any(re.search(r"\w/[\w.\-]+#\d", chunk) for chunk in prose(out))
    assert break_mentions(out) == out


@given(TEXT)
def test_no_line_can_start_a_workflow_command(text: str) -> None:
    out = neutralize_commands(text)
    assert out.replace(ZWSP, "") == text
    for line in out.splitlines():
        assert not line.lstrip().startswith(("::", "##["))


TOKENS = st.one_of(
    st.from_regex(r"gh[pousr]_[A-Za-z0-9]{36}", fullmatch=True),
    st.from_regex(r"github_pat_[A-Za-z0-9_]{82}", fullmatch=True),
    st.from_regex(r"sk-[A-Za-z0-9]{32}", fullmatch=True),
    st.from_regex(r"sk-or-v1-[a-f0-9]{64}", fullmatch=True),
    st.from_regex(r"AKIA[A-Z0-9]{16}", fullmatch=True),
    st.just("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"),
    st.just("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXkt (cut off)"),
)
SEPARATORS = st.sampled_from([" ", "\n", "=", ": ", "'", '"', "(", "`"])


@given(st.lists(st.tuples(TEXT, SEPARATORS, TOKENS, SEPARATORS), min_size=1, max_size=4))
def test_secret_looking_strings_are_redacted_everywhere(
    parts: list[tuple[str, str, str, str]],
) -> None:
    text = "".join(a + b + token + d for a, b, token, d in parts)
    out = redact_secrets(text)
    for _, _, token, _ in parts:
        assert token not in out
    assert REDACTED in out


@given(TEXT, st.text(alphabet="abcXYZ019_-", min_size=8, max_size=20))
def test_the_runs_own_secrets_never_pass(text: str, secret: str) -> None:
    mixed = f"{text}{secret}\n```\n{secret}\n```\n`{secret}`"
    for out in (
        for_github(mixed, allowed_host=HOST, links="drop", secrets=[secret]),
        for_log(mixed, [secret]),
        for_code(mixed, [secret]),
    ):
        assert secret not in out


FOREIGN = st.sampled_from(["evil.com", "a.b.example", "EVIL.org", "github.com.evil.net"])
URL_PATH = st.sampled_from(["", "/", "/x?y=1", "/p.gif", "#frag", "/a_(b)"])


@st.composite
def linked(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Prose with links in every form GitHub renders, and the foreign hosts among them."""
    pieces, foreign = [], []
    for _ in range(draw(st.integers(1, 5))):
        host = draw(st.one_of(FOREIGN, st.just(HOST)))
        if host != HOST:
            foreign.append(host.lower())
        path = draw(URL_PATH)
        form = draw(st.sampled_from(["bare", "md", "img", "www", "auto", "html", "proto"]))
        url = f"https://{host}{path}"
        pieces.append(
            {
                "bare": f"see {url}.",
                "md": f"[text @x]({url})",
                "img": f"![alt]({url})",
                "www": f"www.{host}{path}",
                "auto": f"<{url}>",
                "html": f'<a href="{url}">x</a>',
                "proto": f"[t](//{host}{path})",
            }[form]
        )
        pieces.append(draw(TEXT))
    return " ".join(pieces), foreign


FIND_URL = re.compile(r"(?i)(?:https?://|www\.|(?<![:\w])//)([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")


@given(linked(), st.sampled_from(["defang", "drop"]))
def test_foreign_links_are_defanged_or_dropped(case: tuple[str, list[str]], policy: str) -> None:
    text, _ = case
    out = police_links(text, allowed_host=HOST, policy=policy)  # type: ignore[arg-type]
    for match in FIND_URL.finditer("".join(prose(out))):
        assert match.group(1).lower().rstrip(".") == HOST, (out, match.group(0))
    assert police_links(out, allowed_host=HOST, policy=policy) == out  # type: ignore[arg-type]


@given(linked())
def test_keep_changes_nothing_and_own_host_links_always_stay(case: tuple[str, list[str]]) -> None:
    text, foreign = case
    assert police_links(text, allowed_host=HOST, policy="keep") == text
    if not foreign:
        assert police_links(text, allowed_host=HOST, policy="drop") == text


@settings(max_examples=50)
@given(TEXT)
def test_for_github_is_idempotent(text: str) -> None:
    once = for_github(text, allowed_host=HOST, links="defang", secrets=["s3cret-value"])
    assert for_github(once, allowed_host=HOST, links="defang", secrets=["s3cret-value"]) == once


def test_code_is_left_exact_except_secrets() -> None:
    text = (
        "Use @alice's fix: see https://evil.com\n"
        "```suggestion\nx = '@keep'  # https://evil.com ghp_" + "a" * 36 + "\n```\n"
        "and `@inline https://evil.com`"
    )
    out = for_github(text, allowed_host=HOST, links="drop")
    assert out == (
        f"Use @{ZWSP}alice's fix: see [link removed]\n"
        f"```suggestion\nx = '@keep'  # https://evil.com {REDACTED}\n```\n"
        "and `@inline https://evil.com`"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[docs](https://evil.com/x)", "docs (hxxps://evil[.]com/x)"),
        ("![px](https://t.io/p.gif)", "px (image: hxxps://t[.]io/p.gif)"),
        ("[](https://evil.com)", "link (hxxps://evil[.]com)"),
        ("go to www.evil.com.", "go to www[.]evil[.]com."),
        ("[x](/relative/path)", "[x](/relative/path)"),
        ("[x](https://github.com/o/r)", "[x](https://github.com/o/r)"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),  # GitHub drops it itself
        ("[x](mailto:a@evil.com)", "x (mailto:a@evil[.]com)"),
    ],
)
def test_defang_cases(text: str, expected: str) -> None:
    assert police_links(text, allowed_host=HOST, policy="defang") == expected


def test_hosts_and_defanging() -> None:
    assert url_host("https://user@Evil.COM:8443/x") == "evil.com"
    assert url_host("www.evil.com/a") == "www.evil.com"
    assert defang("HTTP://a.b/c.d") == "hxxp://a[.]b/c.d"
    assert defang("//a.b/c") == "//a[.]b/c"


def test_log_text_cannot_set_outputs_or_masks() -> None:
    out = for_log("ok\n::set-output name=x::1\n  ::add-mask::y\n##[error]z\n")
    assert [line.lstrip()[:2] for line in out.splitlines()] == [
        "ok",
        f":{ZWSP}",
        f":{ZWSP}",
        f"#{ZWSP}",
    ]
