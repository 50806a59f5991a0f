"""The catalog's answer to a placed order: its stock reserved, or the order rejected."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.events import Event, MalformedEvent
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.orders.domain.order import OUT_OF_STOCK, Order, OrderStatus
from subgraphs.orders.usecase.change_status import ATTEMPTS, ChangeStatus
from subgraphs.orders.usecase.ports import ConcurrentUpdate, OrderRepository

log = logging.getLogger(__name__)

STOCK_RESERVED = "stock.reserved"
STOCK_REJECTED = "stock.rejected"
OUT_OF_STOCK_LINE = "out_of_stock"  # a short line's reason when the catalog gave none


class ApplyStockEvent:
    """React to `stock.reserved` and `stock.rejected` of an order.

    - `stock.reserved`: the order's `stock_reserved` becomes true (one version
      later, no status event), while it is payable; for an order cancelled or
      rejected meanwhile it changes nothing (catalog releases on the cancellation).
    - `stock.rejected`: a PENDING order becomes REJECTED (the system, reason
      "out of stock"), emitting `orders.rejected` with `short`: the lines that
      could not be reserved, `{sku, name, requested, available, reason}` (the catalog's:
      out_of_stock, archived, unknown). Any other
      status (cancelled, expired, ...) is left as it is.

    Idempotent on the event id (the inbox claim shares the change's
    transaction); every version is checked, so a racing change is re-read.
    An event the order's status does not allow is logged and counted.
    """

    TYPES = (STOCK_RESERVED, STOCK_REJECTED)

    def __init__(
        self,
        orders: OrderRepository,
        uow: UnitOfWork,
        change: ChangeStatus,
        clock: Clock,
        on_ignored: Callable[[str], None],
    ) -> None:
        self._orders = orders
        self._uow = uow
        self._change = change
        self._clock = clock
        self._on_ignored = on_ignored

    async def __call__(self, event: Event) -> None:
        order_id = event.payload.get("order_id")
        if not isinstance(order_id, str):
            raise MalformedEvent(f"{event.type} without an order_id")
        if await self._uow.applied(event.id):
            return
        if event.type == STOCK_RESERVED:
            await self._reserved(event, order_id)
        else:
            await self._rejected(event, order_id)

    async def _reserved(self, event: Event, order_id: str) -> None:
        for _ in range(ATTEMPTS):
            [order] = await self._orders.get_many([order_id])
            changed = order.reserve_stock(self._clock()) if order else None
            if changed is None:
                self._ignore(event, order_id, order)
                return
            try:
                await self._uow(partial(self._orders.save, changed), claim=event.id)
            except ConcurrentUpdate:
                continue
            return
        raise ConcurrentUpdate(order_id)

    async def _rejected(self, event: Event, order_id: str) -> None:
        [order] = await self._orders.get_many([order_id])
        if order is None or order.status is not OrderStatus.PENDING:
            self._ignore(event, order_id, order)
            return
        short = _short(event.payload.get("short"), order)
        try:
            await self._change(
                order_id,
                OrderStatus.REJECTED,
                cause=event,
                extra={"short": short},
                reason=OUT_OF_STOCK,
            )
        except DomainError as error:  # it moved on meanwhile
            self._ignore(event, order_id, order, str(error))

    def _ignore(
        self, event: Event, order_id: str, order: Order | None, reason: str | None = None
    ) -> None:
        log.info(
            "stock event ignored",
            extra={
                "event_id": event.id,
                "type": event.type,
                "order_id": order_id,
                "reason": reason or (order.status.value if order else "no such order"),
            },
        )
        self._on_ignored(event.type)


def _short(lines: object, order: Order) -> list[dict[str, Any]]:
    """The lines that could not be reserved, each named as in the order."""
    if not isinstance(lines, list):
        raise MalformedEvent("stock.rejected without its short lines")
    names = {item.sku: item.name for item in order.items}
    short = []
    for line in lines:
        if not isinstance(line, Mapping) or not isinstance(line.get("sku"), str):
            raise MalformedEvent("a short line without a sku")
        sku = line["sku"]
        short.append(
            {
                "sku": sku,
                "name": names.get(sku, sku),
                "requested": int(line.get("requested", 0)),
                "available": int(line.get("available", 0)),
                "reason": str(line.get("reason") or OUT_OF_STOCK_LINE),
            }
        )
    return short
