"""Finish charges and refunds whose process died mid-flight, so no order stays in limbo."""

from __future__ import annotations

import logging

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.payments.domain.payment import PaymentStatus
from subgraphs.payments.usecase.ports import PaymentRepository
from subgraphs.payments.usecase.process_payment import ProcessPayment
from subgraphs.payments.usecase.refund_payment import RefundPayment

log = logging.getLogger(__name__)


class ResumeAbandoned:
    """Take over work whose lease lapsed; the provider's idempotency makes that safe."""

    name = "resume-abandoned"

    def __init__(
        self,
        payments: PaymentRepository,
        process: ProcessPayment,
        refund: RefundPayment,
        *,
        clock: Clock,
        batch_size: int = 20,
    ) -> None:
        self._payments = payments
        self._process = process
        self._refund = refund
        self._clock = clock
        self._batch_size = batch_size

    async def run_once(self) -> int:
        """One pass; the number of payments resumed."""
        resumed = 0
        for payment in await self._payments.in_flight(self._clock(), self._batch_size):
            log.warning("resuming abandoned payment work", extra={"payment_id": payment.id})
            try:
                if payment.status is PaymentStatus.PROCESSING:
                    await self._process.resume(payment)
                else:
                    await self._refund.resume(payment)
            except DomainError as error:  # e.g. the provider is still down for a refund
                log.warning(
                    "abandoned payment work not finished",
                    extra={"payment_id": payment.id, "reason": str(error)},
                )
            resumed += 1
        return resumed
