"""The Payment aggregate: one charge of an order, its refund, and the events they give rise to.

A payment is created PROCESSING (under its idempotency key, holding its
order), becomes SUCCEEDED or FAILED once the provider has answered, and a
SUCCEEDED payment may become REFUNDED. Every change bumps `revision`, the
optimistic-concurrency check of the store. A PROCESSING payment and a
refund in flight carry a lease: whoever holds it talks to the provider; once
it lapses (its process died) anyone may take over, which is safe because the
provider is idempotent on the keys derived from the payment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from subgraphs.kernel.core.errors import DomainError, Problem, raise_if_any, retryable
from subgraphs.kernel.core.events import DomainEvent, EventSpec
from subgraphs.kernel.core.idempotency import validate_key
from subgraphs.kernel.core.money import Money
from subgraphs.payments.domain import events as produced
from subgraphs.payments.domain.order_view import OrderView

SUCCEEDED = produced.SUCCEEDED.type
FAILED = produced.FAILED.type
REFUNDED = produced.REFUNDED.type
DISPUTED = produced.DISPUTED.type

# Failure reasons (Payment.failure_reason, the `reason` of payments.failed).
CARD_DECLINED = "card_declined"
INSUFFICIENT_FUNDS = "insufficient_funds"
PROVIDER_UNAVAILABLE = "provider_unavailable"

# The longest payment method token a request may carry.
MAX_PAYMENT_METHOD_LENGTH = 255


class PaymentStatus(StrEnum):
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


class TransactionKind(StrEnum):
    CHARGE = "CHARGE"
    REFUND = "REFUND"


class TransactionStatus(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class RefundStatus(StrEnum):
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """What a client asks for; the same key must always come with the same request."""

    order_id: str
    payment_method: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class Transaction:
    """One answer of the provider: a charge or a refund, succeeded or declined."""

    id: str
    kind: TransactionKind
    amount: Money
    status: TransactionStatus
    created_at: datetime
    provider_reference: str | None = None
    failure_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Refund:
    """The refund asked for under `idempotency_key` (at most one in flight or done)."""

    id: str
    idempotency_key: str
    status: RefundStatus
    requested_at: datetime
    lease_until: datetime | None = None
    failure_reason: str | None = None
    actor_id: str | None = None  # the staff member who refunded it; None: the system
    reason: str | None = None  # why (staff refunds); None for the system's
    restock: bool = False  # staff chose to return the units to stock (the catalog does)


def order_not_found_yet() -> DomainError:
    return retryable(
        "ORDER_NOT_FOUND_YET",
        "Payments has not seen this order yet; try again in a moment.",
        "orderId",
    )


def validate_request(request: PaymentRequest) -> None:
    problems: list[Problem] = []
    method = request.payment_method
    if not method.strip() or len(method) > MAX_PAYMENT_METHOD_LENGTH:
        message = "A payment method token is required."
        problems.append(Problem("INVALID_PAYMENT_METHOD", message, ("paymentMethodToken",)))
    validate_key(request.idempotency_key, problems)
    raise_if_any(problems)


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    user_id: str
    order_id: str
    idempotency_key: str
    payment_method: str
    amount: Money
    status: PaymentStatus
    created_at: datetime
    updated_at: datetime
    revision: int = 1
    lease_until: datetime | None = None
    failure_reason: str | None = None
    transactions: tuple[Transaction, ...] = ()
    refund: Refund | None = None
    # The provider's id of the charge opened for this payment (a Stripe PaymentIntent),
    # stored before the charge is made: resuming asks the provider about it.
    provider_intent: str | None = None
    # The events of the change that made this value (none once loaded): a final status
    # (succeeded, failed, refunded) is announced.
    events: tuple[DomainEvent, ...] = field(default=(), compare=False, repr=False)

    @property
    def holds_order(self) -> bool:
        """At most one payment of an order may be in flight, succeeded or refunded."""
        return self.status is not PaymentStatus.FAILED

    @property
    def finished(self) -> bool:
        return self.status is not PaymentStatus.PROCESSING

    @property
    def refunding(self) -> bool:
        return self.refund is not None and self.refund.status is RefundStatus.PROCESSING

    @property
    def charge_reference(self) -> str | None:
        """The provider's reference of the succeeded charge, if any."""
        for t in self.transactions:
            if t.kind is TransactionKind.CHARGE and t.status is TransactionStatus.SUCCEEDED:
                return t.provider_reference
        return None

    def matches(self, request: PaymentRequest) -> bool:
        return (request.order_id, request.payment_method) == (self.order_id, self.payment_method)

    def lease_lapsed(self, now: datetime) -> bool:
        """True if the work in flight (charge or refund) was abandoned and may be taken over."""
        lease = self.refund.lease_until if self.refunding and self.refund else self.lease_until
        return lease is not None and lease <= now

    def _next(self, now: datetime, **changes: Any) -> Payment:
        return replace(self, revision=self.revision + 1, updated_at=now, events=(), **changes)

    def _announced(self) -> Payment:
        """This payment with the event announcing its (final) status."""
        spec, payload = event_payload(self)
        return replace(self, events=(spec(payload, self.updated_at),))

    def renew_lease(self, now: datetime, until: datetime) -> Payment:
        """Take over the work in flight (the charge, or else the refund) until `until`."""
        if self.refunding and self.refund is not None:
            return self._next(now, refund=replace(self.refund, lease_until=until))
        if self.status is not PaymentStatus.PROCESSING:
            raise ValueError(f"a {self.status} payment has nothing in flight")
        return self._next(now, lease_until=until)

    # -- the charge ----------------------------------------------------------------------

    def with_intent(self, intent: str, now: datetime, lease_until: datetime) -> Payment:
        """The provider opened the charge as `intent` (nothing charged yet); the lease is
        renewed for the charge itself."""
        self._require(PaymentStatus.PROCESSING)
        return self._next(now, provider_intent=intent, lease_until=lease_until)

    def charged(self, transaction: Transaction, now: datetime) -> Payment:
        self._require(PaymentStatus.PROCESSING)
        return self._next(
            now,
            status=PaymentStatus.SUCCEEDED,
            lease_until=None,
            transactions=(*self.transactions, transaction),
        )._announced()

    def failed(self, reason: str, now: datetime, transaction: Transaction | None = None) -> Payment:
        """FAILED with `reason`; `transaction` is the provider's decline (None: no answer)."""
        self._require(PaymentStatus.PROCESSING)
        done = (*self.transactions, transaction) if transaction else self.transactions
        return self._next(
            now,
            status=PaymentStatus.FAILED,
            lease_until=None,
            failure_reason=reason,
            transactions=done,
        )._announced()

    # -- the refund ----------------------------------------------------------------------

    def start_refund(
        self,
        refund_id: str,
        idempotency_key: str,
        now: datetime,
        lease_until: datetime,
        *,
        actor_id: str | None = None,
        reason: str | None = None,
        restock: bool = False,
    ) -> Payment:
        """A refund in flight; only a SUCCEEDED payment with no other refund pending qualifies.

        `actor_id` and `reason` say who asked and why (None: the system, e.g. a cancellation);
        `restock`: the refunded units go back to stock (`payments.refunded` says so).
        """
        if self.status is PaymentStatus.REFUNDED:
            raise DomainError.of(
                "ALREADY_REFUNDED", "This payment has already been refunded.", "paymentId"
            )
        if self.status is not PaymentStatus.SUCCEEDED:
            raise DomainError.of(
                "PAYMENT_NOT_REFUNDABLE", "Only a succeeded payment can be refunded.", "paymentId"
            )
        if self.refunding:
            raise retryable(
                "REFUND_IN_PROGRESS", "A refund of this payment is in progress.", "paymentId"
            )
        refund = Refund(
            refund_id,
            idempotency_key,
            RefundStatus.PROCESSING,
            now,
            lease_until,
            actor_id=actor_id,
            reason=reason,
            restock=restock,
        )
        return self._next(now, refund=refund)

    def refunded(self, transaction: Transaction, now: datetime) -> Payment:
        refund = self._require_refunding()
        return self._next(
            now,
            status=PaymentStatus.REFUNDED,
            refund=replace(refund, status=RefundStatus.SUCCEEDED, lease_until=None),
            transactions=(*self.transactions, transaction),
        )._announced()

    def refund_declined(self, reason: str, transaction: Transaction, now: datetime) -> Payment:
        """The provider refused the refund: the payment stays SUCCEEDED; another key may retry."""
        refund = self._require_refunding()
        return self._next(
            now,
            refund=replace(
                refund, status=RefundStatus.FAILED, lease_until=None, failure_reason=reason
            ),
            transactions=(*self.transactions, transaction),
        )

    def refunded_at_provider(
        self, refund_id: str, transaction: Transaction, now: datetime
    ) -> Payment:
        """A refund made at the provider, not through us (e.g. from its dashboard)."""
        if self.refunding:
            return self.refunded(transaction, now)
        self._require(PaymentStatus.SUCCEEDED)
        key = f"provider:{transaction.provider_reference or refund_id}"
        refund = Refund(refund_id, key, RefundStatus.SUCCEEDED, now)
        return self._next(
            now,
            status=PaymentStatus.REFUNDED,
            refund=refund,
            transactions=(*self.transactions, transaction),
        )._announced()

    def disputed(self, dispute: str, reason: str | None, now: datetime) -> Payment:
        """The payer disputed the charge: only the event (for staff to look at) and a new
        revision; the payment keeps its status."""
        payload: produced.PaymentDisputed = {
            "payment_id": self.id,
            "order_id": self.order_id,
            "user_id": self.user_id,
            "dispute_id": dispute,
            "reason": reason,
        }
        return replace(self._next(now), events=(produced.DISPUTED(payload, now),))

    def refund_abandoned(self, now: datetime) -> Payment:
        """The provider could not be reached: nothing happened, the refund may be asked again."""
        self._require_refunding()
        return self._next(now, refund=None)

    def _require(self, status: PaymentStatus) -> None:
        if self.status is not status:
            raise ValueError(f"payment {self.id} is {self.status}, not {status}")

    def _require_refunding(self) -> Refund:
        if self.refund is None or self.refund.status is not RefundStatus.PROCESSING:
            raise ValueError(f"payment {self.id} has no refund in flight")
        return self.refund


def start_payment(
    *,
    payment_id: str,
    user_id: str,
    request: PaymentRequest,
    order: OrderView,
    now: datetime,
    lease_until: datetime,
) -> Payment:
    """A PROCESSING payment of `order`'s total; a cancelled or rejected order cannot be paid,
    nor one whose stock the catalog has not reserved yet (retryable).

    Whether the order is someone else's is the caller's check (it is an
    authorization failure, not a user error).
    """
    if order.cancelled:
        raise DomainError.of("ORDER_CANCELLED", "This order was cancelled.", "orderId")
    if order.rejected:
        raise DomainError.of(
            "ORDER_REJECTED", "This order was rejected: it is out of stock.", "orderId"
        )
    if not order.stock_reserved:
        raise retryable(
            "STOCK_NOT_RESERVED_YET",
            "The order's stock is not reserved yet; try again in a moment.",
            "orderId",
        )
    return Payment(
        id=payment_id,
        user_id=user_id,
        order_id=order.order_id,
        idempotency_key=request.idempotency_key,
        payment_method=request.payment_method,
        amount=order.total,
        status=PaymentStatus.PROCESSING,
        created_at=now,
        updated_at=now,
        lease_until=lease_until,
    )


def held_by(payment: Payment) -> DomainError:
    """Why an order held by `payment` (another request) cannot be paid now."""
    if payment.status is PaymentStatus.PROCESSING:
        return retryable(
            "PAYMENT_IN_PROGRESS", "A payment of this order is in progress.", "orderId"
        )
    if payment.status is PaymentStatus.REFUNDED:
        return DomainError.of(
            "ALREADY_PAID", "This order was paid and refunded; it cannot be paid again.", "orderId"
        )
    return DomainError.of("ALREADY_PAID", "This order has already been paid.", "orderId")


def event_payload(payment: Payment) -> tuple[EventSpec[Any], Mapping[str, Any]]:
    """The event and payload announcing `payment`'s current (final) status."""
    ids, amount = payment.id, str(payment.amount.amount)
    order_id, user_id, currency = payment.order_id, payment.user_id, payment.amount.currency
    if payment.status is PaymentStatus.SUCCEEDED:
        succeeded: produced.PaymentSucceeded = {
            "payment_id": ids,
            "order_id": order_id,
            "user_id": user_id,
            "amount": amount,
            "currency": currency,
        }
        return produced.SUCCEEDED, succeeded
    if payment.status is PaymentStatus.FAILED:
        failed: produced.PaymentFailed = {
            "payment_id": ids,
            "order_id": order_id,
            "user_id": user_id,
            "reason": payment.failure_reason,
        }
        return produced.FAILED, failed
    if payment.status is PaymentStatus.REFUNDED:
        refund = payment.refund
        refunded: produced.PaymentRefunded = {
            "payment_id": ids,
            "order_id": order_id,
            "user_id": user_id,
            "amount": amount,
            "currency": currency,
            "actor_id": refund.actor_id if refund else None,
            "reason": refund.reason if refund else None,
            "restock": refund.restock if refund else False,
        }
        return produced.REFUNDED, refunded
    raise ValueError("a payment in flight announces nothing")
