"""The run's customers (testkit's shoppers with a scenario) and the run's clock and tallies.

Customers go through `testkit.journeys.Journey`: it retries like a careful
client, repeating what may have happened already only where that is safe.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from testkit.journeys import Shopper, Tallies
from tools.chaos.scenarios import REJECTED, Scenario
from tools.chaos.watchers import Watcher

PASSWORD = f"chaos-{uuid.uuid4().hex[:12]}"  # throwaway accounts of one run


@dataclass(kw_only=True)
class Customer(Shopper):
    """One customer: its account, what it does (``scenario``), the product it orders one
    unit of (``sku``) and how far it got."""

    index: int
    scenario: Scenario
    sku: str = ""
    password: str = PASSWORD
    name: str = "Chaos"
    order_id: str = ""
    payment_id: str = ""
    rejected: bool = False  # its payment answered ORDER_REJECTED: the units went to others
    paid_after: float | None = None  # seconds from its order to its payment's answer
    failed: str = ""
    watcher: Watcher | None = None

    @property
    def expected(self) -> Scenario:
        """What the system must show for it: its scenario's outcome, or REJECTED's."""
        return REJECTED if self.rejected else self.scenario


@dataclass
class Stats:
    """The run's clock, the customers done, and the journey's tallies (retries, in flight)."""

    started: float = field(default_factory=time.monotonic)
    tallies: Tallies = field(default_factory=Tallies)
    done: int = 0

    def t(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    @property
    def retries(self) -> Counter[str]:
        return self.tallies.retries

    @property
    def causes(self) -> Counter[str]:
        return self.tallies.causes

    @property
    def inflight(self) -> Counter[str]:
        return self.tallies.inflight
