"""Staff read every customer's orders through the gateway: filtered, page by page, any one by
id with its payment and the mails sent about it; customers keep reading only their own."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from subgraphs.kernel.core.access import Role
from testkit.client import error_codes, graphql, subscribe, subscribed
from testkit.journeys import register
from testkit.tokens import mint_access_token
from testkit.waiting import eventually, eventually_sync
from tests.e2e.test_payments_through_gateway import create_order, pay
from tools.otlp_receiver import OtlpReceiver

pytestmark = pytest.mark.e2e

STAFF_ORDERS = """
query StaffOrders($filter: StaffOrderFilter, $first: Int!, $after: String) {
  staffOrders(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id status user { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

STAFF_ORDER = """
query StaffOrder($id: ID!) {
  staffOrder(id: $id) {
    id status total { amount currency } items { sku quantity }
    payment { status transactions { kind status } }
  }
}"""

ORDER = "query Order($id: ID!) { order(id: $id) { id payment { status } } }"
ITEMS = [{"sku": "SKU-MUG", "quantity": 1}]


@pytest.fixture(scope="module")
def support_token(users_signing_key: bytes) -> str:
    return mint_access_token(users_signing_key, "staff-support", role=Role.SUPPORT)


async def _ids(gateway: httpx.AsyncClient, token: str, filter: dict[str, object]) -> list[str]:
    body = await graphql(gateway, STAFF_ORDERS, {"filter": filter, "first": 100}, token=token)
    assert "errors" not in body, body
    return [e["node"]["id"] for e in body["data"]["staffOrders"]["edges"]]


async def test_staff_filter_every_customers_orders_and_page_through_them(
    gateway: httpx.AsyncClient, support_token: str
) -> None:
    alice, bob = await register(gateway), await register(gateway)
    alices = [await create_order(gateway, alice["accessToken"], ITEMS) for _ in range(3)]
    bobs = await create_order(gateway, bob["accessToken"], ITEMS)
    paid = await pay(gateway, alice["accessToken"], alices[0]["id"])
    assert paid["payment"]["status"] == "SUCCEEDED"
    alice_id = alice["user"]["id"]

    newest_first = [o["id"] for o in reversed(alices)]
    assert await _ids(gateway, support_token, {"customerId": alice_id}) == newest_first
    assert await _ids(gateway, support_token, {"customerId": bob["user"]["id"]}) == [bobs["id"]]
    assert await _ids(gateway, support_token, {"customerId": alice_id, "status": "PAID"}) == [
        alices[0]["id"]
    ]
    assert await _ids(gateway, support_token, {"orderId": bobs["id"]}) == [bobs["id"]]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await _ids(gateway, support_token, {"customerId": alice_id, "createdFrom": future}) == []
    assert (
        await _ids(gateway, support_token, {"customerId": alice_id, "createdBefore": future})
        == newest_first
    )

    # Page by page, each page continuing after the last one's endCursor.
    seen: list[str] = []
    after = None
    while True:
        variables = {"filter": {"customerId": alice_id}, "first": 2, "after": after}
        body = await graphql(gateway, STAFF_ORDERS, variables, token=support_token)
        page = body["data"]["staffOrders"]
        seen += [e["node"]["id"] for e in page["edges"]]
        assert all(e["node"]["user"]["id"] == alice_id for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == newest_first

    # Unfiltered: every customer's orders, newest first (bob's came last).
    assert (await _ids(gateway, support_token, {}))[0] == bobs["id"]


async def test_staff_read_any_order_with_its_payment_customers_only_their_own(
    gateway: httpx.AsyncClient, support_token: str, users_signing_key: bytes
) -> None:
    alice, mallory = await register(gateway), await register(gateway)
    order = await create_order(gateway, alice["accessToken"], ITEMS)
    await pay(gateway, alice["accessToken"], order["id"])

    body = await graphql(gateway, STAFF_ORDER, {"id": order["id"]}, token=support_token)
    assert "errors" not in body, body
    seen = body["data"]["staffOrder"]
    assert seen["id"] == order["id"]
    assert seen["payment"]["status"] == "SUCCEEDED"
    assert [t["kind"] for t in seen["payment"]["transactions"]] == ["CHARGE"]

    # Another customer: their own order query answers null, payment included; staff fields are
    # refused at the gateway with no data.
    theirs = await graphql(gateway, ORDER, {"id": order["id"]}, token=mallory["accessToken"])
    assert theirs == {"data": {"order": None}}
    refused = await gateway.post(
        "/graphql",
        json={"query": STAFF_ORDER, "variables": {"id": order["id"]}},
        headers={"authorization": f"Bearer {mallory['accessToken']}"},
    )
    assert refused.status_code == 403
    assert error_codes(refused.json()) == ["FORBIDDEN"]
    assert refused.json().get("data") is None
    anonymous = await gateway.post(
        "/graphql", json={"query": STAFF_ORDER, "variables": {"id": order["id"]}}
    )
    assert anonymous.status_code == 401
    assert error_codes(anonymous.json()) == ["UNAUTHENTICATED"]

    # A catalog manager holds no orders:read:any.
    catalog = mint_access_token(users_signing_key, "staff-catalog", role=Role.CATALOG)
    body = await graphql(gateway, STAFF_ORDER, {"id": order["id"]}, token=catalog)
    assert error_codes(body) == ["FORBIDDEN"]


ORDER_MAILS = "query($id: ID!) { order(id: $id) { notifications { kind channel status } } }"
STAFF_ORDER_MAILS = "query($id: ID!) { staffOrder(id: $id) { notifications { kind } } }"
ENTITY_MAILS = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Order { notifications { kind } } } }"""


async def test_the_mails_sent_about_an_order_to_its_owner_and_to_staff_only(
    gateway: httpx.AsyncClient, support_token: str, notifications_url: str
) -> None:
    alice, mallory = await register(gateway), await register(gateway)
    order = await create_order(gateway, alice["accessToken"], ITEMS)

    async def confirmation_listed() -> list[dict[str, str]] | None:
        body = await graphql(gateway, ORDER_MAILS, {"id": order["id"]}, token=alice["accessToken"])
        mails = body["data"]["order"]["notifications"]
        kinds = {m["kind"] for m in mails}
        return mails if "ORDER_CONFIRMATION" in kinds else None

    mails = await eventually(confirmation_listed, what="the order confirmation to be listed")
    assert {"kind": "ORDER_CONFIRMATION", "channel": "EMAIL"}.items() <= mails[0].items()

    body = await graphql(gateway, STAFF_ORDER_MAILS, {"id": order["id"]}, token=support_token)
    assert [m["kind"] for m in body["data"]["staffOrder"]["notifications"]] == [
        m["kind"] for m in mails
    ]
    # Straight at the notifications subgraph, another customer learns nothing about the order.
    reps = {"r": [{"__typename": "Order", "id": order["id"]}]}
    async with httpx.AsyncClient(base_url=notifications_url) as direct:
        theirs = await graphql(direct, ENTITY_MAILS, reps, token=mallory["accessToken"])
        staff = await graphql(direct, ENTITY_MAILS, reps, token=support_token)
    assert theirs == {"data": {"_entities": [{"notifications": []}]}}
    assert staff["data"]["_entities"][0]["notifications"]


async def test_a_refused_staff_query_never_reaches_the_subgraph(
    gateway: httpx.AsyncClient, support_token: str, otlp: OtlpReceiver
) -> None:
    """The trace of a refused call has the gateway's spans and none of the orders subgraph;
    the same call allowed, sent after it, has both."""
    customer = (await register(gateway))["accessToken"]

    async def traced(token: str) -> tuple[httpx.Response, str]:
        trace_id = secrets.token_hex(16)
        response = await gateway.post(
            "/graphql",
            json={"query": STAFF_ORDERS, "variables": {"first": 1}},
            headers={
                "authorization": f"Bearer {token}",
                "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01",
            },
        )
        return response, trace_id

    refused, refused_trace = await traced(customer)
    assert refused.status_code == 403
    allowed, allowed_trace = await traced(support_token)
    assert "errors" not in allowed.json()

    def services(trace_id: str) -> set[str]:
        return {span.service for span in otlp.spans(trace_id)}

    # Each process exports its spans in the order it ended them: once the allowed call's
    # orders spans are in, the refused call's would be too, had orders seen it.
    eventually_sync(
        lambda: {"gateway", "orders"} <= services(allowed_trace) or None,
        what="the allowed call's spans",
    )
    eventually_sync(
        lambda: "gateway" in services(refused_trace) or None, what="the refused call's spans"
    )
    assert "orders" not in services(refused_trace)


STAFF_CANCEL = """
mutation StaffCancel($input: StaffCancelOrderInput!) {
  staffCancelOrder(input: $input) { order { id status } userErrors { code message } }
}"""
TIMELINE = """
query Timeline($id: ID!) {
  staffOrder(id: $id) {
    status
    timeline { status actorKind actor { id name } reason }
    notifications { kind }
  }
}"""
REFUND = """
mutation Refund($input: RefundPaymentInput!) {
  refundPayment(input: $input) { payment { status } userErrors { code } }
}"""


async def test_staff_cancel_and_refund_with_a_reason_on_the_order_timeline(
    gateway: httpx.AsyncClient, users_signing_key: bytes
) -> None:
    alice, sam = await register(gateway), await register(gateway)
    staffer = sam["user"]["id"]
    support = mint_access_token(users_signing_key, staffer, role=Role.SUPPORT)
    unpaid = await create_order(gateway, alice["accessToken"], ITEMS)
    cancel = {"input": {"orderId": unpaid["id"], "reason": "Duplicate order, asked by phone"}}

    # A customer, even the owner, is refused at the gateway with no data.
    refused = await graphql(gateway, STAFF_CANCEL, cancel, token=alice["accessToken"])
    assert (error_codes(refused), refused.get("data")) == (["FORBIDDEN"], None)

    body = await graphql(gateway, STAFF_CANCEL, cancel, token=support)
    assert body["data"]["staffCancelOrder"] == {
        "order": {"id": unpaid["id"], "status": "CANCELLED"},
        "userErrors": [],
    }
    body = await graphql(gateway, TIMELINE, {"id": unpaid["id"]}, token=support)
    assert "errors" not in body, body
    customer = {"id": alice["user"]["id"], "name": "Test User"}
    assert body["data"]["staffOrder"]["timeline"] == [
        {"status": "PENDING", "actorKind": "CUSTOMER", "actor": customer, "reason": None},
        {
            "status": "CANCELLED",
            "actorKind": "STAFF",
            "actor": {"id": staffer, "name": "Test User"},
            "reason": "Duplicate order, asked by phone",
        },
    ]

    async def cancellation_mailed() -> bool | None:
        body = await graphql(gateway, TIMELINE, {"id": unpaid["id"]}, token=support)
        kinds = {m["kind"] for m in body["data"]["staffOrder"]["notifications"]}
        return True if "ORDER_CANCELLED" in kinds else None

    await eventually(cancellation_mailed, what="the customer's cancellation mail")

    # A paid order cannot be cancelled; staff refund it, with their reason on its timeline.
    paid = await create_order(gateway, alice["accessToken"], ITEMS)
    payment = (await pay(gateway, alice["accessToken"], paid["id"]))["payment"]
    not_cancelled = await graphql(
        gateway, STAFF_CANCEL, {"input": {"orderId": paid["id"], "reason": "x"}}, token=support
    )
    errors = not_cancelled["data"]["staffCancelOrder"]["userErrors"]
    assert [e["code"] for e in errors] == ["INVALID_TRANSITION"]
    refund = {"paymentId": payment["id"], "idempotencyKey": secrets.token_hex(8), "reason": "Lost"}
    refunded = await graphql(gateway, REFUND, {"input": refund}, token=support)
    assert refunded["data"]["refundPayment"]["userErrors"] == [], refunded

    async def refund_on_timeline() -> list[dict[str, Any]] | None:
        body = await graphql(gateway, TIMELINE, {"id": paid["id"]}, token=support)
        entries = body["data"]["staffOrder"]["timeline"]
        return entries if entries[-1]["status"] == "REFUNDED" else None

    entries = await eventually(refund_on_timeline, what="the refund on the order's timeline")
    assert [(e["status"], e["actorKind"]) for e in entries] == [
        ("PENDING", "CUSTOMER"),
        ("PAID", "SYSTEM"),
        ("REFUNDED", "STAFF"),
    ]
    assert (entries[-1]["actor"]["id"], entries[-1]["reason"]) == (staffer, "Lost")


STATUS = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { status previousStatus } }"


async def test_staff_follow_any_customers_order_live_and_other_roles_cannot(
    gateway: httpx.AsyncClient,
    gateway_url: str,
    internal_urls: dict[str, str],
    support_token: str,
    users_signing_key: bytes,
) -> None:
    """The back office's order page listens as the storefront's does: support with
    orders:read:any follows a customer's order; a role without it is told it does not exist."""
    customer = await register(gateway)
    order = await create_order(gateway, customer["accessToken"], ITEMS)
    url, variables = f"{gateway_url}/graphql", {"id": order["id"]}
    catalog = mint_access_token(users_signing_key, "staff-catalog", role=Role.CATALOG)

    async with subscribed(
        gateway, url, STATUS, variables, token=support_token, upstream=internal_urls["orders"]
    ) as support:
        async with subscribe(url, STATUS, variables, token=catalog) as refused:
            errors = await refused.error()
            assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
        await pay(gateway, customer["accessToken"], order["id"])
        change = (await support.next())["data"]["orderStatusChanged"]

    assert (change["previousStatus"], change["status"]) == ("PENDING", "PAID")
