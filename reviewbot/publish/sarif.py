"""SARIF 2.1.0 for code scanning (github/codeql-action/upload-sarif reads it)."""

from __future__ import annotations

import json
from typing import Any

from reviewbot import __version__
from reviewbot.review.findings import SEVERITIES, Finding
from reviewbot.review.result import ReviewResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"critical": "error", "major": "error", "minor": "warning", "nit": "note"}
# GitHub shows security-severity on a 0-10 scale for rules tagged "security".
_SCORE = {"critical": "9.0", "major": "7.0", "minor": "4.0", "nit": "1.0"}
_RULE_TEXT = {
    "critical": "Data loss, a security hole or a crash on a common path; must not be merged.",
    "major": "A real bug on a plausible path, or a missing check that will bite.",
    "minor": "A real but limited problem: an edge case, a misleading error, a small leak.",
    "nit": "Style or clarity a maintainer would still welcome.",
}


def rule_id(severity: str) -> str:
    return f"reviewbot/{severity}"


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule_id(s),
            "name": f"Reviewbot{s.capitalize()}Finding",
            "shortDescription": {"text": f"reviewbot: {s} finding"},
            "fullDescription": {"text": _RULE_TEXT[s]},
            "defaultConfiguration": {"level": _LEVEL[s]},
            "properties": {"tags": ["reviewbot", "code-review"], "security-severity": _SCORE[s]},
        }
        for s in SEVERITIES
    ]


def _result(f: Finding) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": f.line}
    if f.end_line:
        region["endLine"] = f.end_line
    message = f"{f.title}\n\n{f.body}".strip()
    out: dict[str, Any] = {
        "ruleId": rule_id(f.severity),
        "ruleIndex": SEVERITIES.index(f.severity),
        "level": _LEVEL[f.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {"primaryLocationLineHash": f"{f.fingerprint or 'none'}:1"},
        "properties": {"severity": f.severity, "title": f.title},
    }
    if f.suggestion is not None and f.side == "RIGHT":
        out["fixes"] = [
            {
                "description": {"text": "Suggested change"},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "startLine": f.line,
                                    "endLine": f.end_line or f.line,
                                },
                                "insertedContent": {"text": f.suggestion},
                            }
                        ],
                    }
                ],
            }
        ]
    return out


def to_sarif(result: ReviewResult, *, automation_id: str = "reviewbot/review/") -> dict[str, Any]:
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "reviewbot",
                "version": __version__,
                "informationUri": "https://github.com/reviewbot/reviewbot",
                "rules": _rules(),
            }
        },
        "automationDetails": {"id": automation_id},
        "results": [_result(f) for f in result.findings],
        "properties": {"summary": result.summary, "stats": result.stats.to_json()},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(result: ReviewResult, *, automation_id: str = "reviewbot/review/") -> str:
    return json.dumps(to_sarif(result, automation_id=automation_id), indent=2) + "\n"
