"""Refund requests through the gateway: the customer asks, staff (a minted token with
`refunds:decide`) approve or decline, the order and the mails follow; staff fields refuse
customers and anonymous callers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS
from testkit.client import error_codes, graphql, subscribed
from testkit.journeys import register
from testkit.tokens import mint_access_token
from testkit.waiting import eventually
from tests.e2e.test_payments_through_gateway import STATUS, create_order, pay

pytestmark = pytest.mark.e2e

REQUEST = """
mutation Ask($input: RequestRefundInput!) {
  requestRefund(input: $input) {
    refundRequest { id status reason decidedAt decisionReason order { id status } }
    userErrors { field code message }
  }
}"""

APPROVE = """
mutation Approve($input: ApproveRefundRequestInput!) {
  approveRefundRequest(input: $input) {
    refundRequest { id status } payment { id status } userErrors { code }
  }
}"""

DECLINE = """
mutation Decline($input: DeclineRefundRequestInput!) {
  declineRefundRequest(input: $input) {
    refundRequest { id status decisionReason } userErrors { code }
  }
}"""

LIST = """
query List($status: RefundRequestStatus) {
  refundRequests(status: $status, first: 50) {
    edges { node { id status reason order { id } } }
  }
}"""

REFUND = """
mutation Refund($input: RefundPaymentInput!) {
  refundPayment(input: $input) { payment { id status } userErrors { code } }
}"""

ORDER = """
query($id: ID!) {
  order(id: $id) { id status refundRequest { id status reason decisionReason } }
}"""

TIMELINE = """
query Timeline($id: ID!) { staffOrder(id: $id) { timeline { status actorKind reason } } }
"""


async def paid_order(gateway: httpx.AsyncClient) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """A new customer (login payload) with a paid order: (customer, order id, payment)."""
    customer = await register(gateway)
    token = customer["accessToken"]
    order = await create_order(gateway, token, [{"sku": "SKU-STICKER", "quantity": 3}])
    paid = await pay(gateway, token, order["id"])
    assert paid["payment"]["status"] == "SUCCEEDED"
    return customer, order["id"], paid["payment"]


async def ask(gateway, token, order_id, reason="It arrived broken.") -> dict[str, Any]:
    body = await graphql(
        gateway, REQUEST, {"input": {"orderId": order_id, "reason": reason}}, token=token
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["requestRefund"]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def mail_to(smtp_sink, email: str, subject: str) -> str:
    """The text of the mail to `email` with `subject`, once it arrived."""

    async def arrived() -> str | None:
        async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
            found = (await sink.get("/messages", params={"to": email})).json()
            mail = next((m for m in found if m["subject"] == subject), None)
            return (await sink.get(f"/messages/{mail['id']}")).text if mail else None

    return await eventually(arrived, what=f"the mail {subject!r}")


@pytest.fixture
def staff(users_signing_key: bytes) -> str:
    return mint_access_token(users_signing_key, "staff-e2e", scopes=[Scope.REFUNDS_DECIDE])


async def test_a_request_approved_refunds_the_order_live_and_mails_the_customer(
    gateway,
    gateway_url,
    internal_urls,
    orders_url,
    notifications_worker,
    smtp_sink,
    staff,
    users_signing_key,
):
    customer, order_id, payment = await paid_order(gateway)
    token = customer["accessToken"]

    asked = await ask(gateway, token, order_id)
    assert codes(asked) == []
    request = asked["refundRequest"]
    assert (request["status"], request["reason"]) == ("OPEN", "It arrived broken.")
    assert request["order"] == {"id": order_id, "status": "PAID"}  # across subgraphs
    shown = (await graphql(gateway, ORDER, {"id": order_id}, token=token))["data"]["order"]
    assert shown["refundRequest"]["status"] == "OPEN"
    listed = await graphql(gateway, LIST, {"status": "OPEN"}, token=staff)
    assert request["id"] in [e["node"]["id"] for e in listed["data"]["refundRequests"]["edges"]]

    async with subscribed(
        gateway,
        f"{gateway_url}/graphql",
        STATUS,
        {"id": order_id},
        token=token,
        upstream=internal_urls["orders"],
    ) as feed:
        body = await graphql(gateway, APPROVE, {"input": {"requestId": request["id"]}}, token=staff)
        change = (await feed.next())["data"]["orderStatusChanged"]

    approved = body["data"]["approveRefundRequest"]
    assert codes(approved) == []
    assert approved["refundRequest"] == {"id": request["id"], "status": "APPROVED"}
    assert approved["payment"] == {"id": payment["id"], "status": "REFUNDED"}
    assert (change["previousStatus"], change["status"]) == ("PAID", "REFUNDED")
    order = (await graphql(gateway, ORDER, {"id": order_id}, token=token))["data"]["order"]
    assert (order["status"], order["refundRequest"]["status"]) == ("REFUNDED", "APPROVED")
    text = await mail_to(smtp_sink, customer["user"]["email"], f"Refund for order {order_id}")
    assert "Amount refunded: 0.30 USD" in text

    again = await graphql(gateway, APPROVE, {"input": {"requestId": request["id"]}}, token=staff)
    assert codes(again["data"]["approveRefundRequest"]) == ["REFUND_REQUEST_DECIDED"]
    # The approver wrote no reason: the timeline does not pass the customer's words as theirs.
    reader = mint_access_token(users_signing_key, "staff-e2e", scopes=[Scope.ORDERS_READ_ANY])
    seen = await graphql(gateway, TIMELINE, {"id": order_id}, token=reader)
    assert seen["data"]["staffOrder"]["timeline"][-1] == {
        "status": "REFUNDED",
        "actorKind": "STAFF",
        "reason": "Refund request approved",
    }


async def test_a_staff_refund_approves_the_customers_open_request(gateway, staff):
    customer, order_id, payment = await paid_order(gateway)
    token = customer["accessToken"]
    request = (await ask(gateway, token, order_id))["refundRequest"]

    variables = {"input": {"paymentId": payment["id"], "idempotencyKey": "k-1", "reason": "Phone"}}
    refunded = await graphql(gateway, REFUND, variables, token=staff)

    assert codes(refunded["data"]["refundPayment"]) == []
    shown = (await graphql(gateway, ORDER, {"id": order_id}, token=token))["data"]["order"]
    assert shown["refundRequest"]["status"] == "APPROVED"  # decided with the refund
    late = await graphql(gateway, APPROVE, {"input": {"requestId": request["id"]}}, token=staff)
    assert codes(late["data"]["approveRefundRequest"]) == ["REFUND_REQUEST_DECIDED"]


async def test_a_request_declined_keeps_the_order_paid_and_mails_the_reason(
    gateway, notifications_worker, smtp_sink, staff
):
    customer, order_id, _ = await paid_order(gateway)
    token = customer["accessToken"]
    request = (await ask(gateway, token, order_id))["refundRequest"]

    twice = await ask(gateway, token, order_id, "Please!")
    assert codes(twice) == ["REFUND_ALREADY_REQUESTED"]

    body = await graphql(
        gateway,
        DECLINE,
        {"input": {"requestId": request["id"], "reason": "The seal is broken: used."}},
        token=staff,
    )
    declined = body["data"]["declineRefundRequest"]
    assert codes(declined) == []
    assert declined["refundRequest"]["status"] == "DECLINED"
    order = (await graphql(gateway, ORDER, {"id": order_id}, token=token))["data"]["order"]
    assert order["status"] == "PAID"
    assert order["refundRequest"] == {
        "id": request["id"],
        "status": "DECLINED",
        "reason": "It arrived broken.",
        "decisionReason": "The seal is broken: used.",
    }
    subject = f"Your refund request for order {order_id}"
    text = await mail_to(smtp_sink, customer["user"]["email"], subject)
    assert "The reason: The seal is broken: used." in text

    for decision, variables in (
        (APPROVE, {"input": {"requestId": request["id"]}}),
        (DECLINE, {"input": {"requestId": request["id"], "reason": "Again."}}),
    ):
        body = await graphql(gateway, decision, variables, token=staff)
        [payload] = body["data"].values()
        assert codes(payload) == ["REFUND_REQUEST_DECIDED"]
    order = (await graphql(gateway, ORDER, {"id": order_id}, token=token))["data"]["order"]
    assert order["status"] == "PAID"
    assert order["refundRequest"]["decisionReason"] == "The seal is broken: used."


async def test_after_the_window_a_request_is_refused(
    gateway, mongo_client: AsyncMongoClient, stack_env
):
    """A payment whose charge is 31 days old, stored so in payments' database (not waited for)."""
    customer, order_id, payment = await paid_order(gateway)
    db = mongo_client.get_database(stack_env["PAYMENTS_DATABASE"], codec_options=CODEC_OPTIONS)
    long_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(days=31)
    moved = await db["payments"].update_one(
        {"_id": payment["id"]},
        {"$set": {"transactions.0.created_at": long_ago, "created_at": long_ago}},
    )
    assert moved.modified_count == 1

    late = await ask(gateway, customer["accessToken"], order_id)

    assert late["refundRequest"] is None
    assert codes(late) == ["REFUND_WINDOW_CLOSED"]
    assert await db["refund_requests"].count_documents({"order_id": order_id}) == 0


async def test_staff_fields_refuse_customers_and_anonymous_callers_with_no_data(
    gateway, users_signing_key
):
    customer, order_id, payment = await paid_order(gateway)
    token = customer["accessToken"]
    request = (await ask(gateway, token, order_id))["refundRequest"]
    calls = {
        "approveRefundRequest": (APPROVE, {"input": {"requestId": request["id"]}}),
        "declineRefundRequest": (DECLINE, {"input": {"requestId": request["id"], "reason": "n"}}),
        "refundPayment": (
            REFUND,
            {
                "input": {
                    "paymentId": payment["id"],
                    "idempotencyKey": uuid.uuid4().hex,
                    "reason": "r",
                }
            },
        ),
        "refundRequests": (LIST, {}),
    }
    callers = {
        "customer": (token, "FORBIDDEN"),
        "catalog staff": (
            mint_access_token(users_signing_key, "staff", scopes=[Scope.CATALOG_WRITE]),
            "FORBIDDEN",
        ),
        "anonymous": (None, "UNAUTHENTICATED"),
    }
    for field, (query, variables) in calls.items():
        for who, (caller, code) in callers.items():
            body = await graphql(gateway, query, variables, token=caller)
            assert error_codes(body) == [code], (field, who, body)
            assert (body.get("data") or {}).get(field) is None, (field, who, body)
    order = (await graphql(gateway, ORDER, {"id": order_id}, token=token))["data"]["order"]
    assert (order["status"], order["refundRequest"]["status"]) == ("PAID", "OPEN")
