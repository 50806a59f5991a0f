"""A charge that succeeds after its order expired unpaid is refunded by the system: the orders
and payments apps in-process on one Redis, the order expired by orders' own expiry pass."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
import redis.asyncio as aioredis

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.events import Event
from subgraphs.kernel.messaging.caught_up import CaughtUpOnce, NotCaughtUp
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS
from subgraphs.orders.app import build_app as build_orders
from subgraphs.payments.domain.payment import PaymentRequest, start_payment
from subgraphs.payments.repository.mongo_payments import MongoPayments
from testkit.client import graphql
from testkit.orders import publish_catalog_events, seed_catalog_events, stock_event
from testkit.waiting import eventually
from tests.integration.orders.conftest import orders_settings, until_ready
from tests.integration.payments.conftest import payments_settings, serving
from tests.integration.payments.test_payments_api import wait_for_view

pytestmark = pytest.mark.integration

CREATE = (
    'mutation { createOrder(input: {items: [{sku: "SKU-MUG", quantity: 1}]}) '
    "{ order { id } userErrors { code } } }"
)
ORDER = "query($id: ID!) { order(id: $id) { status stockReserved } }"


async def test_a_charge_that_succeeds_after_its_order_expired_is_refunded(
    mongo_uri, db_prefix, own_redis, test_tokens, mongo_client
):
    suffix = uuid.uuid4().hex[:6]
    orders_database, payments_database = f"{db_prefix}ox_{suffix}", f"{db_prefix}px_{suffix}"
    redis = aioredis.Redis.from_url(own_redis.url, decode_responses=True)
    await publish_catalog_events(redis, seed_catalog_events())
    orders = build_orders(
        orders_settings(
            mongo_uri,
            own_redis.url,
            orders_database,
            reservation_ttl_seconds=1,
            expiry_interval_seconds=0.05,
        ),
        verifier=test_tokens.verifier,
    )
    payments_db = mongo_client.get_database(payments_database, codec_options=CODEC_OPTIONS)
    user = "late-payer"
    token = test_tokens.issue(user)
    try:
        async with (
            orders.lifespan(),
            serving(payments_settings(mongo_uri, own_redis.url, payments_database), test_tokens),
        ):
            transport = httpx.ASGITransport(app=orders)
            async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
                await until_ready(client)
                body = await graphql(client, CREATE, token=token)
                order_id = body["data"]["createOrder"]["order"]["id"]
                reserved = stock_event(
                    "reserved", order_id, user, items=[{"sku": "SKU-MUG", "quantity": 1}]
                )
                await publish_catalog_events(redis, [reserved])  # the catalog's part
                view = await wait_for_view(payments_db, order_id)
                # A payment started while the order could be paid; its charge is slow (the
                # process holding it stalls) and outlives the order's deadline.
                started = utc_now()
                charging = start_payment(
                    payment_id=str(uuid.uuid4()),
                    user_id=user,
                    request=PaymentRequest(order_id, "pm_card_ok", "k-late"),
                    order=view,
                    now=started,
                    lease_until=started + timedelta(minutes=10),
                )
                payments = MongoPayments(payments_db)
                await payments.add(charging)

                async def expired():
                    answer = await graphql(client, ORDER, {"id": order_id}, token=token)
                    return answer["data"]["order"]["status"] == "CANCELLED"

                await eventually(expired, what="the order expired unpaid")
                await wait_for_view(payments_db, order_id, "CANCELLED")
                # The stalled process dies; another takes its payment over and charges now.
                await payments_db["payments"].update_one(
                    {"_id": charging.id},
                    {"$set": {"lease_until": utc_now() - timedelta(seconds=1)}},
                )

                async def refunded():
                    doc = await payments_db["payments"].find_one({"_id": charging.id})
                    return doc if doc["status"] == "REFUNDED" else None

                payment = await eventually(refunded, what="the late charge refunded")
                orders_read_payments = CaughtUpOnce(redis, "events.payments", "orders")

                async def handled() -> bool:
                    try:
                        await orders_read_payments.ping()
                    except NotCaughtUp:
                        return False
                    return True

                await eventually(handled, what="orders handled the payment events")
                final = await graphql(client, ORDER, {"id": order_id}, token=token)
        payment_events = [Event.from_fields(f) for _, f in await redis.xrange("events.payments")]
        order_events = [Event.from_fields(f) for _, f in await redis.xrange("events.orders")]
    finally:
        await redis.aclose()
        await mongo_client.drop_database(orders_database)
        await mongo_client.drop_database(payments_database)

    assert [t["kind"] for t in payment["transactions"]] == ["CHARGE", "REFUND"]
    mine = [e for e in payment_events if e.payload.get("order_id") == order_id]
    assert [e.type for e in mine] == ["payments.succeeded", "payments.refunded"]
    refund = mine[-1].payload
    assert (refund["actor_id"], refund["reason"], refund["restock"]) == (None, None, False)
    assert final["data"]["order"]["status"] == "CANCELLED"  # neither paid nor refunded
    of_order = [e for e in order_events if e.payload.get("order_id") == order_id]
    assert [e.type for e in of_order] == ["orders.created", "orders.cancelled"]
    cancellation = of_order[-1].payload
    assert (cancellation["reason"], cancellation["actor_id"]) == ("expired", None)
