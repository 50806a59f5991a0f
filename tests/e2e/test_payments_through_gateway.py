"""Payments through the gateway: choreographed with orders, seen live, read across subgraphs."""

from __future__ import annotations

import uuid

import pytest

from subgraphs.kernel.core.access import Scope
from testkit.client import graphql, subscribed
from testkit.journeys import register
from testkit.tokens import mint_access_token
from testkit.waiting import eventually

pytestmark = pytest.mark.e2e

CREATE = """
mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id status total { amount currency } } userErrors { code } }
}"""

PAY = """
mutation Pay($input: ProcessPaymentInput!) {
  processPayment(input: $input) {
    payment { id status failureReason amount { amount currency } order { id total { amount } }
              transactions { kind status amount { amount currency } } }
    userErrors { field code message }
  }
}"""

REFUND = """
mutation Refund($input: RefundPaymentInput!) {
  refundPayment(input: $input) {
    payment { id status transactions { kind status amount { amount } } }
    userErrors { code message }
  }
}"""

ORDER = """
query($id: ID!) {
  order(id: $id) {
    id status total { amount currency }
    payment { id status failureReason amount { amount currency } }
  }
}"""

STATUS = """
subscription Status($id: ID!) {
  orderStatusChanged(orderId: $id) { orderId status previousStatus }
}"""


async def create_order(gateway, token, items):
    body = await graphql(gateway, CREATE, {"input": {"items": items}}, token=token)
    payload = body["data"]["createOrder"]
    assert payload["userErrors"] == []
    return payload["order"]


NOT_PAYABLE_YET = (["ORDER_NOT_FOUND_YET"], ["STOCK_NOT_RESERVED_YET"])


async def pay(gateway, token, order_id, method="pm_card_ok", key=None):
    """processPayment, retried while payments has not seen orders.created or the catalog's
    stock.reserved yet (bounded)."""
    variables = {
        "input": {
            "orderId": order_id,
            "paymentMethodToken": method,
            "idempotencyKey": key or uuid.uuid4().hex,
        }
    }

    async def attempt():
        body = await graphql(gateway, PAY, variables, token=token)
        assert "errors" not in body, body
        payload = body["data"]["processPayment"]
        if [e["code"] for e in payload["userErrors"]] not in NOT_PAYABLE_YET:
            return payload
        return None

    return await eventually(attempt, what="payments to see the order, its stock reserved")


async def read_order(gateway, token, order_id):
    body = await graphql(gateway, ORDER, {"id": order_id}, token=token)
    assert "errors" not in body, body
    return body["data"]["order"]


async def test_pay_then_a_staff_refund_live_and_across_subgraphs(
    gateway, gateway_url, orders_url, internal_urls, users_signing_key
):
    token = (await register(gateway))["accessToken"]
    order = await create_order(gateway, token, [{"sku": "SKU-STICKER", "quantity": 3}])
    assert order["total"] == {"amount": "0.30", "currency": "USD"}

    async with subscribed(
        gateway,
        f"{gateway_url}/graphql",
        STATUS,
        {"id": order["id"]},
        token=token,
        upstream=internal_urls["orders"],
    ) as feed:
        paid = await pay(gateway, token, order["id"])
        to_paid = (await feed.next())["data"]["orderStatusChanged"]

        assert paid["userErrors"] == []
        payment = paid["payment"]
        assert payment["status"] == "SUCCEEDED"
        assert payment["amount"] == {"amount": "0.30", "currency": "USD"}  # 3 x 0.10, exactly
        assert payment["order"] == {"id": order["id"], "total": {"amount": "0.30"}}  # from orders
        assert payment["transactions"] == [
            {
                "kind": "CHARGE",
                "status": "SUCCEEDED",
                "amount": {"amount": "0.30", "currency": "USD"},
            }
        ]
        assert (to_paid["previousStatus"], to_paid["status"]) == ("PENDING", "PAID")
        assert await read_order(gateway, token, order["id"]) == {
            "id": order["id"],
            "status": "PAID",
            "total": {"amount": "0.30", "currency": "USD"},
            "payment": {
                "id": payment["id"],
                "status": "SUCCEEDED",
                "failureReason": None,
                "amount": {"amount": "0.30", "currency": "USD"},
            },
        }

        staff = mint_access_token(users_signing_key, "staff", scopes=[Scope.REFUNDS_DECIDE])
        refund = {"paymentId": payment["id"], "idempotencyKey": uuid.uuid4().hex, "reason": "ok"}
        body = await graphql(gateway, REFUND, {"input": refund}, token=staff)
        refunded = body["data"]["refundPayment"]
        to_refunded = (await feed.next())["data"]["orderStatusChanged"]

    assert refunded["userErrors"] == []
    assert refunded["payment"]["status"] == "REFUNDED"
    assert [t["kind"] for t in refunded["payment"]["transactions"]] == ["CHARGE", "REFUND"]
    assert (to_refunded["previousStatus"], to_refunded["status"]) == ("PAID", "REFUNDED")
    final = await read_order(gateway, token, order["id"])
    assert (final["status"], final["payment"]["status"]) == ("REFUNDED", "REFUNDED")


async def test_a_declined_card_then_a_good_one(gateway, gateway_url, orders_url, internal_urls):
    token = (await register(gateway))["accessToken"]
    order = await create_order(gateway, token, [{"sku": "SKU-MUG", "quantity": 2}])

    async with subscribed(
        gateway,
        f"{gateway_url}/graphql",
        STATUS,
        {"id": order["id"]},
        token=token,
        upstream=internal_urls["orders"],
    ) as feed:
        declined = await pay(gateway, token, order["id"], method="pm_card_declined")
        to_failed = (await feed.next())["data"]["orderStatusChanged"]
        failed_order = await read_order(gateway, token, order["id"])
        paid = await pay(gateway, token, order["id"], method="pm_card_ok")
        to_paid = (await feed.next())["data"]["orderStatusChanged"]

    assert declined["userErrors"] == []
    assert (declined["payment"]["status"], declined["payment"]["failureReason"]) == (
        "FAILED",
        "card_declined",
    )
    assert (to_failed["previousStatus"], to_failed["status"]) == ("PENDING", "PAYMENT_FAILED")
    assert failed_order["status"] == "PAYMENT_FAILED"
    assert failed_order["payment"]["status"] == "FAILED"
    assert paid["payment"]["status"] == "SUCCEEDED"
    assert paid["payment"]["amount"] == {"amount": "24.00", "currency": "USD"}
    assert (to_paid["previousStatus"], to_paid["status"]) == ("PAYMENT_FAILED", "PAID")
    final = await read_order(gateway, token, order["id"])
    assert (final["status"], final["payment"]["id"]) == ("PAID", paid["payment"]["id"])


async def test_retries_conflicts_and_strangers_through_the_gateway(gateway):
    token = (await register(gateway))["accessToken"]
    stranger = (await register(gateway))["accessToken"]
    order = await create_order(gateway, token, [{"sku": "SKU-CAP", "quantity": 1}])

    first = await pay(gateway, token, order["id"], key="k-retry")
    again = await pay(gateway, token, order["id"], key="k-retry")
    other_input = await pay(gateway, token, order["id"], method="pm_card_declined", key="k-retry")
    other_key = await pay(gateway, token, order["id"], key="k-other")
    foreign = await graphql(
        gateway,
        PAY,
        {
            "input": {
                "orderId": order["id"],
                "paymentMethodToken": "pm_card_ok",
                "idempotencyKey": "k-stranger",
            }
        },
        token=stranger,
    )

    assert again == first
    assert [e["code"] for e in other_input["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert [e["code"] for e in other_key["userErrors"]] == ["ALREADY_PAID"]
    # Someone else's order answers as one payments has not seen yet.
    assert [e["code"] for e in foreign["data"]["processPayment"]["userErrors"]] == [
        "ORDER_NOT_FOUND_YET"
    ]
