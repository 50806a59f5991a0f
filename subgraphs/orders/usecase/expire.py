"""Cancel orders nobody paid in time, so the catalog releases their stock."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.orders.domain.order import EXPIRED, OrderStatus
from subgraphs.orders.usecase.change_status import ChangeStatus
from subgraphs.orders.usecase.ports import ConcurrentUpdate, OrderRepository

log = logging.getLogger(__name__)

Hold = Callable[[], Awaitable[bool]]


async def _always() -> bool:
    return True


class ExpireOrders:
    """One pass: every order still unpaid (PENDING, PAYMENT_FAILED) past its `expires_at`
    becomes CANCELLED, by the system, reason "expired"; its `orders.cancelled` carries
    that reason and a null `actor_id`.

    The deadline is stored with the order, so a pass after a restart finds what
    expired while the process was down. An order paid or cancelled meanwhile is
    skipped (its status change wins; the transition is version-checked). An
    order stored before deadlines existed gets its deadline first (`created_at
    + ttl`), at every pass, so one an older process places during a rolling
    update is caught too.
    """

    def __init__(
        self,
        orders: OrderRepository,
        change: ChangeStatus,
        clock: Clock,
        *,
        ttl: timedelta,
        batch: int = 100,
    ) -> None:
        self._orders = orders
        self._change = change
        self._clock = clock
        self._ttl = ttl
        self._batch = batch

    async def __call__(self, hold: Hold = _always) -> int:
        """Expire what is due now, a batch at a time; how many orders were cancelled.

        `hold()` (the pass's lease, taken or renewed) is asked before each batch: once it
        fails, another replica has taken the pass over and this one stops, so a long
        backlog is never worked through by two replicas at once.
        """
        if not await hold():
            return 0
        if dated := await self._orders.give_deadlines(self._ttl):
            log.info("orders stored without a deadline got one", extra={"orders": dated})
        cancelled = 0
        while True:
            if not await hold():
                log.info("expiry pass stopped: its lease is lost", extra={"cancelled": cancelled})
                return cancelled
            due = await self._orders.expired(self._clock(), self._batch)
            done = 0
            for order in due:
                try:
                    await self._change(order.id, OrderStatus.CANCELLED, reason=EXPIRED)
                except (DomainError, ConcurrentUpdate) as error:
                    log.info(
                        "order not expired; it changed meanwhile",
                        extra={"order_id": order.id, "reason": repr(error)},
                    )
                    continue
                done += 1
            cancelled += done
            if len(due) < self._batch or done == 0:
                return cancelled
