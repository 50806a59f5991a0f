"""`orderStatusChanged` on the real stores: with `since`, a subscriber opened after changes
first gets those it missed, in order, then the live ones, each change once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import Response

from subgraphs.kernel.core.events import Event, stream_of
from subgraphs.kernel.runtime.app import SubgraphApp
from testkit.client import graphql
from testkit.waiting import eventually

pytestmark = pytest.mark.integration

CREATE = """mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id createdAt } userErrors { code } } }"""
STATUS = "query($id: ID!) { order(id: $id) { status } }"
FOLLOW = """subscription($id: ID!, $since: DateTime) {
  orderStatusChanged(orderId: $id, since: $since) { orderId status previousStatus occurredAt }
}"""


@pytest.fixture
async def streams(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def place(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    items = [{"sku": "SKU-MUG", "quantity": 1}]
    body = await graphql(client, CREATE, {"input": {"items": items}}, token=token)
    return body["data"]["createOrder"]["order"]


async def payment_event(
    client: httpx.AsyncClient, token: str, streams: aioredis.Redis, order: dict, kind: str
) -> None:
    """`payments.<kind>` on its stream, as payments publishes it; until orders applied it."""
    event = Event.create(
        f"payments.{kind}",
        {"order_id": order["id"], "payment_id": "p-1", "reason": "card_declined"},
        producer="payments",
        occurred_at=datetime.now(UTC),
    )
    await streams.xadd(stream_of("payments"), event.to_fields())  # type: ignore[arg-type]
    status = {"failed": "PAYMENT_FAILED", "succeeded": "PAID", "refunded": "REFUNDED"}[kind]

    async def applied() -> bool:
        body = await graphql(client, STATUS, {"id": order["id"]}, token=token)
        return body["data"]["order"]["status"] == status

    await eventually(applied, what=f"the order {status}")


@asynccontextmanager
async def following(
    app: SubgraphApp, token: str, order_id: str, since: str | None
) -> AsyncIterator[AsyncGenerator[Any, None]]:
    """`orderStatusChanged` executed by the app's schema in a request context of its own."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [(b"authorization", f"Bearer {token}".encode())],
    }
    context = await app.graphql.get_context(Request(scope), Response())
    stream = await app.graphql.schema.subscribe(
        FOLLOW, variable_values={"id": order_id, "since": since}, context_value=context
    )
    assert isinstance(stream, AsyncGenerator), stream
    async with aclosing(stream):
        yield stream


async def changes(stream: AsyncGenerator[Any, None], count: int) -> list[tuple[str, str]]:
    """The next `count` changes as (previousStatus, status), in the order received."""
    received = []
    for _ in range(count):
        result = await asyncio.wait_for(anext(stream), 10)
        assert result.errors is None, result.errors
        change = result.data["orderStatusChanged"]
        received.append((change["previousStatus"], change["status"]))
    return received


async def test_since_yields_the_missed_changes_in_order_then_the_live_ones_once(
    orders_app, orders_client, issue, streams
):
    token = issue(f"user-{uuid.uuid4().hex[:8]}")
    order = await place(orders_client, token)
    await payment_event(orders_client, token, streams, order, "failed")
    await payment_event(orders_client, token, streams, order, "succeeded")

    async with following(orders_app, token, order["id"], since=order["createdAt"]) as everything:
        first = (await asyncio.wait_for(anext(everything), 10)).data["orderStatusChanged"]
        assert (first["orderId"], first["previousStatus"], first["status"]) == (
            order["id"],
            "PENDING",
            "PAYMENT_FAILED",
        )
        assert await changes(everything, 1) == [("PAYMENT_FAILED", "PAID")]
        failed_at = first["occurredAt"]
        async with following(orders_app, token, order["id"], since=failed_at) as after_failure:
            assert await changes(after_failure, 1) == [("PAYMENT_FAILED", "PAID")]
            # Delivered live again (the outbox relay publishes at least once): caught up
            # already, so not yielded a second time.
            paid = [
                fields
                for _, fields in await streams.xrange(stream_of("orders"))
                if order["id"] in fields["payload"] and fields["type"] == "orders.paid"
            ]
            await streams.xadd(stream_of("orders"), paid[0])
            await payment_event(orders_client, token, streams, order, "refunded")

            assert await changes(everything, 1) == [("PAID", "REFUNDED")]
            assert await changes(after_failure, 1) == [("PAID", "REFUNDED")]


async def test_since_on_someone_elses_order_is_not_found_and_yields_nothing(
    orders_app, orders_client, issue, streams
):
    owner = issue(f"user-{uuid.uuid4().hex[:8]}")
    order = await place(orders_client, owner)
    await payment_event(orders_client, owner, streams, order, "failed")
    stranger = issue(f"user-{uuid.uuid4().hex[:8]}")

    async with following(orders_app, stranger, order["id"], since=order["createdAt"]) as stream:
        results = [result async for result in stream]

    assert [r.data for r in results] == [None]
    assert [e.extensions["code"] for e in results[0].errors] == ["NOT_FOUND"]
