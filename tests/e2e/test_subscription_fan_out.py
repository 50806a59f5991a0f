"""The path of one event to many subscribers, as cheap as it can be and still per credential.

Identical subscriptions through the gateway share one upstream subscription
(seen from outside: the orders subgraph's count of registered subscribers
and the gateway's /metrics); one asking for the past (`since`) that joins
later is first sent what the shared one delivered, and so gets the catch-up
too. The subgraphs send events uncompressed.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import websockets

from testkit.client import subscribe, subscribed
from testkit.journeys import register
from testkit.prometheus import parse_metrics, subscriptions_started
from testkit.waiting import eventually
from tests.e2e.test_orders_through_gateway import (
    STATUS,
    STATUS_SINCE,
    create_order,
    order_with_a_failed_payment,
    pay_event,
)

pytestmark = pytest.mark.e2e


async def gateway_gauges(client: httpx.AsyncClient, internal_url: str) -> tuple[float, float]:
    """(client subscriptions, upstream subscriptions) the gateway has open."""
    metrics = parse_metrics((await client.get(f"{internal_url}/metrics")).text)
    return metrics["gateway_subscriptions_open"], metrics["gateway_upstream_subscriptions_open"]


async def settled(client: httpx.AsyncClient, internal_url: str, expected: tuple[float, float]):
    async def reached() -> bool:
        return await gateway_gauges(client, internal_url) == expected

    await eventually(reached, what=f"the gateway's subscriptions to be {expected}")


async def test_two_tabs_of_one_user_share_one_upstream_subscription(
    gateway, gateway_url, gateway_internal_url, orders_url, stack_redis_url, internal_urls
):
    # The other tests' subscriptions are closed.
    await settled(gateway, gateway_internal_url, (0, 0))
    token = (await register(gateway))["accessToken"]
    order = (await create_order(gateway, token, [{"sku": "SKU-TEE", "quantity": 1}]))["order"]
    url, variables = f"{gateway_url}/graphql", {"id": order["id"]}
    registered = await subscriptions_started(gateway, internal_urls["orders"])

    async with subscribed(
        gateway, url, STATUS, variables, token=token, upstream=internal_urls["orders"]
    ) as tab:
        async with subscribe(url, STATUS, variables, token=token) as other_tab:
            await settled(gateway, gateway_internal_url, (2, 1))
            assert await subscriptions_started(gateway, internal_urls["orders"]) == registered + 1

            await pay_event(stack_redis_url, order["id"], "payments.succeeded", payment_id="p-1")
            for feed in (tab, other_tab):
                change = (await feed.next())["data"]["orderStatusChanged"]
                assert (change["previousStatus"], change["status"]) == ("PENDING", "PAID")

        # One tab closed: the other still gets the next change.
        await settled(gateway, gateway_internal_url, (1, 1))
        await pay_event(stack_redis_url, order["id"], "payments.refunded", payment_id="p-1")
        assert (await tab.next())["data"]["orderStatusChanged"]["status"] == "REFUNDED"

    await settled(gateway, gateway_internal_url, (0, 0))  # the last one out closed the upstream


async def test_identical_subscriptions_with_since_each_get_the_catch_up(
    gateway, gateway_url, gateway_internal_url, stack_redis_url, internal_urls
):
    await settled(gateway, gateway_internal_url, (0, 0))
    token = (await register(gateway))["accessToken"]
    order_id, since = await order_with_a_failed_payment(gateway, stack_redis_url, token)
    url, variables = f"{gateway_url}/graphql", {"id": order_id, "since": since}
    registered = await subscriptions_started(gateway, internal_urls["orders"])

    def transition(message: dict[str, Any]) -> tuple[str, str]:
        change = message["data"]["orderStatusChanged"]
        return change["previousStatus"], change["status"]

    async with subscribed(
        gateway, url, STATUS_SINCE, variables, token=token, upstream=internal_urls["orders"]
    ) as tab:
        assert transition(await tab.next()) == ("PENDING", "PAYMENT_FAILED")
        # The same subscription, opened once the first got its catch-up: it shares the first
        # one's upstream and is sent that catch-up first.
        async with subscribe(url, STATUS_SINCE, variables, token=token) as other_tab:
            assert transition(await other_tab.next()) == ("PENDING", "PAYMENT_FAILED")
            await settled(gateway, gateway_internal_url, (2, 1))
            assert await subscriptions_started(gateway, internal_urls["orders"]) == registered + 1

            await pay_event(stack_redis_url, order_id, "payments.succeeded", payment_id="p-3")
            for feed in (tab, other_tab):
                assert transition(await feed.next()) == ("PAYMENT_FAILED", "PAID")

    await settled(gateway, gateway_internal_url, (0, 0))


async def test_another_users_subscription_never_joins_the_owners_stream(
    gateway, gateway_url, gateway_internal_url, orders_url, stack_redis_url, internal_urls
):
    await settled(gateway, gateway_internal_url, (0, 0))
    owner = (await register(gateway))["accessToken"]
    other = (await register(gateway))["accessToken"]
    order = (await create_order(gateway, owner, [{"sku": "SKU-CAP", "quantity": 1}]))["order"]
    url, variables = f"{gateway_url}/graphql", {"id": order["id"]}

    async with subscribed(
        gateway, url, STATUS, variables, token=owner, upstream=internal_urls["orders"]
    ) as own:
        async with subscribe(url, STATUS, variables, token=other) as intruder:
            errors = await intruder.error()
            assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]

        await pay_event(stack_redis_url, order["id"], "payments.succeeded", payment_id="p-2")
        assert (await own.next())["data"]["orderStatusChanged"]["status"] == "PAID"


async def test_subgraphs_decline_per_message_compression(orders_url):
    """Events of a few hundred bytes: deflating each cost more CPU than the bytes it saved."""
    ws_url = orders_url.replace("http://", "ws://", 1) + "/graphql"
    async with websockets.connect(
        ws_url,
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        compression="deflate",  # offered, as the gateway's WebSocket client does
    ) as ws:
        assert ws.response is not None
        assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
