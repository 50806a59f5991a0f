"""Work in flight (a charge or a refund): wait for it, or take it over once its lease lapsed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.payments.domain.payment import Payment
from subgraphs.payments.usecase.ports import PaymentRepository, Sleep
from subgraphs.payments.usecase.provider_calls import RetryPolicy


@dataclass(frozen=True, slots=True)
class Timing:
    """Provider retries, how long work in flight is leased, how long duplicates wait for it."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Longer than any provider call sequence (`retry.deadline`), so a live holder never
    # loses its lease; once it lapses, the holder is taken to be dead.
    lease_seconds: float = 30.0
    # A duplicate request waits this long for the one in flight, then gets a retryable error.
    wait_seconds: float = 15.0
    poll_seconds: float = 0.05

    def __post_init__(self) -> None:
        if self.lease_seconds <= self.retry.deadline:
            raise ValueError("the lease must outlast the provider retry deadline")


Busy = Callable[[Payment], bool]
Resume = Callable[[Payment], Awaitable[Payment]]


class InFlight:
    def __init__(
        self, payments: PaymentRepository, *, clock: Clock, sleep: Sleep, timing: Timing
    ) -> None:
        self._payments = payments
        self._clock = clock
        self.sleep = sleep
        self.timing = timing

    def lease_until(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.timing.lease_seconds)

    async def reload(self, payment: Payment) -> Payment:
        [current] = await self._payments.get_many([payment.id])
        if current is None:
            raise LookupError(f"payment {payment.id} vanished")
        return current

    async def settle(
        self,
        payment: Payment,
        *,
        busy: Busy,
        resume: Resume,
        in_progress: Callable[[], DomainError],
        wait: bool = True,
    ) -> Payment:
        """`payment` once `busy` is over: waited for, or resumed here if its holder died.

        Raises `in_progress()` if it is still busy after `timing.wait_seconds`
        (at once with `wait=False`).
        """
        give_up = self._clock() + timedelta(seconds=self.timing.wait_seconds if wait else 0)
        while busy(payment):
            now = self._clock()
            if payment.lease_lapsed(now):
                taken = payment.renew_lease(now, self.lease_until(now))
                if await self._payments.save(taken):
                    return await resume(taken)
            elif now >= give_up:
                raise in_progress()
            else:
                await self.sleep(self.timing.poll_seconds)
            payment = await self.reload(payment)
        return payment
