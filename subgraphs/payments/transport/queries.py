"""Payments queries."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.payments.transport.context import PaymentsContext
from subgraphs.payments.transport.types import Payment, load_owned_payment


@strawberry.type
class Query:
    @strawberry.field(description="One of your payments; null if there is no such payment.")
    async def payment(self, info: Info[PaymentsContext, None], id: strawberry.ID) -> Payment | None:
        return await load_owned_payment(info, str(id))
