"""REST handlers of the fake GitHub: check runs and SARIF uploads (code scanning)."""

from __future__ import annotations

import base64
import binascii
import functools
import gzip
import json
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from tests.fakes.github_core import Ctx, HttpError, Reply
from tests.fakes.github_render import node_id
from tests.fakes.github_state import CheckRun, SarifUpload, now_iso

Handler = Callable[[Ctx], Reply]
SARIF_SCHEMA = (
    Path(__file__).resolve().parent.parent / "fixtures" / "github" / "sarif" / "sarif-2.1.0.json"
)
MAX_SARIF_GZIP = 10 * 1024 * 1024
MAX_RESULTS = 25_000


def _check_run(ctx: Ctx, run: CheckRun) -> dict[str, Any]:
    f = run.fields
    url = f"{ctx.render.repo_url(run.repo)}/check-runs/{run.id}"
    output = f.get("output") or {}
    app_owner = ctx.state.user("github", "Organization")
    return {
        "id": run.id,
        "node_id": node_id("CR", run.id),
        "head_sha": f["head_sha"],
        "external_id": f.get("external_id", ""),
        "url": url,
        "html_url": f"{ctx.render.web}/{run.repo.full_name}/runs/{run.id}",
        "details_url": f.get("details_url"),
        "status": f.get("status", "queued"),
        "conclusion": f.get("conclusion"),
        "started_at": f.get("started_at"),
        "completed_at": f.get("completed_at"),
        "name": f["name"],
        "output": {
            "title": output.get("title"),
            "summary": output.get("summary"),
            "text": output.get("text"),
            "annotations_count": f.get("annotations_count", 0),
            "annotations_url": f"{url}/annotations",
        },
        "check_suite": {"id": run.id + 1},
        "app": {
            "id": 15368,
            "slug": "github-actions",
            "node_id": node_id("A", 15368),
            "owner": ctx.render.user(app_owner),
            "name": "GitHub Actions",
            "description": "Automate your workflow from idea to production",
            "external_url": "https://help.github.com/en/actions",
            "html_url": f"{ctx.render.web}/apps/github-actions",
            "created_at": "2018-07-30T09:30:17Z",
            "updated_at": "2019-12-10T19:04:12Z",
            "permissions": {"checks": "write", "contents": "read", "metadata": "read"},
            "events": [],
        },
        "pull_requests": [],
    }


def _apply(run_fields: dict[str, Any], body: dict[str, Any], ctx: Ctx) -> None:
    for key, value in body.items():
        if key == "output":
            annotations = value.get("annotations") or []
            run_fields["annotations"] = [*run_fields.get("annotations", []), *annotations]
            run_fields["annotations_count"] = len(run_fields["annotations"])
        run_fields[key] = value
    if run_fields.get("conclusion") is not None and "completed_at" not in body:
        run_fields.setdefault("completed_at", now_iso())
        run_fields["status"] = "completed"
    if run_fields.get("status") == "completed" and run_fields.get("conclusion") is None:
        raise ctx.validation_failed(
            "CheckRun", "conclusion", "Conclusion can't be blank", code="missing_field"
        )
    run_fields.setdefault("started_at", now_iso())


def create_check_run(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    fields: dict[str, Any] = {}
    _apply(fields, dict(ctx.body), ctx)
    run = CheckRun(ctx.state.new_id(), repo, fields)
    ctx.state.check_runs[run.id] = run
    return Reply(201, _check_run(ctx, run))


def update_check_run(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    run = ctx.state.check_runs.get(int(ctx.params["check_run_id"]))
    if run is None or run.repo is not repo:
        raise ctx.not_found()
    fields = dict(run.fields)
    _apply(fields, dict(ctx.body), ctx)
    run.fields = fields
    return Reply(200, _check_run(ctx, run))


@functools.cache
def _sarif_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def _sarif_problems(sarif: Any) -> list[str]:
    problems = [
        f"SARIF schema: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _sarif_validator().iter_errors(sarif)
    ][:20]
    runs = sarif.get("runs", []) if isinstance(sarif, dict) else []
    seen: set[tuple[str, str]] = set()
    total = 0
    for run in runs if isinstance(runs, list) else []:
        if not isinstance(run, dict):
            continue
        tool = str(run.get("tool", {}).get("driver", {}).get("name", ""))
        category = str((run.get("automationDetails") or {}).get("id", ""))
        if (tool, category) in seen:
            problems.append(
                f"two runs share tool {tool!r} and category {category!r}: "
                "GitHub refuses such uploads"
            )
        seen.add((tool, category))
        total += len(run.get("results") or [])
    if total > MAX_RESULTS:
        problems.append(f"{total} results: GitHub rejects SARIF uploads over {MAX_RESULTS} results")
    return problems


def upload_sarif(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    encoded = str(ctx.body["sarif"])
    try:
        packed = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HttpError(
            400, ctx.error("Invalid SARIF: not base64", status=400), f"sarif: {exc}"
        ) from exc
    if len(packed) > MAX_SARIF_GZIP:
        raise HttpError(
            413, ctx.error("Payload Too Large", status=413), "sarif: over 10 MB gzipped"
        )
    try:
        sarif = json.loads(gzip.decompress(packed))
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        raise HttpError(
            400, ctx.error("Invalid SARIF: not gzip-compressed JSON", status=400), f"sarif: {exc}"
        ) from exc
    upload = SarifUpload(
        str(uuid.uuid4()),
        repo,
        str(ctx.body["commit_sha"]),
        str(ctx.body["ref"]),
        sarif,
        {k: v for k, v in ctx.body.items() if k != "sarif"},
        _sarif_problems(sarif),
    )
    ctx.state.sarifs[upload.id] = upload
    ctx.notes.extend(upload.errors)
    url = f"{ctx.render.repo_url(repo)}/code-scanning/sarifs/{upload.id}"
    return Reply(202, {"id": upload.id, "url": url})


def get_sarif(ctx: Ctx) -> Reply:
    repo = ctx.repo()
    upload = ctx.state.sarifs.get(str(ctx.params["sarif_id"]))
    if upload is None or upload.repo is not repo:
        raise ctx.not_found()
    analyses = f"{ctx.render.repo_url(repo)}/code-scanning/analyses?sarif_id={upload.id}"
    if upload.errors:
        return Reply(
            200, {"processing_status": "failed", "analyses_url": None, "errors": upload.errors}
        )
    return Reply(200, {"processing_status": "complete", "analyses_url": analyses, "errors": None})


HANDLERS: dict[str, Handler] = {
    "checks/create": create_check_run,
    "checks/update": update_check_run,
    "code-scanning/upload-sarif": upload_sarif,
    "code-scanning/get-sarif": get_sarif,
}
