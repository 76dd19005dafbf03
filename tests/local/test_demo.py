"""The scripted review bench/tmux_demo.sh plays (tests/local/slow_k2.py), run without delay
so the demo cannot rot: it retries a dropped stream, files two findings, verifies both."""

from __future__ import annotations

import pytest

from tests.helpers.launch import reviewbot
from tests.local.conftest import Pushable, model_env
from tests.local.slow_k2 import SlowK2Server, demo_script


@pytest.mark.slow
def test_the_demo_review_plays_through(pushable: Pushable) -> None:
    server = SlowK2Server(delay=0.0, strict_roundtrip=False).start()
    try:
        server.script(demo_script(server))
        env = model_env(server, REVIEWBOT_VERIFY="true")
        done = reviewbot(pushable.work.path, "review", "--base", "main", "-v", env=env)
    finally:
        server.stop()
    assert done.code == 1, done.stderr  # a critical finding
    assert "2 findings (1 critical, 1 minor) · 8 steps" in done.stdout
    assert "model call failed (the connection dropped" in done.stderr  # then retried
    assert len(server.requests) == 9  # eight turns and the retried one
    assert server.remaining == 0
