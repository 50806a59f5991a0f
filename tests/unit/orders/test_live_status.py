"""`orderStatusChanged` carries the saga's status events too: a rejection is seen live."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from starlette.requests import Request

from subgraphs.kernel.core.events import Event
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.orders.transport.schema import build_schema
from testkit.kernel import StubVerifier
from testkit.orders import stock_event

SUBSCRIPTION = """subscription($id: ID!) {
  orderStatusChanged(orderId: $id) { orderId status previousStatus }
}"""


class ReplayFeed:
    """The `StatusFeed` port replaying the events recorded so far (then ending)."""

    def __init__(self, events: list[Event]) -> None:
        self._events = events

    @asynccontextmanager
    async def subscribe(self, key: str) -> AsyncIterator[AsyncIterator[Event]]:
        async def replay() -> AsyncIterator[Event]:
            for event in self._events:
                if event.payload.get("order_id") == key:
                    yield event

        yield replay()


async def test_a_rejection_is_pushed_to_the_orders_subscribers(world):
    order = await world.place("u-1")
    short = [{"sku": "SKU-MUG", "requested": 2, "available": 0}]
    await world.usecases.apply_stock_event(stock_event("rejected", order.id, short=short))
    usecases = replace(world.usecases, status_feed=ReplayFeed(world.uow.events))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [(b"authorization", b"Bearer u-1")],
    }
    context = OrdersContext(request=Request(scope), verifier=StubVerifier(), usecases=usecases)

    stream = await build_schema().subscribe(
        SUBSCRIPTION, variable_values={"id": order.id}, context_value=context
    )
    assert isinstance(stream, AsyncIterator), stream
    changes = [(result.data or {}).get("orderStatusChanged") async for result in stream]

    assert changes == [{"orderId": order.id, "status": "REJECTED", "previousStatus": "PENDING"}]
