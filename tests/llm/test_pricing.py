"""Prices per model, settings overrides, and the ledger over a real session."""

from __future__ import annotations

from typing import Any

import pytest

from reviewbot.config import load_settings
from reviewbot.llm.pricing import (
    K2_THINKING,
    K2_THINKING_TURBO,
    Prices,
    UsageLedger,
    cost_usd,
    prices_for,
)
from reviewbot.llm.types import Usage
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.llm.conftest import TOOLS, tool_results


def test_cost_counts_cached_input_at_its_own_price() -> None:
    usage = Usage(
        input_tokens=1_000_000,
        cached_tokens=400_000,
        output_tokens=100_000,
        reasoning_tokens=80_000,
    )
    # 600k uncached * $0.60 + 400k cached * $0.15 + 100k output * $2.50 (reasoning inside)
    assert cost_usd(usage, K2_THINKING) == pytest.approx(0.36 + 0.06 + 0.25)
    assert cost_usd(Usage(), K2_THINKING) == 0.0
    fully_cached = Usage(input_tokens=1_000_000, cached_tokens=1_000_000)
    assert cost_usd(fully_cached, K2_THINKING) == pytest.approx(0.15)


@pytest.mark.parametrize(
    ("model", "prices"),
    [
        ("kimi-k2-thinking", K2_THINKING),
        ("moonshotai/kimi-k2-thinking", K2_THINKING),
        ("openrouter/kimi-k2-thinking", K2_THINKING),
        ("moonshotai/kimi-k2-thinking:nitro", K2_THINKING),
        ("kimi-k2-thinking-turbo", K2_THINKING_TURBO),
        ("moonshotai/kimi-k2-thinking-turbo", K2_THINKING_TURBO),
        ("Kimi-K2-Thinking", K2_THINKING),
    ],
)
def test_table_covers_every_provider_id(model: str, prices: Prices) -> None:
    assert prices_for(model) == prices


def test_unknown_models_are_priced_as_k2_and_flagged() -> None:
    prices = prices_for("my-local-k2")
    assert (prices.input, prices.cached_input, prices.output) == (0.60, 0.15, 2.50)
    assert prices.known is False


def test_settings_override_each_component() -> None:
    settings = load_settings(root=None, env={"REVIEWBOT_PRICES_OUTPUT": "3.0"})
    assert prices_for("kimi-k2-thinking", settings) == Prices(0.60, 0.15, 3.0)
    settings = load_settings(
        root=None,
        env={
            "REVIEWBOT_PRICES_INPUT": "0.1",
            "REVIEWBOT_PRICES_CACHED_INPUT": "0.01",
            "REVIEWBOT_PRICES_OUTPUT": "0.5",
        },
    )
    assert prices_for("my-local-k2", settings) == Prices(0.1, 0.01, 0.5, known=True)


@pytest.mark.parametrize("mode", ["moonshot", "openrouter", "vllm"])
def test_ledger_over_a_session(k2_server: K2Server, make_client, mode: str) -> None:
    k2_server.mode = mode  # type: ignore[assignment]
    k2_server.script(
        [
            Turn(reasoning="Look " * 20, tool_calls=[FakeCall("read_file", {"path": f"f{i}.py"})])
            for i in range(4)
        ]
        + [Turn(reasoning="Done.", content="No findings.")]
    )
    client = make_client({"vllm": "openai-compatible"}.get(mode, mode))
    ledger = UsageLedger(prices_for("kimi-k2-thinking"))
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You review. " * 300},
        {"role": "user", "content": "go"},
    ]
    while True:
        turn = client.complete(messages, TOOLS)
        ledger.add(turn.usage, turn.model)
        messages.append(client.assistant_message(turn))
        if not turn.tool_calls:
            break
        messages.extend(tool_results(turn, "x = 1\n" * 20))

    reported = k2_server.usages
    assert len(ledger.calls) == 5
    assert ledger.total.input_tokens == sum(u["prompt_tokens"] for u in reported)
    assert ledger.total.output_tokens == sum(u["completion_tokens"] for u in reported)
    assert ledger.calls[0].usage.cached_tokens == 0
    assert ledger.cached_share > 0.75  # the append-only conversation re-uses its prefix
    expected = sum(
        (
            (u.input_tokens - u.cached_tokens) * 0.60
            + u.cached_tokens * 0.15
            + u.output_tokens * 2.50
        )
        / 1e6
        for u in (c.usage for c in ledger.calls)
    )
    assert ledger.cost_usd == pytest.approx(expected)
    if mode == "openrouter":  # the provider's own bill agrees
        assert ledger.cost_usd == pytest.approx(sum(u["cost"] for u in reported), abs=1e-6)
    stats = ledger.stats()
    assert stats["cached_tokens"] == ledger.total.cached_tokens and stats["cost_usd"] == round(
        ledger.cost_usd, 6
    )
