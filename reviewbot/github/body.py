"""What reviewbot writes on a pull request: hidden markers, comment bodies, review bodies.

Every comment and review body starts with a hidden marker (an HTML comment on the first
line) that says what it carries: a finding's fingerprint and severity, or a review part
with the head SHA it reviewed and the fingerprints of the findings placed in its body.
Markers make publishing idempotent: a later run reads them back and never posts the same
finding twice. Only a marker on the first line counts, so text the model wrote (always
after it) can never pass for one.

Model-written text goes through ``reviewbot.review.sanitize`` here, once, before it is
placed in a body. Bodies are cut to fit GitHub's 65,536-character limit on a line
boundary, with any open code fence closed and a note that says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from reviewbot.review.findings import Finding, at_least, severity_rank
from reviewbot.review.result import RunStats, count_by_severity
from reviewbot.review.sanitize import LinkPolicy, code_span, for_code, for_github

BODY_LIMIT = 65_000  # GitHub refuses bodies over 65,536 characters; keep a margin
CUT_NOTE = "_(cut here to fit GitHub's 65,536-character limit)_"
_MARKER = re.compile(r"\A<!-- reviewbot:(finding|review)((?: [a-z]+=[A-Za-z0-9,/_.\-]*)*) -->")
_PAIR = re.compile(r" ([a-z]+)=([A-Za-z0-9,/_.\-]*)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TITLE = re.compile(r"^\*\*(critical|major|minor|nit): (.*)\*\*$", re.M)


@dataclass(frozen=True)
class Marker:
    """What a comment or review of reviewbot's carries (parsed from its first line)."""

    kind: Literal["finding", "review"]
    head: str
    fingerprint: str = ""  # finding
    severity: str = ""  # finding
    batch: str = ""  # review: the id of this posting, to find it again after a 5xx
    part: int = 1  # review: part i of n (n > 1 when findings did not fit one review)
    parts: int = 1
    carried: tuple[str, ...] = ()  # review: fingerprints of findings in its body
    total: int = 0  # final review part: findings of the run
    highest: str = ""  # final review part: highest severity, "" for none

    @property
    def final(self) -> bool:
        return self.kind == "review" and self.part == self.parts

    def render(self) -> str:
        if self.kind == "finding":
            pairs = {"fp": self.fingerprint, "head": self.head, "sev": self.severity}
        else:
            pairs = {
                "head": self.head,
                "batch": self.batch,
                "part": f"{self.part}/{self.parts}",
                "fps": ",".join(self.carried),
            }
            if self.final:
                pairs |= {"n": str(self.total), "max": self.highest or "none"}
        text = " ".join(f"{k}={_clean(v)}" for k, v in pairs.items())
        return f"<!-- reviewbot:{self.kind} {text} -->"


def _clean(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9,/_.\-]", "", value)


def parse_marker(body: str) -> Marker | None:
    """The marker on the first line of ``body``, if it is one of reviewbot's."""
    found = _MARKER.match(body)
    if found is None:
        return None
    pairs = dict(_PAIR.findall(found.group(2)))
    head = pairs.get("head", "")
    if found.group(1) == "finding":
        return Marker(
            "finding", head, fingerprint=pairs.get("fp", ""), severity=pairs.get("sev", "")
        )
    part, _, parts = pairs.get("part", "1/1").partition("/")
    highest = pairs.get("max", "")
    return Marker(
        "review",
        head,
        batch=pairs.get("batch", ""),
        part=int(part) if part.isdigit() else 1,
        parts=int(parts) if parts.isdigit() else 1,
        carried=tuple(fp for fp in pairs.get("fps", "").split(",") if fp),
        total=int(pairs["n"]) if pairs.get("n", "").isdigit() else 0,
        highest="" if highest == "none" else highest,
    )


def title_of(body: str) -> str:
    """The finding title a comment body shows (for similarity with later findings)."""
    found = _TITLE.search(body)
    return found.group(2) if found else ""


# Cutting ------------------------------------------------------------------------------
def fit_body(text: str, limit: int = BODY_LIMIT) -> str:
    """``text`` cut on a line boundary to at most ``limit`` characters, any open code
    fence closed, and a note saying it was cut."""
    if len(text) <= limit:
        return text
    reserve = len(CUT_NOTE) + 20
    kept: list[str] = []
    size = 0
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        closing = f"\n{fence}\n" if fence else ""
        if size + len(line) + len(closing) + reserve > limit:
            break
        kept.append(line)
        size += len(line)
        fence = _fence_after(line, fence)
    if not kept:  # one enormous first line: cut inside it
        kept, fence = [text[: limit - reserve - 10]], None
    out = "".join(kept)
    if fence:
        out = out.rstrip("\n") + f"\n{fence}\n"
    return out.rstrip("\n") + "\n\n" + CUT_NOTE + "\n"


def _fence_after(line: str, fence: str | None) -> str | None:
    found = _FENCE.match(line)
    if found is None:
        return fence
    mark = found.group(1)
    if fence is None:
        return mark
    closes = mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip().strip(mark[0])
    return None if closes else fence


# Comments -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Style:
    """How model text is neutralised for this repository."""

    host: str = "github.com"
    links: LinkPolicy = "defang"
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def prose(self, text: str) -> str:
        return for_github(text, allowed_host=self.host, links=self.links, secrets=self.secrets)

    def code(self, text: str) -> str:
        return for_code(text, self.secrets)


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("*", "\\*")


def finding_text(finding: Finding, style: Style, *, suggestion: bool = True) -> str:
    """The visible part of a finding: bold title line, body, and a suggestion block."""
    out = [f"**{finding.severity}: {style.prose(_one_line(finding.title))}**"]
    if finding.body.strip():
        out += ["", style.prose(finding.body.strip())]
    if suggestion and finding.suggestion is not None and finding.side == "RIGHT":
        code = style.code(finding.suggestion.rstrip("\n"))
        longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
        fence = "`" * max(3, longest + 1)
        out += ["", f"{fence}suggestion", code, fence]
    return "\n".join(out)


def comment_body(finding: Finding, head: str, style: Style) -> str:
    marker = Marker("finding", head, fingerprint=finding.fingerprint, severity=finding.severity)
    return fit_body(marker.render() + "\n" + finding_text(finding, style) + "\n")


def where(finding: Finding) -> str:
    span = f"{finding.line}-{finding.end_line}" if finding.end_line else str(finding.line)
    return f"{finding.path}:{span}" + (" (old)" if finding.side == "LEFT" else "")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# Review bodies ------------------------------------------------------------------------
@dataclass(frozen=True)
class SummaryInput:
    """What the final review part reports."""

    summary: str
    inline: Sequence[Finding]  # posted as comments in this run
    in_body: Sequence[Finding]  # outside the diff, refused inline, or below the inline floor
    stats: RunStats
    notes: Sequence[str] = ()
    since: str = ""  # incremental: the head reviewed before
    repeated: int = 0  # findings of this run already posted earlier
    resolved: int = 0  # threads of earlier findings resolved now
    inline_min_severity: str = "nit"  # findings below it are listed, not posted on lines
    extras: SummaryExtras = field(default_factory=lambda: SummaryExtras())


@dataclass(frozen=True)
class SummaryExtras:
    """What the summary says besides the findings: the issues the model was given
    (``owner/name#N``) and the walkthrough (Markdown, its model text already neutralised)."""

    linked: tuple[str, ...] = ()
    walkthrough: str = ""


def summary_body(marker: Marker, data: SummaryInput, style: Style) -> str:
    findings = [*data.inline, *data.in_body]
    counts = count_by_severity(findings)
    scope = f"changes since `{data.since[:12]}`" if data.since else "this pull request"
    out = [marker.render(), "### reviewbot", ""]
    if data.summary.strip():
        out += [style.prose(data.summary.strip()), ""]
    if data.extras.linked:
        names = ", ".join(style.prose(_cell(name)) for name in data.extras.linked)
        out += [f"Issues this pull request resolves, read by the model: {names}.", ""]
    if data.extras.walkthrough:
        out += [data.extras.walkthrough.rstrip(), ""]
    tally = " · ".join(f"{n} {name}" for name, n in counts.items() if n) or "none"
    out.append(f"**{len(findings)} new finding(s)** on {scope}: {tally}.")
    extra = []
    if data.repeated:
        extra.append(f"{data.repeated} already reported earlier (not repeated)")
    if data.resolved:
        extra.append(f"{data.resolved} earlier thread(s) resolved: their findings are gone")
    if extra:
        out.append("; ".join(extra).capitalize() + ".")
    if findings:
        out += ["", "| severity | where | finding |", "|---|---|---|"]
        ordered = sorted(findings, key=lambda f: (-severity_rank(f.severity), f.path, f.line))
        for f in ordered:
            title = style.prose(_cell(f.title))
            place = "" if f in data.in_body else " (inline)"
            out.append(f"| {f.severity} | {code_span(where(f), in_table=True)}{place} | {title} |")
    for heading, group in body_groups(data.in_body, data.inline_min_severity):
        out += ["", f"#### {heading} ({len(group)})", ""]
        for f in group:
            out += [code_span(where(f)), "", finding_text(f, style, suggestion=False), ""]
    out += ["", stats_block(data.stats, data.notes, style)]
    return fit_body("\n".join(out).rstrip() + "\n")


def body_groups(
    in_body: Sequence[Finding], inline_min_severity: str
) -> list[tuple[str, list[Finding]]]:
    """The review body's sections of findings, each under its heading: code outside the
    diff (filed so by the model, or no longer on a diff line), comments GitHub refused
    inline, and findings below ``inline_min_severity`` (nits, by default)."""
    small = [f for f in in_body if not at_least(f.severity, inline_min_severity)]
    outside = [f for f in in_body if not f.anchored and f not in small]
    refused = [f for f in in_body if f.anchored and f not in small]
    minor = "Nits" if all(f.severity == "nit" for f in small) else "Smaller points"
    groups = [("Outside the diff", outside), ("Not on a line of the diff", refused),
              (minor, small)]  # fmt: skip
    return [(heading, group) for heading, group in groups if group]


def stats_block(stats: RunStats, notes: Sequence[str], style: Style) -> str:
    lines = [
        "<details><summary>Run</summary>",
        "",
        f"- model: `{_cell(stats.model) or 'unknown'}`",
        f"- steps: {stats.steps} ({stats.tool_calls} tool calls)",
        f"- tokens: {stats.input_tokens:,} input ({stats.cached_share:.0%} cached), "
        f"{stats.output_tokens:,} output ({stats.reasoning_tokens:,} reasoning)",
        f"- cost: ${stats.cost_usd:.4f}",
        f"- time: {stats.seconds:.1f} s",
    ]
    lines += [f"- note: {style.prose(_cell(n))}" for n in notes]
    return "\n".join([*lines, "", "</details>"])


def part_body(marker: Marker, first: int, last: int, total: int) -> str:
    return (
        f"{marker.render()}\nreviewbot: comments {first}–{last} of {total} "
        f"(part {marker.part} of {marker.parts}; the summary is in the last part).\n"
    )
