"""Move an order through its status machine: on request (cancel) or on an event (payments)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.events import Event, EventTooEarly
from subgraphs.kernel.core.reasons import checked_reason
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.orders.domain.order import (
    SYSTEM,
    Actor,
    IllegalTransition,
    Order,
    OrderStatus,
)
from subgraphs.orders.usecase.ports import ConcurrentUpdate, OrderRepository

log = logging.getLogger(__name__)

ATTEMPTS = 3


class ChangeStatus:
    """Apply one status transition with an optimistic version check; emits its event."""

    def __init__(self, orders: OrderRepository, uow: UnitOfWork, clock: Clock) -> None:
        self._orders = orders
        self._uow = uow
        self._clock = clock

    async def __call__(
        self,
        order_id: str,
        status: OrderStatus,
        *,
        owner: str | None = None,
        actor: Actor = SYSTEM,
        cause: Event | None = None,
        extra: Mapping[str, Any] | None = None,
        **details: str | None,
    ) -> Order | None:
        """The changed order, its timeline entry `actor`'s; None if `cause` was applied before.

        With `owner`, only that user's order may change (another's is ORDER_NOT_FOUND).
        An illegal transition raises `IllegalTransition`. A concurrent change
        is re-read and decided again, so of two racing changes exactly one wins.
        """
        if cause is not None and await self._uow.applied(cause.id):
            return None
        for _ in range(ATTEMPTS):
            [order] = await self._orders.get_many([order_id])
            # Someone else's order answers as a missing one: its existence is not confirmed.
            if order is None or (owner is not None and order.user_id != owner):
                raise DomainError.of("ORDER_NOT_FOUND", "No such order.", "orderId")
            changed = order.transition(status, self._clock(), actor=actor, extra=extra, **details)
            try:
                applied = await self._uow(
                    partial(self._orders.save, changed),
                    recorded=changed,
                    claim=cause.id if cause else None,
                )
            except ConcurrentUpdate:
                continue
            return changed if applied else None
        raise ConcurrentUpdate(order_id)


class CancelOrder:
    """Cancel an order that is not paid yet: one of your own, or (staff) anyone's with a
    reason; emits `orders.cancelled` (with the staff member's id and reason)."""

    def __init__(self, change: ChangeStatus) -> None:
        self._change = change

    async def __call__(self, user_id: str, order_id: str) -> Order:
        """The owner `user_id` cancels `order_id`; someone else's is ORDER_NOT_FOUND."""
        return await self._cancel(order_id, owner=user_id, actor=Actor.customer(user_id))

    async def by_staff(self, actor_id: str, order_id: str, reason: str) -> Order:
        """Staff `actor_id` (allowed to cancel any order) cancels `order_id` for `reason`."""
        reason = checked_reason(reason)
        return await self._cancel(order_id, actor=Actor.staff(actor_id), reason=reason)

    async def _cancel(
        self, order_id: str, *, actor: Actor, owner: str | None = None, reason: str | None = None
    ) -> Order:
        try:
            order = await self._change(
                order_id, OrderStatus.CANCELLED, owner=owner, actor=actor, reason=reason
            )
        except ConcurrentUpdate:
            raise DomainError.of(
                "CONCURRENT_UPDATE", "The order changed meanwhile; try again.", "orderId"
            ) from None
        assert order is not None  # no cause event, so never a duplicate
        return order


_NOT_PAID_YET = frozenset({OrderStatus.PENDING, OrderStatus.PAYMENT_FAILED})


class ApplyPaymentEvent:
    """React to `payments.succeeded|failed|refunded`: PAID, PAYMENT_FAILED, REFUNDED.

    The timeline entry is the system's, except a refund with an `actor_id`
    (the staff member who made it); the event's `reason` goes with it.

    Idempotent on the event id. A refund of an order that is not PAID yet
    arrived before the payment it refunds (whose event is being retried): it
    raises `EventTooEarly`, so the consumer retries it later. Any other event
    the status machine does not allow (e.g. a late `payments.failed` of a paid
    order) is logged and counted, and changes nothing.
    """

    TARGETS = {
        "payments.succeeded": OrderStatus.PAID,
        "payments.failed": OrderStatus.PAYMENT_FAILED,
        "payments.refunded": OrderStatus.REFUNDED,
    }

    def __init__(self, change: ChangeStatus, on_ignored: Callable[[str], None]) -> None:
        self._change = change
        self._on_ignored = on_ignored

    async def __call__(self, event: Event) -> None:
        status = self.TARGETS[event.type]
        order_id = str(event.payload["order_id"])
        # A refund made by staff carries who made it; anything else is the system's doing.
        actor_id = _text(event.payload.get("actor_id")) if status is OrderStatus.REFUNDED else None
        try:
            await self._change(
                order_id,
                status,
                actor=Actor.staff(actor_id) if actor_id else SYSTEM,
                cause=event,
                payment_id=_text(event.payload.get("payment_id")),
                reason=_text(event.payload.get("reason")),
            )
        except IllegalTransition as error:
            if error.wanted is OrderStatus.REFUNDED and error.current in _NOT_PAID_YET:
                raise EventTooEarly(f"{event.type} for {order_id} before its payment") from error
            self._ignore(event, order_id, error)
        except DomainError as error:  # no such order
            self._ignore(event, order_id, error)

    def _ignore(self, event: Event, order_id: str, error: DomainError) -> None:
        log.warning(
            "payment event ignored",
            extra={
                "event_id": event.id,
                "type": event.type,
                "order_id": order_id,
                "reason": str(error),
            },
        )
        self._on_ignored(event.type)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
