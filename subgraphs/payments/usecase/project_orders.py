"""Keep payments' own view of orders, and refund a charge that raced the order's cancellation."""

from __future__ import annotations

import logging
from functools import partial

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.events import Event
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.payments.domain.order_view import MalformedOrderEvent, OrderView
from subgraphs.payments.domain.payment import Payment, PaymentStatus
from subgraphs.payments.usecase.ports import OrderViews, PaymentRepository
from subgraphs.payments.usecase.refund_payment import RefundPayment

log = logging.getLogger(__name__)


class PaymentInFlight(Exception):
    """The cancelled order's payment is still in flight; handle the event again later."""


def compensation_key(payment: Payment) -> str:
    return f"order-cancelled-{payment.id}"


class RefundCancelledOrder:
    """Refund the charge of an order that was cancelled meanwhile.

    A payment and a cancellation can cross: the charge succeeds while the
    order is being cancelled, and the orders context then ignores the
    payment. Both sides check, and the refund is idempotent, so the customer
    gets the money back exactly once.
    """

    def __init__(
        self, payments: PaymentRepository, orders: OrderViews, refund: RefundPayment
    ) -> None:
        self._payments = payments
        self._orders = orders
        self._refund = refund

    async def on_cancelled(self, order_id: str) -> None:
        """After `orders.cancelled`: refund its charge; raises while that cannot be done yet."""
        holder = await self._payments.holding(order_id)
        if holder is None or holder.status is PaymentStatus.REFUNDED:
            return
        if holder.status is PaymentStatus.PROCESSING:
            raise PaymentInFlight(order_id)
        log.warning(
            "refunding the charge of a cancelled order",
            extra={"payment_id": holder.id, "order_id": order_id},
        )
        await self._refund.refund(holder, compensation_key(holder))

    async def after_charge(self, payment: Payment) -> Payment:
        """After a successful charge: refund it if the order was cancelled meanwhile."""
        order = await self._orders.get(payment.order_id)
        if order is None or not order.cancelled:
            return payment
        log.warning(
            "order cancelled while it was being paid; refunding",
            extra={"payment_id": payment.id, "order_id": payment.order_id},
        )
        try:
            return await self._refund.refund(payment, compensation_key(payment))
        except DomainError as error:
            # The `orders.cancelled` handler refunds it when it is retried.
            log.warning(
                "refund of a cancelled order's charge deferred",
                extra={"payment_id": payment.id, "reason": str(error)},
            )
            return payment


class ProjectOrderEvent:
    """Handle an orders event: update the order's view, then compensate.

    The view keeps the newest order version, so applying an event twice (a
    redelivery) or late changes nothing: no inbox claim is needed, and the
    update is a single write without a transaction.

    The compensation runs on every delivery of `orders.cancelled`, also one
    already projected, so a refund that failed is retried with the event.
    """

    def __init__(
        self, orders: OrderViews, uow: UnitOfWork, compensate: RefundCancelledOrder
    ) -> None:
        self._orders = orders
        self._uow = uow
        self._compensate = compensate

    async def __call__(self, event: Event) -> None:
        view = OrderView.from_event(event.payload, event.occurred_at)
        await self._uow(partial(self._orders.apply, view))
        if view.cancelled:
            await self._compensate.on_cancelled(view.order_id)


class ProjectStockReserved:
    """Handle the catalog's `stock.reserved`: the order may be paid from now on.

    It may arrive before `orders.created` (another stream), so the flag is
    stored on its own and the order's view joins it later. Setting it twice
    changes nothing: no inbox claim is needed.
    """

    def __init__(self, orders: OrderViews) -> None:
        self._orders = orders

    async def __call__(self, event: Event) -> None:
        order_id = event.payload.get("order_id")
        if not isinstance(order_id, str):
            raise MalformedOrderEvent("stock.reserved without an order_id")
        await self._orders.mark_reserved(order_id)
