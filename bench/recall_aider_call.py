"""Runs bench/recall_aider.py in aider's venv for the samples not yet in its cache."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.recall_samples import Sample

SCRIPT = Path(__file__).resolve().with_name("recall_aider.py")


def run_aider(
    python: str,
    git_dir: Path,
    name: str,
    samples: Sequence[Sample],
    dumps: Sequence[Mapping[str, Any]],
    cache: Path,
) -> dict[str, list[str]]:
    file = cache / f"{name.replace('/', '+')}.tags-with-message.json"
    known: dict[str, list[str]] = json.loads(file.read_text()) if file.exists() else {}
    todo = [
        {
            "key": s.key,
            "sha": s.sha,
            "hidden": s.hidden,
            "changed": d["changed"],
            "pool": d["pool"],
            "words": d["words"],
            "message": d["message"],
        }
        for s, d in zip(samples, dumps, strict=True)
        if s.key not in known and not d["unseen"]
    ]
    if todo:
        job = {"git": str(git_dir), "tree": str(cache / "trees" / file.stem), "samples": todo}
        done = subprocess.run(
            [python, str(SCRIPT)], input=json.dumps(job), capture_output=True, text=True
        )
        if done.returncode != 0:
            print(f"{name}: aider failed: {done.stderr.strip().splitlines()[-1:]}")
            return {}
        known.update(json.loads(done.stdout))
        cache.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(known))
    return known
