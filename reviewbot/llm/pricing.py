"""What model calls cost, and a ledger that adds them up.

List prices in USD per 1M tokens. K2 Thinking: $0.60 input, $0.15 cached input, $2.50
output (Moonshot; OpenRouter and inference.sh pass the same list price through). A call
whose provider reported its cost (``Usage.reported_cost_usd``) is counted at that figure.
K2 Thinking Turbo: $1.15 input and $8.00 output are Moonshot's list prices; its cached
input price is assumed to be $0.15 like K2 Thinking's (not confirmed). Models not in the
table are priced as K2 Thinking, marked ``known=False``. Settings override any component
(``prices_input``, ``prices_cached_input``, ``prices_output``; 0 keeps the table's).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reviewbot.llm.types import Usage

if TYPE_CHECKING:
    from reviewbot.config import Settings


@dataclass(frozen=True)
class Prices:
    input: float  # USD per 1M uncached input tokens
    cached_input: float  # USD per 1M cached input tokens
    output: float  # USD per 1M output tokens (reasoning included)
    known: bool = True  # False: the model was not in the table


K2_THINKING = Prices(input=0.60, cached_input=0.15, output=2.50)
K2_THINKING_TURBO = Prices(input=1.15, cached_input=0.15, output=8.00)

PRICE_TABLE: dict[str, Prices] = {
    "kimi-k2-thinking": K2_THINKING,
    "moonshotai/kimi-k2-thinking": K2_THINKING,
    "openrouter/kimi-k2-thinking": K2_THINKING,
    "kimi-k2-thinking-turbo": K2_THINKING_TURBO,
    "moonshotai/kimi-k2-thinking-turbo": K2_THINKING_TURBO,
}


def prices_for(model: str, settings: Settings | None = None) -> Prices:
    """The table's prices for ``model`` with any non-zero setting laid over them."""
    key = model.strip().lower().split(":", 1)[0]
    prices = PRICE_TABLE.get(key) or PRICE_TABLE.get(key.rsplit("/", 1)[-1])
    if prices is None:
        prices = replace(K2_THINKING, known=False)
    if settings is not None:
        overrides = (settings.prices_input, settings.prices_cached_input, settings.prices_output)
        prices = Prices(
            input=overrides[0] or prices.input,
            cached_input=overrides[1] or prices.cached_input,
            output=overrides[2] or prices.output,
            known=prices.known or all(overrides),
        )
    return prices


def cost_usd(usage: Usage, prices: Prices) -> float:
    """Dollars for one call's (or a sum of calls') tokens; the provider's own figure when
    it reported one."""
    if usage.reported_cost_usd is not None:
        return usage.reported_cost_usd
    return (
        usage.uncached_tokens * prices.input
        + min(usage.cached_tokens, usage.input_tokens) * prices.cached_input
        + usage.output_tokens * prices.output
    ) / 1_000_000


@dataclass(frozen=True)
class CallCost:
    usage: Usage
    cost_usd: float
    model: str = ""


class UsageLedger:
    """Every call of a session, its tokens and cost, and the totals."""

    def __init__(self, prices: Prices) -> None:
        self.prices = prices
        self._calls: list[CallCost] = []
        self._total = Usage()
        self._cost = 0.0

    def add(self, usage: Usage, model: str = "") -> CallCost:
        call = CallCost(usage=usage, cost_usd=cost_usd(usage, self.prices), model=model)
        self._calls.append(call)
        self._total = self._total + usage
        self._cost += call.cost_usd
        return call

    @property
    def calls(self) -> tuple[CallCost, ...]:
        return tuple(self._calls)

    @property
    def total(self) -> Usage:
        return self._total

    @property
    def cost_usd(self) -> float:
        return self._cost

    @property
    def cached_share(self) -> float:
        """Cached input tokens over all input tokens (0 when nothing was sent)."""
        total = self._total
        return total.cached_tokens / total.input_tokens if total.input_tokens else 0.0

    def stats(self) -> dict[str, int | float]:
        """The token and cost fields of the JSON output's ``stats``."""
        total = self._total
        return {
            "input_tokens": total.input_tokens,
            "cached_tokens": total.cached_tokens,
            "output_tokens": total.output_tokens,
            "reasoning_tokens": total.reasoning_tokens,
            "cost_usd": round(self._cost, 6),
        }
