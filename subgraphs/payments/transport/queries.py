"""Payments queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.cost import connection_size
from subgraphs.kernel.graphql.pagination import Connection, page_size
from subgraphs.kernel.graphql.types import query_root
from subgraphs.payments.transport.context import PaymentsContext
from subgraphs.payments.transport.refund_requests import (
    RefundRequest,
    RefundRequestStatus,
    cursor_of,
    page_cursor,
)
from subgraphs.payments.transport.types import Payment, TestPaymentMethod, load_payment
from subgraphs.payments.usecase.refund_requests import MAX_PAGE


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

    @strawberry.field(
        description="Staff: refund requests, newest first, or oldest first (a queue) "
        "(refunds:decide).",
        extensions=requires_scope(Scope.REFUNDS_DECIDE),
        directives=[connection_size()],
    )
    async def refund_requests(
        self,
        info: Info[PaymentsContext, None],
        status: Annotated[
            RefundRequestStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only these; all when null."),
        ] = None,
        first: Annotated[
            int, strawberry.argument(description=f"How many requests (at most {MAX_PAGE}).")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
        oldest_first: Annotated[
            bool,
            strawberry.argument(
                description="The longest waiting first (by requestedAt); newest first when false."
            ),
        ] = False,
    ) -> Connection[RefundRequest]:
        size = page_size(first, MAX_PAGE)
        cursor = page_cursor(after) if after is not None else None
        page = await info.context.usecases.read_refund_requests.page(
            status, size, cursor, oldest_first=oldest_first
        )
        return Connection.of(
            ((RefundRequest.from_model(r), cursor_of(r)) for r in page.requests),
            has_next=page.has_next,
        )
