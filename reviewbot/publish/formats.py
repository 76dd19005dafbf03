"""Text renderings of a result that need no terminal: json, markdown, github annotations."""

from __future__ import annotations

import json
from collections.abc import Callable

from reviewbot.review.findings import Finding
from reviewbot.review.result import ReviewResult, count_by_severity
from reviewbot.review.sanitize import code_span, printable

# A link for a finding's place, e.g. to a permalink on GitHub; None: plain text.
LinkFor = Callable[[Finding], str | None]


def render_json(result: ReviewResult) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"


def _where(f: Finding) -> str:
    span = f"{f.line}-{f.end_line}" if f.end_line else str(f.line)
    return f"{printable(f.path)}:{span}" + (" (old file)" if f.side == "LEFT" else "")


def render_markdown(
    result: ReviewResult, *, title: str = "reviewbot", link: LinkFor | None = None
) -> str:
    counts = count_by_severity(result.findings)
    out = [f"# {title}", "", result.summary.strip() or "_No summary._", ""]
    out += ["| severity | findings |", "|---|---|"]
    out += [f"| {name} | {n} |" for name, n in counts.items()]
    out.append("")
    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_file.setdefault(f.path, []).append(f)
    for path, findings in by_file.items():
        out += [f"## {code_span(path)}", ""]
        for f in findings:
            url = link(f) if link else None
            where = f"[{code_span(_where(f))}]({url})" if url else code_span(_where(f))
            out += [f"### {f.severity}: {f.title}", "", where, "", f.body.strip(), ""]
            if f.suggestion is not None:
                out += [
                    "Suggested change:",
                    "",
                    "```suggestion",
                    f.suggestion.rstrip("\n"),
                    "```",
                    "",
                ]
    out += [_stats_line(result), ""]
    out += [f"> {note}" for note in result.notes]
    return "\n".join(out).rstrip() + "\n"


def _stats_line(result: ReviewResult) -> str:
    s = result.stats
    return (
        f"_{len(result.findings)} findings · {s.steps} steps · {s.tool_calls} tool calls · "
        f"{s.input_tokens:,} input tokens ({s.cached_share:.0%} cached) · "
        f"{s.output_tokens:,} output · ${s.cost_usd:.4f} · {s.seconds:.1f} s_"
    )


# GitHub workflow commands ------------------------------------------------------------------
_LEVEL = {"critical": "error", "major": "error", "minor": "warning", "nit": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's rules: %, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (additionally ':' and ',')."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: ReviewResult) -> str:
    """One ``::error``/``::warning``/``::notice`` annotation per finding."""
    lines = []
    for f in result.findings:
        props = {"file": f.path, "line": str(f.line)}
        if f.end_line:
            props["endLine"] = str(f.end_line)
        props["title"] = f"[{f.severity}] {f.title}"
        joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        lines.append(f"::{_LEVEL[f.severity]} {joined}::{escape_data(f.body.strip() or f.title)}")
    return "\n".join(lines) + ("\n" if lines else "")
