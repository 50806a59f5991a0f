"""Payments queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.graphql.types import query_root
from subgraphs.payments.transport.context import PaymentsContext
from subgraphs.payments.transport.types import Payment, TestPaymentMethod, load_payment


@query_root
class Query:
    @strawberry.field(description="One of your payments; null if there is no such payment.")
    async def payment(
        self,
        info: Info[PaymentsContext, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The payment's identifier.")],
    ) -> Payment | None:
        return await load_payment(info, str(id))

    @strawberry.field(
        description="The test payment methods the payment provider accepts (for a shop's card "
        "picker in test mode): the sandbox's tokens, or Stripe's test PaymentMethod ids."
    )
    async def test_payment_methods(
        self, info: Info[PaymentsContext, None]
    ) -> list[TestPaymentMethod]:
        await info.context.auth.require()
        return [
            TestPaymentMethod(token=m.token, label=m.label)
            for m in info.context.usecases.test_payment_methods
        ]
