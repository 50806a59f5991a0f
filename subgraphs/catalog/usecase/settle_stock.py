"""The saga's later steps on an order's reservation: commit (paid), release (cancelled or
expired), restock (refunded with the units returned). Each is idempotent on the event and on
the reservation's status, so a redelivered, late or reordered event changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial

from subgraphs.catalog.domain.product import AdjustmentReason
from subgraphs.catalog.domain.reservation import Item, Reservation, ReservationStatus, tombstone
from subgraphs.catalog.usecase.adjust_stock import change_on_hand
from subgraphs.catalog.usecase.ports import ConcurrentUpdate, Products, Reservations
from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.events import Event, EventTooEarly, MalformedEvent
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import Decided, UnitOfWork

log = logging.getLogger(__name__)

ORDER_PAID = "orders.paid"
ORDER_CANCELLED = "orders.cancelled"
PAYMENT_REFUNDED = "payments.refunded"
ATTEMPTS = 3

_Move = Callable[[Sequence[Item], str, datetime, NewId], Awaitable[None]]


def _order_id(event: Event) -> str:
    order_id = event.payload.get("order_id")
    if not order_id:
        raise MalformedEvent(f"{event.type} without an order_id")
    return str(order_id)


class SettleStock:
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

    async def commit(self, event: Event) -> Reservation | None:
        """On `orders.paid`: the held units leave on hand (`stock.committed`); a refund that
        came first returns them in the same unit of work (RETURNED, its actor). Paid before it
        was reserved waits (EventTooEarly); a released or rejected one is left alone."""
        order_id = _order_id(event)
        for _ in range(ATTEMPTS):
            if await self._uow.applied(event.id):
                return None
            current = await self._reservations.get(order_id)
            if current is None:
                raise EventTooEarly(f"orders.paid of {order_id} before its reservation")
            if current.status is not ReservationStatus.RESERVED:
                self._ignore(event, current)
                return None
            committed = current.commit(self._clock())
            decided = Decided(list(committed.events))
            work = partial(self._commit, committed, decided)
            try:
                done = await self._uow(work, recorded=decided, claim=event.id)
            except ConcurrentUpdate:
                continue
            return committed if done else None
        raise ConcurrentUpdate(order_id)

    async def release(self, event: Event) -> Reservation | None:
        """On `orders.cancelled`: the held units are available again (`stock.released`, the
        cancellation's reason). Not reserved yet: a tombstone, so it never will be."""
        order_id = _order_id(event)
        reason = str(event.payload.get("reason") or "cancelled")
        for _ in range(ATTEMPTS):
            if await self._uow.applied(event.id):
                return None
            current = await self._reservations.get(order_id)
            try:
                if current is None:
                    user_id = event.payload.get("user_id")
                    marker = tombstone(order_id, str(user_id) if user_id else None, self._clock())
                    work = partial(self._reservations.add, marker)
                    done = await self._uow(work, recorded=marker, claim=event.id)
                    return marker if done else None
                if current.status is not ReservationStatus.RESERVED:
                    self._ignore(event, current)
                    return None
                released = current.release(reason, self._clock())
                work = partial(self._apply, self._products.unhold, released)
                done = await self._uow(work, recorded=released, claim=event.id)
                return released if done else None
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate(order_id)

    async def restock(self, event: Event) -> Reservation | None:
        """On `payments.refunded` with `restock: true`: the committed units return to stock
        (a RETURNED adjustment per sku, `stock.adjusted` with the refund's actor), once. Still
        RESERVED (the payment's commit not applied here yet): the event is claimed and the
        restock kept on the reservation, for the commit to apply."""
        if event.payload.get("restock") is not True:
            return None
        order_id = _order_id(event)
        actor_id = event.payload.get("actor_id")
        actor = str(actor_id) if actor_id else None
        for _ in range(ATTEMPTS):
            if await self._uow.applied(event.id):
                return None
            current = await self._reservations.get(order_id)
            if current is None:
                raise EventTooEarly(f"payments.refunded of {order_id} before its reservation")
            try:
                if current.status is ReservationStatus.RESERVED and not current.restock_pending:
                    pending = current.restock_on_commit(actor, self._clock())
                    work = partial(self._reservations.save, pending)
                    done = await self._uow(work, recorded=pending, claim=event.id)
                    return pending if done else None
                if current.status is not ReservationStatus.COMMITTED or current.restocked:
                    self._ignore(event, current)
                    return None
                restocked = current.restock(actor, self._clock())
                decided = Decided()
                work = partial(self._restock, restocked, decided)
                done = await self._uow(work, recorded=decided, claim=event.id)
                return restocked if done else None
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate(order_id)

    async def _apply(self, move: _Move, reservation: Reservation) -> None:
        await move(reservation.items, reservation.order_id, reservation.updated_at, self._new_id)
        await self._reservations.save(reservation)

    async def _commit(self, committed: Reservation, decided: Decided) -> None:
        at = committed.updated_at
        await self._products.take(committed.items, committed.order_id, at, self._new_id)
        if committed.restocked:  # a refund with restock came before the commit
            await self._return_units(committed, committed.restock_actor, decided)
        await self._reservations.save(committed)

    async def _restock(self, reservation: Reservation, decided: Decided) -> None:
        await self._return_units(reservation, reservation.restock_actor, decided)
        await self._reservations.save(reservation)

    async def _return_units(
        self, reservation: Reservation, actor: str | None, decided: Decided
    ) -> None:
        """Each item's units back on hand: a RETURNED movement and `stock.adjusted` each (a
        product that no longer exists is skipped)."""
        note = f"Refund of order {reservation.order_id}"
        for item in reservation.items:
            await change_on_hand(
                self._products, item.sku, item.quantity, AdjustmentReason.RETURNED, note,
                reservation.updated_at, self._new_id, decided,
                actor_id=actor, order_id=reservation.order_id,
            )  # fmt: skip

    def _ignore(self, event: Event, reservation: Reservation) -> None:
        log.info(
            "order event changes no reservation",
            extra={
                "event_id": event.id,
                "type": event.type,
                "order_id": reservation.order_id,
                "status": reservation.status.value,
            },
        )
