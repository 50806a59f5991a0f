"""Read payments: by id, and the payment an order shows."""

from __future__ import annotations

from collections.abc import Sequence

from subgraphs.payments.domain.payment import Payment
from subgraphs.payments.usecase.ports import PaymentRepository


def shown_payment(payments: Sequence[Payment]) -> Payment | None:
    """The payment an order shows: its succeeded (or refunded) one, else its latest failed one.

    Payments still in flight are not shown until they are decided.
    """
    finished = [p for p in payments if p.finished]
    holder = next((p for p in finished if p.holds_order), None)
    if holder is not None:
        return holder
    return max(finished, key=lambda p: p.created_at, default=None)


class ReadPayments:
    def __init__(self, payments: PaymentRepository) -> None:
        self._payments = payments

    async def by_ids(self, ids: Sequence[str]) -> list[Payment | None]:
        """Payments in the order asked, None where there is none (owner checks are the caller's)."""
        return await self._payments.get_many(ids)

    async def for_orders(self, order_ids: Sequence[str]) -> list[Payment | None]:
        """The payment each order shows (see `shown_payment`), None where it has none."""
        return [shown_payment(p) for p in await self._payments.for_orders(order_ids)]
