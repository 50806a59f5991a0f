"""Apply the provider's notifications (webhooks) about our charges, each event once.

The provider may send an event twice, late, or before an earlier one; each is
applied through the unit of work, claimed by its id, and only where it still
moves the payment forward: a charge outcome only to a PROCESSING payment, a
refund only to a SUCCEEDED one (or to our own refund in flight). Anything else
changes nothing. A refund or dispute about a charge still PROCESSING here is too
early: `NotYet`, and the provider sends it again later.
"""

from __future__ import annotations

import logging
from datetime import datetime

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.payments.domain.payment import (
    Payment,
    PaymentStatus,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from subgraphs.payments.usecase.ports import (
    AfterCharge,
    PaymentRepository,
    ProviderEvent,
    ProviderEventKind,
    charged_as_is,
)
from subgraphs.payments.usecase.refunded import SaveRefundOutcome

log = logging.getLogger(__name__)


class NotYet(Exception):
    """The event is about a state this side has not reached yet; deliver it again later."""


class ApplyProviderEvent:
    """Apply one verified provider event; True if it changed something."""

    def __init__(
        self,
        payments: PaymentRepository,
        save: SaveRefundOutcome,
        *,
        uow: UnitOfWork,
        clock: Clock,
        new_id: NewId,
        after_charge: AfterCharge = charged_as_is,
    ) -> None:
        self._payments = payments
        self._save = save
        self._uow = uow
        self._clock = clock
        self._new_id = new_id
        self._after_charge = after_charge

    async def __call__(self, event: ProviderEvent) -> bool:
        claim = f"provider:{event.id}"
        if await self._uow.applied(claim):
            return False
        payment = await self._find(event)
        if payment is None:
            log.info(
                "provider event about no payment of ours",
                extra={"event_id": event.id, "intent": event.intent},
            )
            return False
        changed = self._apply(payment, event)
        if changed is None:
            return False
        if not await self._save(changed, claim=claim):  # a refund closes an OPEN request
            raise NotYet(f"payment {payment.id} changed meanwhile")  # decide again on redelivery
        if event.kind is ProviderEventKind.DISPUTED:
            log.warning(
                "charge disputed",
                extra={
                    "payment_id": payment.id,
                    "order_id": payment.order_id,
                    "dispute_id": event.reference,
                    "reason": event.reason,
                },
            )
        if changed.status is PaymentStatus.SUCCEEDED and payment.status is PaymentStatus.PROCESSING:
            await self._after_charge(changed)
        return True

    async def _find(self, event: ProviderEvent) -> Payment | None:
        if event.payment_id is not None:
            [payment] = await self._payments.get_many([event.payment_id])
        else:
            payment = await self._payments.by_provider_intent(event.intent)
        # An intent opened but never stored (its opener died) is not this payment's charge.
        if payment is None or payment.provider_intent != event.intent:
            return None
        return payment

    def _apply(self, payment: Payment, event: ProviderEvent) -> Payment | None:
        """`payment` changed by `event`, or None when the event changes nothing."""
        now = self._clock()
        kind = event.kind
        after_charge = kind in (ProviderEventKind.DISPUTED, ProviderEventKind.REFUNDED)
        if after_charge and payment.status is PaymentStatus.PROCESSING:
            raise NotYet(f"{kind.value} about payment {payment.id} before its charge")
        if kind is ProviderEventKind.DISPUTED:
            return payment.disputed(event.reference or event.id, event.reason, now)
        if kind is ProviderEventKind.REFUNDED:
            if payment.status is not PaymentStatus.SUCCEEDED:
                return None  # refunded before, or never charged
            refund = self._transaction(payment, TransactionKind.REFUND, event, now)
            return payment.refunded_at_provider(self._new_id(), refund, now)
        if payment.status is not PaymentStatus.PROCESSING:
            if (
                kind is ProviderEventKind.CHARGE_SUCCEEDED
                and payment.status is PaymentStatus.FAILED
            ):
                log.error(
                    "provider charged a payment failed here; refund it by hand",
                    extra={"payment_id": payment.id, "intent": event.intent},
                )
            return None  # decided before: a replay, or an event overtaken by a later one
        if kind is ProviderEventKind.CHARGE_SUCCEEDED:
            charge = self._transaction(payment, TransactionKind.CHARGE, event, now)
            return payment.charged(charge, now)
        decline = self._transaction(payment, TransactionKind.CHARGE, event, now)
        return payment.failed(event.reason or "card_declined", now, decline)

    def _transaction(
        self, payment: Payment, kind: TransactionKind, event: ProviderEvent, now: datetime
    ) -> Transaction:
        failed = event.kind is ProviderEventKind.CHARGE_FAILED
        return Transaction(
            id=self._new_id(),
            kind=kind,
            amount=payment.amount,
            status=TransactionStatus.FAILED if failed else TransactionStatus.SUCCEEDED,
            created_at=now,
            provider_reference=event.reference if kind is TransactionKind.REFUND else event.intent,
            failure_reason=event.reason if failed else None,
        )
