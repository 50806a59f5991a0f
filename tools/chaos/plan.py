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
    products: int = 4  # the run's own products; each customer orders one unit of one of them
    stock_share: float = 0.7  # the units received, as a share of the units ordered
    # An unpaid order's life (orders' RESERVATION_TTL_SECONDS): the declined ones expire during
    # the settle phase; a paying customer pays well within it, faults included (on a loaded
    # machine a restarted gateway once took 65 s: a 60 s life expired two paying customers).
    reservation_ttl: float = 120.0
