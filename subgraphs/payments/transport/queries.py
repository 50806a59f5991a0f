"""Payments queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.graphql.types import query_root
from subgraphs.payments.transport.context import PaymentsContext
from subgraphs.payments.transport.types import Payment, load_payment


@query_root
class Query:
    @strawberry.field(description="One of your payments; null if there is no such payment.")
    async def payment(
        self,
        info: Info[PaymentsContext, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The payment's identifier.")],
    ) -> Payment | None:
        return await load_payment(info, str(id))
