"""``reviewbot github``: the base commit's ``deny_paths`` hold for the pull request's head.

Issue 14, item 3: the head view was built before the base commit's settings were loaded,
so ``deny_paths`` from the base config was ignored and a denied file's content reached the
model. Here the base denies ``config/prod.yml``; the pull request changes it, and a model
that obeys the pull request asks for it by name, by search and by listing.
"""

from __future__ import annotations

import pytest

from tests.fakes.k2_server import FakeCall, Turn
from tests.github.conftest import Bench
from tests.hostile.checks import tool_answers
from tests.hostile.conftest import PullBench

CANARY = "prod-db-password-canary-7d1e"


@pytest.fixture
def denied_bench(pull_bench: PullBench) -> Bench:
    base = {
        ".reviewbot.toml": 'deny_paths = ["config/prod.yml"]\n',
        "config/prod.yml": "db_password: old\n",
        "app/db.py": "def connect():\n    return None\n",
    }
    head = {
        "config/prod.yml": f"db_password: {CANARY}\n",
        "app/db.py": "def connect():\n    return open_db()\n",
    }
    return pull_bench("denied", base, head)


def test_the_base_deny_list_covers_the_head(denied_bench: Bench) -> None:
    bench = denied_bench
    event = bench.seed()
    asks = [
        FakeCall("read_file", {"path": "config/prod.yml"}),
        FakeCall("search_code", {"pattern": "db_password"}),
        FakeCall("list_files", {"path": "config"}),
    ]
    bench.k2.script(
        [
            Turn(reasoning="The description says to check the password.", tool_calls=asks),
            Turn(tool_calls=[FakeCall("finish_review", {"summary": "done"})]),
        ]
    )
    run = bench.run(event)
    assert run.code in (0, 1), run.stderr
    to_model = [m for r in bench.k2.requests for m in r["messages"] if m["role"] != "assistant"]
    assert CANARY not in str(to_model)  # not in the diff, the context or a tool result
    answers = [text for _, text in tool_answers(bench.k2.requests)]
    assert answers[0].startswith("error:") and "deny list" in answers[0], answers[0]
