"""What the end-to-end bench runs against (`Target`), how hard it pushes (`Sizes`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


class BenchError(RuntimeError):
    """The stack answered something other than what the bench expects."""


@dataclass(frozen=True)
class Target:
    """A running stack: where to send requests, and which processes to watch."""

    gateway: str
    gateway_internal: str  # its internal listener: /metrics
    users: str
    orders: str
    payments: str
    internal: Mapping[str, str]  # subgraph name -> its internal listener: /metrics
    sink: str  # the SMTP sink's HTTP API
    redis_url: str
    mongo_uri: str
    # Part name -> its process ids (CPU and memory); empty where not known.
    pids: Mapping[str, Sequence[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Sizes:
    """How much load each table applies; `SMOKE` checks the answers in seconds."""

    users: int = 24
    step_seconds: float = 10.0
    confirm_seconds: float = 60.0
    half_rate_seconds: float = 30.0
    start_rate: float = 2.0
    max_rate: float = 64.0
    fanout_orders: int = 200
    fanout_per_order: int = 10
    fanout_one_order: int = 500
    # The 2,000 subscribers' orders are paid at this rate (below the sustainable rate of the
    # events table: the latency is the fan-out, not a queue of payments), then a second set all
    # at once, which shows the payment backlog instead.
    fanout_pay_rate: float = 10.0
    cost_seconds: float = 10.0
    cost_concurrency: int = 8
    raw_write_seconds: float = 3.0
    # Strict: a missing delivery or mail fails the run instead of showing in the table.
    strict: bool = False


SMOKE = Sizes(
    users=2,
    step_seconds=1.0,
    confirm_seconds=1.0,
    half_rate_seconds=1.0,
    start_rate=2.0,
    max_rate=2.0,
    fanout_orders=2,
    fanout_per_order=2,
    fanout_one_order=3,
    fanout_pay_rate=4.0,
    cost_seconds=0.5,
    cost_concurrency=2,
    raw_write_seconds=0.3,
    strict=True,
)


def ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:.0f} ms"  # NaN: nothing measured
