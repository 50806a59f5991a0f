"""Refund a succeeded payment in full, at most once, idempotent on the caller's key."""

from __future__ import annotations

import logging

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError, Problem, raise_if_any, retryable
from subgraphs.kernel.core.idempotency import key_reused, validate_key
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.reasons import checked_reason
from subgraphs.payments.domain.payment import (
    Payment,
    RefundStatus,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from subgraphs.payments.usecase.in_flight import InFlight
from subgraphs.payments.usecase.ports import (
    IdempotencyKeyTaken,
    PaymentProvider,
    PaymentRepository,
    ProviderUnavailable,
)
from subgraphs.payments.usecase.provider_calls import call_provider
from subgraphs.payments.usecase.refunded import SaveRefundOutcome

log = logging.getLogger(__name__)

ATTEMPTS = 5


def refund_key(payment: Payment) -> str:
    """The provider's idempotency key of a payment's refund.

    Stable across retries and takeovers (even after an attempt the provider
    never answered), so a refund is never paid out twice; a new key only
    after the provider declined one.
    """
    declined = sum(
        1
        for t in payment.transactions
        if t.kind is TransactionKind.REFUND and t.status is TransactionStatus.FAILED
    )
    return f"refund-{payment.id}-{declined}"


def refund_in_progress() -> DomainError:
    return retryable(
        "REFUND_IN_PROGRESS", "A refund of this payment is in progress; try again.", "paymentId"
    )


def refund_declined(reason: str | None) -> DomainError:
    return DomainError.of(
        "REFUND_DECLINED",
        f"The provider declined the refund ({reason or 'no reason'}).",
        "paymentId",
    )


class RefundPayment:
    """Staff refund a succeeded payment in full, with a reason; emits `payments.refunded`
    (with the actor and the reason).

    The same `idempotencyKey` returns the same outcome; when the provider
    cannot be reached nothing is recorded and the refund may be asked again
    (PROVIDER_UNAVAILABLE, retryable). Keys are scoped per customer (the
    payment's owner), as the customer's own keys were. A customer's OPEN
    refund request of the payment is approved with the refund (by its actor).
    """

    def __init__(
        self,
        payments: PaymentRepository,
        provider: PaymentProvider,
        in_flight: InFlight,
        save: SaveRefundOutcome,
        *,
        clock: Clock,
        new_id: NewId,
    ) -> None:
        self._payments = payments
        self._save = save
        self._provider = provider
        self._in_flight = in_flight
        self._clock = clock
        self._new_id = new_id

    async def __call__(
        self,
        actor_id: str,
        payment_id: str,
        idempotency_key: str,
        reason: str,
        *,
        restock: bool = False,
    ) -> Payment:
        """`actor_id` (staff, allowed to refund any payment) refunds `payment_id` for `reason`;
        with `restock`, `payments.refunded` tells the catalog to take the units back."""
        problems: list[Problem] = []
        validate_key(idempotency_key, problems)
        try:
            reason = checked_reason(reason)
        except DomainError as invalid:
            problems.extend(invalid.problems)
        raise_if_any(problems)
        [payment] = await self._payments.get_many([payment_id])
        if payment is None or not payment.finished:
            raise DomainError.of("PAYMENT_NOT_FOUND", "No such payment.", "paymentId")
        return await self.refund(
            payment, idempotency_key, actor_id=actor_id, reason=reason, restock=restock
        )

    async def refund(
        self,
        payment: Payment,
        idempotency_key: str,
        *,
        actor_id: str | None = None,
        reason: str | None = None,
        restock: bool = False,
    ) -> Payment:
        """Refund `payment` under `idempotency_key` (also the system's entry, e.g.
        compensation, and an approved refund request's); `actor_id`, `reason` and `restock`
        go into `payments.refunded` (None, None, False: the system)."""
        for _ in range(ATTEMPTS):
            asked = payment.refund
            if asked is not None and asked.idempotency_key == idempotency_key:
                if asked.status is RefundStatus.SUCCEEDED:
                    return payment
                if asked.status is RefundStatus.FAILED:
                    raise refund_declined(asked.failure_reason)
                payment = await self._settle(payment)
                continue
            now = self._clock()
            started = payment.start_refund(
                self._new_id(),
                idempotency_key,
                now,
                self._in_flight.lease_until(now),
                actor_id=actor_id,
                reason=reason,
                restock=restock,
            )
            try:
                saved = await self._payments.save(started)
            except IdempotencyKeyTaken:
                raise key_reused() from None
            if saved:
                return await self._complete(started)
            payment = await self._in_flight.reload(payment)  # changed meanwhile: decide again
        raise refund_in_progress()

    async def resume(self, payment: Payment) -> Payment:
        """Finish a refund whose holder died (its lease lapsed); used by the recovery loop."""
        return await self._settle(payment, wait=False)

    async def _settle(self, payment: Payment, *, wait: bool = True) -> Payment:
        return await self._in_flight.settle(
            payment,
            busy=lambda p: p.refunding,
            resume=self._complete,
            in_progress=refund_in_progress,
            wait=wait,
        )

    async def _complete(self, payment: Payment) -> Payment:
        """Ask the provider (we hold the refund's lease), then store the outcome."""
        try:
            result = await call_provider(
                lambda: self._provider.refund(
                    idempotency_key=refund_key(payment),
                    charge_reference=payment.charge_reference or "",
                    amount=payment.amount,
                ),
                self._in_flight.timing.retry,
                clock=self._clock,
                sleep=self._in_flight.sleep,
                operation="refund",
            )
        except ProviderUnavailable:
            if await self._payments.save(payment.refund_abandoned(self._clock())):
                raise retryable(
                    "PROVIDER_UNAVAILABLE",
                    "The payment provider is unavailable; nothing was refunded, try again later.",
                ) from None
            return await self._settle(await self._in_flight.reload(payment))
        now = self._clock()
        transaction = Transaction(
            id=self._new_id(),
            kind=TransactionKind.REFUND,
            amount=payment.amount,
            status=TransactionStatus.SUCCEEDED if result.approved else TransactionStatus.FAILED,
            created_at=now,
            provider_reference=result.reference,
            failure_reason=result.decline_reason,
        )
        if result.approved:
            done = payment.refunded(transaction, now)
        else:
            done = payment.refund_declined(result.decline_reason or "declined", transaction, now)
        if not await self._save(done):  # with the payment's OPEN refund request, approved
            return await self._settle(await self._in_flight.reload(payment))
        if not result.approved:
            raise refund_declined(result.decline_reason)
        log.info("payment refunded", extra={"payment_id": done.id, "order_id": done.order_id})
        return done
