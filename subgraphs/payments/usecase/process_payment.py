"""Pay an order: at most one charge per idempotency key, at most one successful charge per order."""

from __future__ import annotations

import logging
from functools import partial

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError, retryable
from subgraphs.kernel.core.idempotency import key_reused
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.payments.domain.payment import (
    PROVIDER_UNAVAILABLE,
    Payment,
    PaymentRequest,
    PaymentStatus,
    Transaction,
    TransactionKind,
    TransactionStatus,
    held_by,
    order_not_found_yet,
    start_payment,
    validate_request,
)
from subgraphs.payments.usecase.in_flight import InFlight
from subgraphs.payments.usecase.ports import (
    AfterCharge,
    IdempotencyKeyTaken,
    OrderAlreadyHeld,
    OrderViews,
    PaymentProvider,
    PaymentRepository,
    ProviderDeclined,
    ProviderResult,
    ProviderUnavailable,
    charged_as_is,
)
from subgraphs.payments.usecase.provider_calls import call_provider

log = logging.getLogger(__name__)


def charge_key(payment: Payment) -> str:
    """The provider's idempotency key of a payment's charge: one per (user, idempotency key)."""
    return f"charge-{payment.id}"


def payment_in_progress() -> DomainError:
    return retryable(
        "PAYMENT_IN_PROGRESS", "This payment is still being processed; try again.", "orderId"
    )


class ProcessPayment:
    """Charge the total of one of your orders to a payment method token.

    Idempotent: the same `idempotencyKey` with the same input returns the
    same payment (also while it is in flight or after it failed); with a
    different input it is an IDEMPOTENCY_KEY_REUSED user error. Emits
    `payments.succeeded` or `payments.failed`.
    """

    def __init__(
        self,
        payments: PaymentRepository,
        orders: OrderViews,
        provider: PaymentProvider,
        in_flight: InFlight,
        *,
        uow: UnitOfWork,
        clock: Clock,
        new_id: NewId,
        after_charge: AfterCharge = charged_as_is,
    ) -> None:
        self._payments = payments
        self._uow = uow
        self._orders = orders
        self._provider = provider
        self._in_flight = in_flight
        self._clock = clock
        self._new_id = new_id
        self._after_charge = after_charge

    async def __call__(self, user_id: str, request: PaymentRequest) -> Payment:
        validate_request(request)
        order = await self._orders.get(request.order_id)
        if order is None or order.user_id != user_id:
            raise order_not_found_yet()  # someone else's answers as a missing one
        existing = await self._payments.by_idempotency_key(user_id, request.idempotency_key)
        if existing is None:
            now = self._clock()
            payment = start_payment(
                payment_id=self._new_id(),
                user_id=user_id,
                request=request,
                order=order,
                now=now,
                lease_until=self._in_flight.lease_until(now),
            )
            try:
                await self._payments.add(payment)
            except (IdempotencyKeyTaken, OrderAlreadyHeld):
                # A concurrent duplicate may have won the insert (the store reports either
                # index): its payment is ours. Otherwise another payment holds the order.
                existing = await self._payments.by_idempotency_key(user_id, request.idempotency_key)
                if existing is None:
                    holder = await self._payments.holding(order.order_id)
                    raise held_by(holder) if holder else payment_in_progress() from None
            else:
                return await self._complete(payment)
        if not existing.matches(request):
            raise key_reused()
        return await self._settle(existing)

    async def resume(self, payment: Payment) -> Payment:
        """Finish a charge whose holder died (its lease lapsed); used by the recovery loop."""
        return await self._settle(payment, wait=False)

    async def _settle(self, payment: Payment, *, wait: bool = True) -> Payment:
        return await self._in_flight.settle(
            payment,
            busy=lambda p: p.status is PaymentStatus.PROCESSING,
            resume=self._complete,
            in_progress=payment_in_progress,
            wait=wait,
        )

    async def _complete(self, payment: Payment) -> Payment:
        """Ask the provider (we hold the lease), then store the outcome with its event.

        With a provider that opens a charge first (Stripe's PaymentIntent), its id is
        stored before the charge is made, so whoever resumes asks about that charge
        instead of making another one. Once it is stored, a provider that cannot be
        reached leaves the payment PROCESSING: the charge may have been made, and the
        recovery loop asks again once the lease lapses.
        """
        try:
            if payment.provider_intent is None:
                opened = await self._open(payment)
                if opened is None:  # our lease lapsed meanwhile: the taker's outcome counts
                    return await self._settle(await self._in_flight.reload(payment))
                payment = opened
            intent = payment.provider_intent
            result = await call_provider(
                lambda: self._provider.charge(
                    idempotency_key=charge_key(payment),
                    payment_method=payment.payment_method,
                    amount=payment.amount,
                    intent=intent,
                ),
                self._in_flight.timing.retry,
                clock=self._clock,
                sleep=self._in_flight.sleep,
                operation="charge",
            )
        except ProviderUnavailable:
            if payment.provider_intent is not None:
                log.warning(
                    "charge outcome unknown; left to the recovery loop",
                    extra={"payment_id": payment.id, "intent": payment.provider_intent},
                )
                raise payment_in_progress() from None
            log.warning("payment failed: provider unavailable", extra={"payment_id": payment.id})
            done = payment.failed(PROVIDER_UNAVAILABLE, self._clock())
        except ProviderDeclined as declined:  # refused before anything was charged
            result = ProviderResult(approved=False, decline_reason=declined.reason)
            done = self._outcome(payment, result)
        else:
            done = self._outcome(payment, result)
        if not await self._uow(partial(self._payments.save, done), recorded=done):
            # Our lease lapsed and another process took over; its outcome is the one stored.
            return await self._settle(await self._in_flight.reload(payment))
        if done.status is PaymentStatus.SUCCEEDED:
            return await self._after_charge(done)
        return done

    def _outcome(self, payment: Payment, result: ProviderResult) -> Payment:
        """`payment` with the provider's answer recorded (a transaction), succeeded or failed."""
        now = self._clock()
        status = TransactionStatus.SUCCEEDED if result.approved else TransactionStatus.FAILED
        transaction = Transaction(
            id=self._new_id(),
            kind=TransactionKind.CHARGE,
            amount=payment.amount,
            status=status,
            created_at=now,
            provider_reference=result.reference,
            failure_reason=result.decline_reason,
        )
        return (
            payment.charged(transaction, now)
            if result.approved
            else payment.failed(result.decline_reason or "declined", now, transaction)
        )

    async def _open(self, payment: Payment) -> Payment | None:
        """`payment` with the provider's opened charge stored (unchanged if the provider has
        no such step); None if the payment changed meanwhile (our lease lapsed)."""
        intent = await call_provider(
            lambda: self._provider.open_charge(
                idempotency_key=charge_key(payment),
                payment_id=payment.id,
                payment_method=payment.payment_method,
                amount=payment.amount,
            ),
            self._in_flight.timing.retry,
            clock=self._clock,
            sleep=self._in_flight.sleep,
            operation="open_charge",
        )
        if intent is None:
            return payment
        now = self._clock()
        opened = payment.with_intent(intent, now, self._in_flight.lease_until(now))
        if not await self._uow(partial(self._payments.save, opened), recorded=opened):
            return None
        return opened
