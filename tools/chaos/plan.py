"""How big a chaos run is: orders, processes per service, how long customers arrive for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Plan:
    """The size of a run (`make chaos` takes the defaults, the test a hundred orders)."""

    orders: int = 1000
    replicas: int = 2
    duration: float = 150.0  # the customers' arrivals are spread over this many seconds
    settle: float = 240.0  # after the last customer, how long the system may take to settle
    watch_every: int = 10  # one customer in this many subscribes to its order
    concurrency: int = 40
    step_deadline: float = 300.0
