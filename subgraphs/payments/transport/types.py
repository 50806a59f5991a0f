"""GraphQL types of the payments subgraph: a mapping layer over the domain."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.enums import described_enum
from subgraphs.kernel.graphql.types import Money
from subgraphs.payments.domain import payment as domain
from subgraphs.payments.transport.context import PaymentsContext
from subgraphs.payments.transport.refund_requests import RefundRequest


@strawberry.enum(description="Where a payment ended up (payments in flight are not shown).")
class PaymentStatus(Enum):
    SUCCEEDED = strawberry.enum_value("SUCCEEDED", description="The order is paid.")
    FAILED = strawberry.enum_value(
        "FAILED", description="Declined or not possible: see failureReason."
    )
    REFUNDED = strawberry.enum_value("REFUNDED", description="Paid, then refunded in full.")


TransactionKind = described_enum(
    domain.TransactionKind,
    description="Charge or refund.",
    values={"CHARGE": "Money taken from the card.", "REFUND": "Money given back to the card."},
)
TransactionStatus = described_enum(
    domain.TransactionStatus,
    description="The provider's answer to a transaction.",
    values={"SUCCEEDED": "The provider accepted it.", "FAILED": "The provider refused it."},
)


@strawberry.type(description="One answer of the payment provider: a charge or a refund.")
class Transaction:
    id: strawberry.ID = strawberry.field(description="The transaction's identifier.")
    kind: TransactionKind = strawberry.field(description="Charge or refund.")  # type: ignore[valid-type]
    amount: Money = strawberry.field(description="How much.")
    status: TransactionStatus = strawberry.field(description="The provider's answer.")  # type: ignore[valid-type]
    failure_reason: str | None = strawberry.field(
        description="Why the provider refused it, if it did."
    )
    created_at: datetime = strawberry.field(description="When the provider answered.")


# Owned by the orders subgraph; no description here, so composition sees only its own.
@strawberry.type(description="A payment method token to offer, and what it does.")
class TestPaymentMethod:
    token: str = strawberry.field(description="The `paymentMethodToken` to pay with.")
    label: str = strawberry.field(description="What to show, e.g. the card and its outcome.")


@strawberry.federation.type(keys=["id"])
class Order:
    id: strawberry.ID

    @strawberry.field(
        description="The order's payment: its succeeded (or refunded) one, else its latest "
        "failed one; null if it has none (the order's owner, or staff reading any order)."
    )
    async def payment(self, info: Info[PaymentsContext, None]) -> Payment | None:
        principal = await info.context.auth.require()
        payment = await info.context.payment_of_order.load(str(self.id))
        if payment is None or not principal.may_read(payment.user_id, Scope.ORDERS_READ_ANY):
            return None  # someone else's answers as none does
        return Payment.from_model(payment)

    @strawberry.field(
        description="The order's latest refund request, null if none was made (the order's "
        "owner only)."
    )
    async def refund_request(self, info: Info[PaymentsContext, None]) -> RefundRequest | None:
        principal = await info.context.auth.require()
        request = await info.context.refund_request_of_order.load(str(self.id))
        if request is None or request.user_id != principal.user_id:
            return None  # someone else's answers as none does
        return RefundRequest.from_model(request)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Order:
        return cls(id=id)


@strawberry.federation.type(keys=["id"], description="A payment of an order.")
class Payment:
    id: strawberry.ID = strawberry.field(description="The payment's identifier.")
    status: PaymentStatus = strawberry.field(description="Where it ended up.")
    amount: Money = strawberry.field(description="The order's total, charged in full.")
    failure_reason: str | None = strawberry.field(
        description="Why it failed: card_declined, insufficient_funds, provider_unavailable, ..."
    )
    created_at: datetime = strawberry.field(description="When it was attempted.")
    updated_at: datetime = strawberry.field(description="When its status last changed.")
    order: Order = strawberry.field(description="The order it pays.")
    transactions: list[Transaction] = strawberry.field(
        description="The provider's answers, oldest first."
    )

    @classmethod
    def from_model(cls, payment: domain.Payment) -> Payment:
        return cls(
            id=strawberry.ID(payment.id),
            status=PaymentStatus(payment.status.value),
            amount=Money.from_value(payment.amount),
            failure_reason=payment.failure_reason,
            created_at=payment.created_at,
            updated_at=payment.updated_at,
            order=Order(id=strawberry.ID(payment.order_id)),
            transactions=[
                Transaction(
                    id=strawberry.ID(t.id),
                    kind=t.kind,
                    amount=Money.from_value(t.amount),
                    status=t.status,
                    failure_reason=t.failure_reason,
                    created_at=t.created_at,
                )
                for t in payment.transactions
            ],
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[PaymentsContext, None], id: strawberry.ID
    ) -> Payment | None:
        # The payment of an order staff read (orders:read:any) resolves for them too.
        return await load_payment(info, str(id), any_with=Scope.ORDERS_READ_ANY)


async def load_payment(
    info: Info[PaymentsContext, None], payment_id: str, *, any_with: Scope | None = None
) -> Payment | None:
    """The decided payment by id for its owner, or for any caller holding `any_with`; None if
    there is none or the caller may not read it (the same answer, so an id's existence is not
    confirmed to a stranger)."""
    principal = await info.context.auth.require()
    payment = await info.context.payments_by_id.load(payment_id)
    if payment is None or not payment.finished:
        return None
    allowed = (
        principal.may_read(payment.user_id, any_with)
        if any_with is not None
        else payment.user_id == principal.user_id
    )
    return Payment.from_model(payment) if allowed else None
