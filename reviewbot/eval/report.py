"""Benchmark results as JSON (every instance's score) and as a Markdown table."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from reviewbot.eval.run import EvalResult
from reviewbot.eval.score import Summary

# Published figures to read ours against (docs/quality.md gives the sources).
ANCHORS = (
    "Published anchors: Qodo's benchmark (100 PRs, 580 injected issues), best F1 0.60; "
    "Martian's Code Review Bench, best F1 0.54; practitioners' floor for a useful reviewer: "
    "precision ≥ 0.7 and recall ≥ 0.5."
)


def as_json(result: EvalResult) -> str:
    payload: dict[str, Any] = {
        "benchmark": result.name,
        "model": result.model,
        "configurations": [
            {
                "name": r.configuration.name,
                "flags": r.configuration.flags(),
                "summary": asdict(r.summary),
                "instances": [asdict(s) for s in r.scores],
            }
            for r in result.results
        ],
    }
    return json.dumps(payload, indent=2) + "\n"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _row(name: str, s: Summary) -> str:
    per = s.per_review
    cells = [
        name,
        _ratio(s.recall),
        _ratio(s.precision),
        _ratio(s.f1),
        _ratio(s.findings_per_clean),
        f"{s.found}/{s.defects}",
        f"{s.true_findings}/{s.findings}",
        str(s.refuted),
        str(s.errors),
        f"{per['input_tokens']:,.0f}",
        f"{per['cached_tokens']:,.0f}",
        f"{per['output_tokens']:,.0f}",
        f"${per['cost_usd']:.4f}",
        f"{per['seconds']:.1f}",
        f"{per['wall_seconds']:.1f}",
    ]
    return "| " + " | ".join(cells) + " |"


def as_markdown(result: EvalResult) -> str:
    first = result.results[0].summary if result.results else None
    reviews = first.reviews if first else 0
    lines = [
        f"## {result.name}: {reviews} instance(s), model `{result.model or 'unknown'}`",
        "",
        "| configuration | recall | precision | F1 | findings per clean change | "
        "defects found | findings on a defect | refuted by verification | failed reviews | "
        "input tokens | cached | "
        "output tokens | cost | seconds | wall seconds |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        *(_row(r.configuration.name, r.summary) for r in result.results),
        "",
        "Tokens, cost and seconds are means per review (seconds: the review's own; wall: the "
        "whole `reviewbot review` process). Recall by kind:",
        "",
    ]
    kinds = sorted({k for r in result.results for k in r.summary.recall_by_kind})
    if kinds:
        lines += [
            "| configuration | " + " | ".join(kinds) + " |",
            "|---|" + "--:|" * len(kinds),
        ]
        for r in result.results:
            cells = [_ratio(r.summary.recall_by_kind.get(k)) for k in kinds]
            lines.append(f"| {r.configuration.name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [ANCHORS, ""]
    return "\n".join(lines)
