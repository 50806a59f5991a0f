"""GraphQL types of refund requests: what a customer asks, and the staff list of them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.graphql.enums import described_enum
from subgraphs.kernel.graphql.pagination import read_time_cursor, time_cursor
from subgraphs.payments.domain import refund_request as domain
from subgraphs.payments.transport.context import PaymentsContext
from subgraphs.payments.usecase.ports import RequestCursor

if TYPE_CHECKING:
    from subgraphs.payments.transport.types import Order, Payment

RefundRequestStatus = described_enum(
    domain.RefundRequestStatus,
    name="RefundRequestStatus",
    description="Where a refund request stands.",
    values={
        "OPEN": "Waiting for a decision by staff.",
        "APPROVED": "Approved: the payment was refunded.",
        "DECLINED": "Declined: see decisionReason.",
    },
)


@strawberry.type(description="A customer's request to refund an order's payment.")
class RefundRequest:
    id: strawberry.ID = strawberry.field(description="The request's identifier.")
    status: RefundRequestStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    reason: str = strawberry.field(description="Why the customer asks.")
    requested_at: datetime = strawberry.field(description="When it was asked.")
    decided_at: datetime | None = strawberry.field(description="When staff decided; null if OPEN.")
    decision_reason: str | None = strawberry.field(
        description="Why it was declined; null otherwise."
    )
    payment_id: strawberry.Private[str]
    order_id: strawberry.Private[str]

    @strawberry.field(description="The order it is about.")
    def order(self) -> Annotated[Order, strawberry.lazy("subgraphs.payments.transport.types")]:
        from subgraphs.payments.transport.types import Order

        return Order(id=strawberry.ID(self.order_id))

    @strawberry.field(description="The payment to refund.")
    async def payment(
        self, info: Info[PaymentsContext, None]
    ) -> Annotated[Payment, strawberry.lazy("subgraphs.payments.transport.types")] | None:
        # Whoever sees the request (its owner, or staff) sees its payment.
        from subgraphs.payments.transport.types import Payment

        payment = await info.context.payments_by_id.load(self.payment_id)
        return Payment.from_model(payment) if payment is not None else None

    @classmethod
    def from_model(cls, r: domain.RefundRequest) -> RefundRequest:
        return cls(
            id=strawberry.ID(r.id),
            status=r.status,
            reason=r.reason,
            requested_at=r.requested_at,
            decided_at=r.decided_at,
            decision_reason=r.decision_reason,
            payment_id=r.payment_id,
            order_id=r.order_id,
        )


def cursor_of(r: domain.RefundRequest) -> str:
    return time_cursor(r.requested_at, r.id)


def page_cursor(cursor: str) -> RequestCursor:
    """The request time (milliseconds) and id of an `after` cursor."""
    return RequestCursor(*read_time_cursor(cursor))
