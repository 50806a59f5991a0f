"""The RefundRequest aggregate: a customer asks for a payment's refund, staff decide.

A request is OPEN until a staff member approves it (the refund runs, then it
is APPROVED) or declines it with a reason (DECLINED). A customer may ask
within the refund window after the payment succeeded, for a SUCCEEDED
payment, and has at most one OPEN request per payment. An approval first
claims the request (`approving_by`, the request stays OPEN): a decline then
finds it taken, and a repeated approval carries on with the same refund.
Whatever refunds the payment (the approval, a staff refund without the
request, the system, the provider) closes its OPEN request as APPROVED by
that refund's actor, with that refund's reason. Every change bumps
`revision`, the store's optimistic-concurrency check; every change is
announced with the actor and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.events import DomainEvent, EventSpec
from subgraphs.kernel.core.reasons import checked_reason
from subgraphs.payments.domain import events as produced
from subgraphs.payments.domain.payment import (
    Payment,
    PaymentStatus,
    TransactionKind,
    TransactionStatus,
)

REFUND_REQUESTED = produced.REFUND_REQUESTED.type
REFUND_APPROVED = produced.REFUND_APPROVED.type
REFUND_DECLINED = produced.REFUND_DECLINED.type

# The reason of an approval's refund: the approver writes none (the customer's is the request's).
APPROVAL_REASON = "Refund request approved"


class RefundRequestStatus(StrEnum):
    OPEN = "OPEN"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"


def paid_at(payment: Payment) -> datetime:
    """When the payment's charge succeeded (the refund window starts there)."""
    for t in payment.transactions:
        if t.kind is TransactionKind.CHARGE and t.status is TransactionStatus.SUCCEEDED:
            return t.created_at
    return payment.updated_at


def already_decided() -> DomainError:
    return DomainError.of(
        "REFUND_REQUEST_DECIDED", "This refund request has already been decided.", "requestId"
    )


def request_not_found() -> DomainError:
    return DomainError.of("REFUND_REQUEST_NOT_FOUND", "No such refund request.", "requestId")


@dataclass(frozen=True, slots=True)
class RefundRequest:
    id: str
    payment_id: str
    order_id: str
    user_id: str
    reason: str
    status: RefundRequestStatus
    requested_at: datetime
    updated_at: datetime
    revision: int = 1
    approving_by: str | None = None  # the staff member whose approval is under way
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    events: tuple[DomainEvent, ...] = field(default=(), compare=False, repr=False)

    @property
    def open(self) -> bool:
        return self.status is RefundRequestStatus.OPEN

    def _next(self, now: datetime, **changes: Any) -> RefundRequest:
        return replace(self, revision=self.revision + 1, updated_at=now, events=(), **changes)

    def _announced(self, spec: EventSpec[Any], **extra: Any) -> RefundRequest:
        payload = {
            "request_id": self.id,
            "payment_id": self.payment_id,
            "order_id": self.order_id,
            "user_id": self.user_id,
            **extra,
        }
        event = spec(payload, self.updated_at, sequence=self.revision)
        return replace(self, events=(event,))

    def approval_started(self, actor_id: str, now: datetime) -> RefundRequest:
        """Claim the decision for an approval (the refund runs next); OPEN requests only."""
        if not self.open:
            raise already_decided()
        return self._next(now, approving_by=actor_id)

    def approval_dropped(self, now: datetime) -> RefundRequest:
        """The refund did not happen (refused, or the provider unreachable): OPEN again."""
        return self._next(now, approving_by=None)

    def approved(self, refunded: Payment, now: datetime) -> RefundRequest:
        """`refunded` (the request's payment) was refunded: APPROVED by whoever refunded it.

        Announced with the refund's actor and reason (None: the system's or the provider's
        refund) and the customer's words as `request_reason`.
        """
        if not self.open:
            raise already_decided()
        refund = refunded.refund
        actor_id = refund.actor_id if refund else None
        return self._next(
            now,
            status=RefundRequestStatus.APPROVED,
            approving_by=None,
            decided_at=now,
            decided_by=actor_id,
        )._announced(
            produced.REFUND_APPROVED,
            actor_id=actor_id,
            reason=refund.reason if refund else None,
            request_reason=self.reason,
        )

    def declined(self, actor_id: str, reason: str, now: datetime) -> RefundRequest:
        """DECLINED by `actor_id` for `reason` (the customer is told); not while approving."""
        if not self.open or self.approving_by is not None:
            raise already_decided()
        return self._next(
            now,
            status=RefundRequestStatus.DECLINED,
            decided_at=now,
            decided_by=actor_id,
            decision_reason=reason,
        )._announced(produced.REFUND_DECLINED, actor_id=actor_id, reason=reason)


def request_refund(
    *,
    request_id: str,
    payment: Payment,
    reason: str,
    now: datetime,
    window: timedelta,
) -> RefundRequest:
    """A new OPEN request for `payment` (the caller checked it is the requester's).

    Only a SUCCEEDED payment qualifies, within `window` of its charge.
    """
    cleaned = checked_reason(reason)
    if payment.status is PaymentStatus.REFUNDED:
        raise DomainError.of("ALREADY_REFUNDED", "This order has been refunded.", "orderId")
    if payment.status is not PaymentStatus.SUCCEEDED:
        raise DomainError.of(
            "PAYMENT_NOT_REFUNDABLE", "Only a paid order can be refunded.", "orderId"
        )
    if now - paid_at(payment) > window:
        days = window.days
        raise DomainError.of(
            "REFUND_WINDOW_CLOSED",
            f"A refund can be requested within {days} days of payment.",
            "orderId",
        )
    request = RefundRequest(
        id=request_id,
        payment_id=payment.id,
        order_id=payment.order_id,
        user_id=payment.user_id,
        reason=cleaned,
        status=RefundRequestStatus.OPEN,
        requested_at=now,
        updated_at=now,
    )
    return request._announced(produced.REFUND_REQUESTED, reason=cleaned)
