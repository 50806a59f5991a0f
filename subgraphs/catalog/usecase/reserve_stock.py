"""The saga's first step: a placed order's lines are reserved, all of them or none."""

from __future__ import annotations

import logging
from functools import partial

from subgraphs.catalog.domain.reservation import (
    Item,
    Reservation,
    Short,
    ShortReason,
    merged,
    rejected,
    reserved,
)
from subgraphs.catalog.usecase.ports import ConcurrentUpdate, Products, Reservations
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.events import Event, MalformedEvent
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

ORDER_CREATED = "orders.created"
ATTEMPTS = 3


class StockInFlux(Exception):
    """The lines missed when reserved, yet fit when re-read, again and again: the consumer
    delivers the event again later."""


class ReserveStock:
    """On `orders.created`: in one unit of work, one conditional update per sku (ACTIVE, that
    many available) and the order's reservation; any miss aborts it all and the rejection is
    written instead. Emits `stock.reserved` or `stock.rejected` (the short lines: requested,
    available, and `reason`: out_of_stock, archived or unknown, the last two with 0 available).

    Idempotent per order: an order that has a reservation (reserved, rejected, or the
    tombstone of an order cancelled first) is not reserved again. The event is claimed only
    by the unit of work that writes the reservation; one that finds a reservation (or loses
    the race to a duplicate or to the tombstone of a concurrent cancellation) writes nothing.
    """

    def __init__(
        self,
        products: Products,
        reservations: Reservations,
        uow: UnitOfWork,
        clock: Clock,
        new_id: NewId,
    ) -> None:
        self._products = products
        self._reservations = reservations
        self._uow = uow
        self._clock = clock
        self._new_id = new_id

    async def __call__(self, event: Event) -> Reservation | None:
        """The reservation written (RESERVED or REJECTED); None if the order had one."""
        try:
            order_id = str(event.payload["order_id"])
            user_id = event.payload.get("user_id")
            items = merged(event.payload["items"])
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedEvent(f"orders.created without usable lines: {exc!r}") from exc
        if await self._uow.applied(event.id) or await self._reservations.get(order_id):
            return None
        for _ in range(ATTEMPTS):
            now = self._clock()
            held = reserved(order_id, str(user_id) if user_id else None, items, now)
            try:
                if await self._uow(partial(self._hold, held), recorded=held, claim=event.id):
                    return held
            except ConcurrentUpdate:  # the order got a reservation meanwhile: nothing held
                return None
            if await self._uow.applied(event.id) or await self._reservations.get(order_id):
                return None  # a duplicate delivery won the race
            short = await self._short(items)
            if not short:
                continue  # units came back since the attempt: try again
            refused = rejected(held.order_id, held.user_id, items, short, now)
            try:
                done = await self._uow(
                    partial(self._reservations.add, refused), recorded=refused, claim=event.id
                )
            except ConcurrentUpdate:  # the order got a reservation meanwhile
                return None
            log.info("stock rejected", extra={"order_id": order_id, "short": len(short)})
            return refused if done else None
        raise StockInFlux(order_id)

    async def _hold(self, reservation: Reservation) -> bool:
        now, order_id = reservation.updated_at, reservation.order_id
        if not await self._products.hold(reservation.items, order_id, now, self._new_id):
            return False
        await self._reservations.add(reservation)
        return True

    async def _short(self, items: tuple[Item, ...]) -> tuple[Short, ...]:
        products = await self._products.get_many([i.sku for i in items])
        short = []
        for item, product in zip(items, products, strict=True):
            if product is None:
                short.append(Short(item.sku, item.quantity, 0, ShortReason.UNKNOWN))
            elif not product.active:
                short.append(Short(item.sku, item.quantity, 0, ShortReason.ARCHIVED))
            elif product.available < item.quantity:
                short.append(Short(item.sku, item.quantity, product.available))
        return tuple(short)
