"""Notifications through the gateway: register, order, pay; the mail arrives and is listed.

The worker (`python -m workers.notifications`) and the SMTP sink run as
processes; the mail is read back from the sink's HTTP API.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from testkit.client import error_codes, graphql
from testkit.journeys import register, retryable
from testkit.waiting import eventually

pytestmark = pytest.mark.e2e

CREATE = """mutation($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id } userErrors { code message } }
}"""

PAY = """mutation($input: ProcessPaymentInput!) {
  processPayment(input: $input) {
    payment { id status } userErrors { code message retryable }
  }
}"""

MINE = """{ me { id notifications(first: 10) {
  edges { node { id channel kind subject status failureReason createdAt sentAt } }
  pageInfo { hasNextPage }
} notificationPreferences { email sms } } }"""


async def pay(gateway: httpx.AsyncClient, token: str, order_id: str) -> dict[str, Any]:
    """processPayment with the sandbox's success token, retried while payments catches up."""
    key = uuid.uuid4().hex

    async def attempt() -> dict[str, Any] | None:
        body = await graphql(
            gateway,
            PAY,
            {
                "input": {
                    "orderId": order_id,
                    "paymentMethodToken": "pm_card_ok",
                    "idempotencyKey": key,
                }
            },
            token=token,
        )
        payload = body["data"]["processPayment"]
        if retryable(payload):
            return None
        assert payload["userErrors"] == [], payload
        return payload["payment"]

    return await eventually(attempt, what="the payment")


async def test_register_order_and_pay_send_three_mails_listed_as_sent(
    gateway, notifications_worker, smtp_sink
):
    me = await register(gateway)
    token, email = me["accessToken"], me["user"]["email"]
    created = await graphql(
        gateway, CREATE, {"input": {"items": [{"sku": "SKU-MUG", "quantity": 2}]}}, token=token
    )
    order_id = created["data"]["createOrder"]["order"]["id"]
    payment = await pay(gateway, token, order_id)
    assert payment["status"] == "SUCCEEDED"

    async def mails() -> list[dict[str, Any]] | None:
        async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
            found = (await sink.get("/messages", params={"to": email})).json()
        return found if len(found) >= 3 else None

    found = await eventually(mails, what="three mails at the sink")
    subjects = sorted(m["subject"] for m in found)
    assert subjects == sorted(
        [
            "Confirm your email address for Commerce",
            f"Order {order_id} received",
            f"Receipt for order {order_id}",
        ]
    )
    async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
        receipt = next(m for m in found if m["subject"].startswith("Receipt"))
        raw = (await sink.get(f"/messages/{receipt['id']}")).text
    assert "Amount paid: 24.00 USD" in raw
    assert f"Payment reference: {payment['id']}" in raw

    async def listed_as_sent() -> dict[str, Any] | None:
        body = await graphql(gateway, MINE, token=token)
        edges = body["data"]["me"]["notifications"]["edges"]
        done = len(edges) == 3 and all(e["node"]["status"] == "SENT" for e in edges)
        return body["data"]["me"] if done else None

    mine = await eventually(listed_as_sent, what="three SENT notifications")
    nodes = [e["node"] for e in mine["notifications"]["edges"]]
    assert [n["kind"] for n in nodes] == ["PAYMENT_RECEIPT", "ORDER_CONFIRMATION", "VERIFY_EMAIL"]
    assert {n["channel"] for n in nodes} == {"EMAIL"}
    assert all(n["sentAt"] for n in nodes)
    assert {n["failureReason"] for n in nodes} == {None}
    assert mine["notificationPreferences"] == {"email": True, "sms": False}


async def test_preferences_through_the_gateway_and_someone_elses_notifications(gateway):
    me = await register(gateway)
    other = await register(gateway)
    body = await graphql(
        gateway,
        """mutation { updateNotificationPreferences(input: {email: false}) {
            preferences { email sms } userErrors { code } } }""",
        token=me["accessToken"],
    )
    assert body["data"]["updateNotificationPreferences"] == {
        "preferences": {"email": False, "sms": False},
        "userErrors": [],
    }
    theirs = await graphql(
        gateway,
        "query($id: ID!) { user(id: $id) { id notifications { edges { node { id } } } } }",
        {"id": other["user"]["id"]},
        token=me["accessToken"],
    )
    assert error_codes(theirs) == ["FORBIDDEN"]
    anonymous = await graphql(gateway, MINE)
    assert anonymous["data"] == {"me": None}
