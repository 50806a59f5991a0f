"""Store a refunded payment and close its OPEN refund request, in one unit of work.

However a payment is refunded (a request's approval, a staff refund without
the request, the system's compensation, the provider's own), a customer's
OPEN request for it is APPROVED by that refund's actor in the same unit of
work as the refund (`payments.refunded` and `payments.refund_approved`
together), so no request is left OPEN for a refunded payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.events import DomainEvent
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.payments.domain.payment import Payment, PaymentStatus
from subgraphs.payments.domain.refund_request import RefundRequest
from subgraphs.payments.usecase.ports import PaymentRepository, RefundRequestRepository

ATTEMPTS = 5


class _RequestChanged(Exception):
    """The request changed after it was read: abort the unit of work, read it again."""


@dataclass(frozen=True, slots=True)
class _Recording:
    events: tuple[DomainEvent, ...]


class SaveRefundOutcome:
    """Save `changed` (a payment with its events) through the unit of work; when it is
    REFUNDED, its OPEN request is approved in the same one."""

    def __init__(
        self,
        payments: PaymentRepository,
        requests: RefundRequestRepository,
        *,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._payments = payments
        self._requests = requests
        self._uow = uow
        self._clock = clock

    async def __call__(self, changed: Payment, *, claim: str | None = None) -> bool:
        """True once committed; False (nothing written) when the payment changed meanwhile
        or `claim` was applied before."""
        if changed.status is not PaymentStatus.REFUNDED:
            return await self._uow(
                partial(self._payments.save, changed), recorded=changed, claim=claim
            )
        for _ in range(ATTEMPTS):
            request = await self._requests.open_for(changed.id)
            if request is None:
                return await self._uow(
                    partial(self._payments.save, changed), recorded=changed, claim=claim
                )
            closed = request.approved(changed, self._clock())
            try:
                return await self._uow(
                    partial(self._save_both, changed, closed),
                    recorded=_Recording((*changed.events, *closed.events)),
                    claim=claim,
                )
            except _RequestChanged:
                continue
        # The request keeps changing under the refund: the refund is stored alone (an
        # approval of the request then finds the payment refunded and closes it).
        return await self._uow(partial(self._payments.save, changed), recorded=changed, claim=claim)

    async def _save_both(self, refunded: Payment, closed: RefundRequest) -> bool:
        # The request first: a changed one aborts before the payment is written (the
        # in-memory fakes write as they go).
        if not await self._requests.save(closed):
            raise _RequestChanged
        return await self._payments.save(refunded)
