"""The review-quality benchmark's own tools: build and check the instances, write their
gold lines, and run the benchmark with scripted models against the loopback K2 server.

    python bench/quality.py build  [INSTANCES] [--cache DIR] [--mirrors DIR]
    python bench/quality.py gold   [INSTANCES] --write        # authoring: gold from the diffs
    python bench/quality.py scripted [INSTANCES] --model oracle|silent|noisy [--configs ...]

INSTANCES defaults to bench/quality/instances.json. ``--mirrors DIR`` fills an empty cache
from local clones named DIR/owner+name/repo (bare or not) instead of the network.
``scripted`` runs the real `reviewbot eval` (so `reviewbot review` per instance) against
the loopback server with a scripted reviewer: the oracle files one finding on a gold line
of each defect, the silent model none, the noisy model the oracle's plus one finding on a
changed line away from the gold in every instance. Its scores check the data (an oracle
below F1 = 1 means a gold line a review cannot comment on) and the scoring.

Real models are run with `reviewbot eval` itself (docs/quality.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewbot.eval.build import BuiltInstance, build_instance, cache_path, problems  # noqa: E402
from reviewbot.eval.instances import gold_json, load_instances  # noqa: E402
from tests.fakes.k2_server import K2Server  # noqa: E402
from tests.fakes.review_models import ScriptedReviewer, plans  # noqa: E402
from tests.helpers.quality_synthetic import build_synthetic  # noqa: E402

DEFAULT_INSTANCES = ROOT / "bench" / "quality" / "instances.json"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "reviewbot-quality"


def fill_cache(instances_path: Path, cache: Path, mirrors: Path | None) -> None:
    """Synthetic repositories built here; public ones cloned from local mirrors if given."""
    for key, repository in load_instances(instances_path).repositories.items():
        if key.startswith("synthetic/"):
            build_synthetic(cache / "repos")
            continue
        if mirrors is None:
            continue
        target = cache_path(cache / "repos", repository)
        source = mirrors / key.replace("/", "+") / "repo"
        if not target.exists() and source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["git", "clone", "--quiet", "--bare", str(source), str(target)], check=True
            )


def build(instances_path: Path, cache: Path) -> list[BuiltInstance]:
    instances = load_instances(instances_path)
    return [
        build_instance(instances, i, cache / "repos", cache / "work" / "instances")
        for i in instances.instances
    ]


def scripted(args: argparse.Namespace) -> int:
    built = build(args.instances, args.cache)
    reviewer = ScriptedReviewer(plans(built, args.model))
    server = K2Server(mode="moonshot").start()
    server.script(reviewer.turns())
    env = {
        **os.environ,
        "REVIEWBOT_PROVIDER": "openai-compatible",
        "REVIEWBOT_BASE_URL": server.base_url,
        "REVIEWBOT_API_KEY": "sk-scripted",
    }
    output = args.output or args.cache / f"scripted-{args.model}.json"
    try:
        done = subprocess.run(
            [sys.executable, "-P", "-m", "reviewbot", "eval", str(args.instances),
             "--cache", str(args.cache), "--configs", args.configs, "-o", str(output),
             *[f"--only={ident}" for ident in args.only]],
            env=env, check=False,
        )  # fmt: skip
    finally:
        server.stop()
    if reviewer.unknown_heads:
        print(f"warning: {reviewer.unknown_heads} request(s) named no known head", file=sys.stderr)
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("build", "gold", "scripted"))
    parser.add_argument("instances", nargs="?", type=Path, default=DEFAULT_INSTANCES)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--mirrors", type=Path, help="local clones: DIR/owner+name/repo")
    parser.add_argument("--write", action="store_true", help="gold: rewrite the file")
    parser.add_argument("--model", choices=("oracle", "silent", "noisy"), default="oracle")
    parser.add_argument("--configs", default="default,no-verify,budget-64k")
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument(
        "--only", action="append", default=[], metavar="ID", help="scripted: one id"
    )
    args = parser.parse_args(argv)
    fill_cache(args.instances, args.cache, args.mirrors)
    if args.command == "scripted":
        return scripted(args)
    built = build(args.instances, args.cache)
    bad = 0
    for one in built:
        wrong = problems(one) if args.command == "build" else []
        bad += bool(wrong)
        print(f"{one.instance.id:48} {one.base[:10]}..{one.head[:10]} gold {len(one.gold)}"
              + "".join(f"\n    PROBLEM {w}" for w in wrong))  # fmt: skip
    if args.command == "gold" and args.write:
        data = json.loads(args.instances.read_text(encoding="utf-8"))
        computed = {one.instance.id: gold_json(one.gold) for one in built}
        for raw in data["instances"]:
            if raw["kind"] != "clean":
                raw["gold"] = computed[raw["id"]]
        args.instances.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
