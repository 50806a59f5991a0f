"""Refund requests: a customer asks, staff approve (the refund runs) or decline.

Each change is stored with its event (`payments.refund_requested`,
`payments.refund_approved`, `payments.refund_declined`) in one unit of
work; a request is approved in the unit of work of its payment's refund
(`refunded.py`), whoever made it. A decision on a request decided already
is `REFUND_REQUEST_DECIDED` and writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError, retryable
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.reasons import checked_reason
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.payments.domain.payment import Payment
from subgraphs.payments.domain.refund_request import (
    APPROVAL_REASON,
    RefundRequest,
    RefundRequestStatus,
    already_decided,
    request_not_found,
    request_refund,
)
from subgraphs.payments.usecase.ports import (
    OrderViews,
    PaymentRepository,
    RefundAlreadyRequested,
    RefundRequestRepository,
    RequestCursor,
    RequestPage,
)
from subgraphs.payments.usecase.refund_payment import RefundPayment

log = logging.getLogger(__name__)

ATTEMPTS = 5
MAX_PAGE = 50

# Codes after which the approval's refund certainly did not happen and is not in flight:
# the request is released (OPEN, no approval under way) and may be decided again.
# (ALREADY_REFUNDED is not one: the payment was refunded otherwise, which approves it.)
_NOT_REFUNDED = frozenset(
    {
        "PROVIDER_UNAVAILABLE",
        "REFUND_DECLINED",
        "PAYMENT_NOT_REFUNDABLE",
        "IDEMPOTENCY_KEY_REUSED",
    }
)


def approval_key(request: RefundRequest) -> str:
    """The refund's idempotency key of an approved request: one refund per request."""
    return f"refund-request-{request.id}"


def request_busy() -> DomainError:
    return retryable(
        "REFUND_REQUEST_BUSY", "This refund request is changing; try again.", "requestId"
    )


class RequestRefund:
    """The owner of a paid order asks for its refund, with a reason, within the window."""

    def __init__(
        self,
        payments: PaymentRepository,
        orders: OrderViews,
        requests: RefundRequestRepository,
        *,
        uow: UnitOfWork,
        clock: Clock,
        new_id: NewId,
        window: timedelta,
    ) -> None:
        self._payments = payments
        self._orders = orders
        self._requests = requests
        self._uow = uow
        self._clock = clock
        self._new_id = new_id
        self._window = window

    async def __call__(self, user_id: str, order_id: str, reason: str) -> RefundRequest:
        checked_reason(reason)
        view = await self._orders.get(order_id)
        if view is None or view.user_id != user_id:  # someone else's answers as none
            raise DomainError.of("ORDER_NOT_FOUND", "No such order.", "orderId")
        payment = await self._payments.holding(order_id)
        if payment is None or payment.user_id != user_id:
            raise DomainError.of(
                "PAYMENT_NOT_REFUNDABLE", "Only a paid order can be refunded.", "orderId"
            )
        request = request_refund(
            request_id=self._new_id(),
            payment=payment,
            reason=reason,
            now=self._clock(),
            window=self._window,
        )
        try:
            await self._uow(partial(self._requests.add, request), recorded=request)
        except RefundAlreadyRequested:
            raise DomainError.of(
                "REFUND_ALREADY_REQUESTED",
                "A refund of this order has been requested already; it is being looked at.",
                "orderId",
            ) from None
        log.info("refund requested", extra={"request_id": request.id, "order_id": order_id})
        return request


class DecideRefundRequest:
    """Staff approve a request (its refund runs, once) or decline it with a reason."""

    def __init__(
        self,
        requests: RefundRequestRepository,
        payments: PaymentRepository,
        refund: RefundPayment,
        *,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._requests = requests
        self._payments = payments
        self._refund = refund
        self._uow = uow
        self._clock = clock

    async def _get(self, request_id: str) -> RefundRequest:
        request = await self._requests.get(request_id)
        if request is None:
            raise request_not_found()
        return request

    async def approve(
        self, actor_id: str, request_id: str, *, restock: bool = False
    ) -> tuple[RefundRequest, Payment]:
        """Refund the request's payment (under the request's own key): APPROVED with it.

        The approval first claims the request, so a decline cannot cross it; an
        approval sent again (or after a crash) carries on with the same refund, whose
        actor stays the one who started it. With `restock` the refund returns the units to
        stock (`payments.refunded` carries it). The refund's unit of work approves the
        request; a payment refunded otherwise meanwhile approves it too (by that refund's
        actor), never leaving it OPEN.
        """
        request = await self._claim(actor_id, await self._get(request_id))
        [payment] = await self._payments.get_many([request.payment_id])
        if payment is None:  # a request is only made for a stored payment
            raise request_not_found()
        try:
            refunded = await self._refund.refund(
                payment,
                approval_key(request),
                actor_id=actor_id,
                reason=APPROVAL_REASON,
                restock=restock,
            )
        except DomainError as error:
            codes = {p.code for p in error.problems}
            if "ALREADY_REFUNDED" in codes:
                [now_refunded] = await self._payments.get_many([request.payment_id])
                if now_refunded is not None:
                    return await self._close(request_id, now_refunded), now_refunded
            if codes & _NOT_REFUNDED:
                await self._release(request_id)
            raise
        return await self._close(request_id, refunded), refunded

    async def _close(self, request_id: str, refunded: Payment) -> RefundRequest:
        """The request of `refunded` APPROVED (normally by the refund's own unit of work)."""
        for _ in range(ATTEMPTS):
            request = await self._get(request_id)
            if request.status is RefundRequestStatus.APPROVED:
                return request
            approved = request.approved(refunded, self._clock())  # declined: raises
            if await self._uow(partial(self._requests.save, approved), recorded=approved):
                log.info("refund request approved", extra={"request_id": request_id})
                return approved
        raise request_busy()

    async def decline(self, actor_id: str, request_id: str, reason: str) -> RefundRequest:
        """DECLINED for `reason` (the customer gets a mail); not once an approval is under way."""
        reason = checked_reason(reason)
        request = await self._get(request_id)
        for _ in range(ATTEMPTS):
            declined = request.declined(actor_id, reason, self._clock())
            if await self._uow(partial(self._requests.save, declined), recorded=declined):
                log.info("refund request declined", extra={"request_id": request_id})
                return declined
            request = await self._get(request_id)
        raise request_busy()

    async def _claim(self, actor_id: str, request: RefundRequest) -> RefundRequest:
        for _ in range(ATTEMPTS):
            if not request.open:
                raise already_decided()
            if request.approving_by is not None:
                return request  # an approval under way: carry on with it (same refund key)
            claimed = request.approval_started(actor_id, self._clock())
            if await self._requests.save(claimed):
                return claimed
            request = await self._get(request.id)
        raise request_busy()

    async def _release(self, request_id: str) -> None:
        """The refund did not happen: the request is OPEN with no approval under way again."""
        for _ in range(ATTEMPTS):
            request = await self._get(request_id)
            if not request.open or request.approving_by is None:
                return
            if await self._requests.save(request.approval_dropped(self._clock())):
                return


class ReadRefundRequests:
    def __init__(self, requests: RefundRequestRepository) -> None:
        self._requests = requests

    async def latest_for_orders(self, order_ids: Sequence[str]) -> list[RefundRequest | None]:
        """Each order's newest request (owner checks are the caller's)."""
        return await self._requests.latest_for_orders(order_ids)

    async def page(
        self,
        status: RefundRequestStatus | None,
        size: int,
        after: RequestCursor | None,
        *,
        oldest_first: bool = False,
    ) -> RequestPage:
        """Requests newest first (or oldest first: a queue), `size` at most `MAX_PAGE` (the
        caller caps it)."""
        return await self._requests.page(
            status, min(size, MAX_PAGE), after, oldest_first=oldest_first
        )
