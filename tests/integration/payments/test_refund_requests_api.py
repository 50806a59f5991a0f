"""Refund requests through the payments API in-process, on the real store: a customer asks,
staff (a token with `refunds:decide`) approve or decline; customers and anonymous callers
get no staff field."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.core.money import Money
from subgraphs.payments.domain.payment import (
    PaymentRequest,
    Transaction,
    TransactionKind,
    TransactionStatus,
    start_payment,
)
from subgraphs.payments.repository.mongo_payments import MongoPayments
from testkit.client import error_codes, graphql
from tests.integration.payments.conftest import announce, new_order_id
from tests.integration.payments.test_payments_api import REFUND, process, wait_for_view

pytestmark = pytest.mark.integration

REQUEST = """
mutation Ask($input: RequestRefundInput!) {
  requestRefund(input: $input) {
    refundRequest { id status reason requestedAt decidedAt decisionReason
                    order { id } payment { id status } }
    userErrors { field code message retryable }
  }
}"""

APPROVE = """
mutation Approve($input: ApproveRefundRequestInput!) {
  approveRefundRequest(input: $input) {
    refundRequest { id status decidedAt decisionReason }
    payment { id status }
    userErrors { code }
  }
}"""

DECLINE = """
mutation Decline($input: DeclineRefundRequestInput!) {
  declineRefundRequest(input: $input) {
    refundRequest { id status decidedAt decisionReason }
    userErrors { code }
  }
}"""

LIST = """
query List($status: RefundRequestStatus, $first: Int!, $after: String) {
  refundRequests(status: $status, first: $first, after: $after) {
    edges { cursor node { id status reason order { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

ORDER_REQUEST = """
query($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Order { id refundRequest { id status } } }
}"""


async def paid_order(client, db, streams, issue, user: str | None = None):
    """A paid order of a new customer: (token, order id, payment id)."""
    user, order_id = user or f"customer-{uuid.uuid4().hex[:6]}", new_order_id()
    await announce(streams, order_id, user, total="0.30")
    await wait_for_view(db, order_id)
    token = issue(user)
    payment = (await process(client, token, order_id))["payment"]
    return token, order_id, payment["id"]


async def ask(client, token, order_id, reason="The mug arrived broken."):
    variables = {"input": {"orderId": order_id, "reason": reason}}
    body = await graphql(client, REQUEST, variables, token=token)
    assert "errors" not in body, body
    return body["data"]["requestRefund"]


async def outbox_types(db, order_id: str) -> list[str]:
    docs = await db["outbox"].find({"payload.order_id": order_id}).sort("occurred_at").to_list()
    return [d["type"] for d in docs]


async def test_a_request_approved_refunds_the_payment(
    payments_client, payments_db, streams, issue, test_tokens
):
    token, order_id, payment_id = await paid_order(payments_client, payments_db, streams, issue)

    asked = await ask(payments_client, token, order_id)

    assert asked["userErrors"] == []
    request = asked["refundRequest"]
    assert (request["status"], request["reason"], request["decidedAt"]) == (
        "OPEN",
        "The mug arrived broken.",
        None,
    )
    assert request["order"] == {"id": order_id}
    assert request["payment"] == {"id": payment_id, "status": "SUCCEEDED"}
    seen = await graphql(
        payments_client,
        ORDER_REQUEST,
        {"reps": [{"__typename": "Order", "id": order_id}]},
        token=token,
    )
    assert seen["data"]["_entities"] == [
        {"id": order_id, "refundRequest": {"id": request["id"], "status": "OPEN"}}
    ]

    staff = test_tokens.scoped(Scope.REFUNDS_DECIDE, user_id="staff-approver")
    body = await graphql(
        payments_client, APPROVE, {"input": {"requestId": request["id"]}}, token=staff
    )
    approved = body["data"]["approveRefundRequest"]

    assert approved["userErrors"] == []
    assert approved["refundRequest"]["status"] == "APPROVED"
    assert approved["refundRequest"]["decidedAt"] is not None
    assert approved["payment"] == {"id": payment_id, "status": "REFUNDED"}
    assert await outbox_types(payments_db, order_id) == [
        "payments.succeeded",
        "payments.refund_requested",
        "payments.refunded",
        "payments.refund_approved",
    ]
    decision = await payments_db["outbox"].find_one(
        {"payload.order_id": order_id, "type": "payments.refund_approved"}
    )
    assert decision["payload"]["actor_id"] == "staff-approver"
    # The approver gives no reason: the customer's words are the request's, labelled so.
    assert decision["payload"]["reason"] == "Refund request approved"
    assert decision["payload"]["request_reason"] == "The mug arrived broken."
    refund = await payments_db["outbox"].find_one(
        {"payload.order_id": order_id, "type": "payments.refunded"}
    )
    assert (refund["payload"]["actor_id"], refund["payload"]["reason"]) == (
        "staff-approver",
        "Refund request approved",
    )

    again = await graphql(
        payments_client, APPROVE, {"input": {"requestId": request["id"]}}, token=staff
    )
    assert [e["code"] for e in again["data"]["approveRefundRequest"]["userErrors"]] == [
        "REFUND_REQUEST_DECIDED"
    ]
    assert len(await outbox_types(payments_db, order_id)) == 4  # nothing more written


async def staff_refund(client, token, payment_id: str, key: str = "by-hand"):
    variables = {"input": {"paymentId": payment_id, "idempotencyKey": key, "reason": "goodwill"}}
    body = await graphql(client, REFUND, variables, token=token)
    assert "errors" not in body, body
    return body["data"]["refundPayment"]


async def test_a_staff_refund_approves_the_open_request_with_it(
    payments_client, payments_db, streams, issue, test_tokens
):
    token, order_id, payment_id = await paid_order(payments_client, payments_db, streams, issue)
    request = (await ask(payments_client, token, order_id))["refundRequest"]
    staff = test_tokens.scoped(Scope.REFUNDS_DECIDE, user_id="staff-refunder")

    refunded = await staff_refund(payments_client, staff, payment_id)

    assert refunded["userErrors"] == []
    seen = await graphql(
        payments_client,
        ORDER_REQUEST,
        {"reps": [{"__typename": "Order", "id": order_id}]},
        token=token,
    )
    assert seen["data"]["_entities"] == [
        {"id": order_id, "refundRequest": {"id": request["id"], "status": "APPROVED"}}
    ]
    stored = await payments_db["refund_requests"].find_one({"_id": request["id"]})
    assert (stored["decided_by"], stored["approving_by"]) == ("staff-refunder", None)
    assert await outbox_types(payments_db, order_id) == [
        "payments.succeeded",
        "payments.refund_requested",
        "payments.refunded",
        "payments.refund_approved",
    ]
    decision = await payments_db["outbox"].find_one(
        {"payload.order_id": order_id, "type": "payments.refund_approved"}
    )
    assert {k: decision["payload"][k] for k in ("actor_id", "reason", "request_reason")} == {
        "actor_id": "staff-refunder",
        "reason": "goodwill",
        "request_reason": "The mug arrived broken.",
    }

    again = await staff_refund(payments_client, staff, payment_id)  # retried: the same refund
    approver = test_tokens.scoped(Scope.REFUNDS_DECIDE, user_id="staff-approver")
    late = await graphql(
        payments_client, APPROVE, {"input": {"requestId": request["id"]}}, token=approver
    )

    assert again["userErrors"] == []
    assert [e["code"] for e in late["data"]["approveRefundRequest"]["userErrors"]] == [
        "REFUND_REQUEST_DECIDED"
    ]
    assert len(await outbox_types(payments_db, order_id)) == 4  # nothing more written


async def test_an_approval_that_finds_the_payment_refunded_approves_the_request(
    payments_client, payments_db, streams, issue, test_tokens
):
    token, order_id, payment_id = await paid_order(payments_client, payments_db, streams, issue)
    staff = test_tokens.scoped(Scope.REFUNDS_DECIDE, user_id="staff-refunder")
    request = (await ask(payments_client, token, order_id))["refundRequest"]
    # The request arrived just after the staff refund looked for an open one: hidden from it.
    hidden = await payments_db["refund_requests"].find_one_and_delete({"_id": request["id"]})
    assert (await staff_refund(payments_client, staff, payment_id))["userErrors"] == []
    await payments_db["refund_requests"].insert_one(hidden)

    approver = test_tokens.scoped(Scope.REFUNDS_DECIDE, user_id="staff-approver")
    body = await graphql(
        payments_client, APPROVE, {"input": {"requestId": request["id"]}}, token=approver
    )
    approved = body["data"]["approveRefundRequest"]

    assert approved["userErrors"] == []
    assert approved["refundRequest"]["status"] == "APPROVED"
    assert approved["payment"] == {"id": payment_id, "status": "REFUNDED"}
    stored = await payments_db["refund_requests"].find_one({"_id": request["id"]})
    assert (stored["status"], stored["decided_by"]) == ("APPROVED", "staff-refunder")
    types = await outbox_types(payments_db, order_id)
    assert types.count("payments.refunded") == 1
    assert types.count("payments.refund_approved") == 1


async def test_a_request_declined_keeps_the_payment(
    payments_client, payments_db, streams, issue, test_tokens
):
    token, order_id, payment_id = await paid_order(payments_client, payments_db, streams, issue)
    request = (await ask(payments_client, token, order_id))["refundRequest"]
    staff = test_tokens.scoped(Scope.REFUNDS_DECIDE, user_id="staff-decliner")

    body = await graphql(
        payments_client,
        DECLINE,
        {"input": {"requestId": request["id"], "reason": "Used for a month."}},
        token=staff,
    )
    declined = body["data"]["declineRefundRequest"]

    assert declined["userErrors"] == []
    assert declined["refundRequest"]["status"] == "DECLINED"
    assert declined["refundRequest"]["decisionReason"] == "Used for a month."
    stored = await payments_db["payments"].find_one({"_id": payment_id})
    assert stored["status"] == "SUCCEEDED"
    event = await payments_db["outbox"].find_one(
        {"payload.order_id": order_id, "type": "payments.refund_declined"}
    )
    assert (event["payload"]["actor_id"], event["payload"]["reason"]) == (
        "staff-decliner",
        "Used for a month.",
    )
    twice = await graphql(
        payments_client,
        DECLINE,
        {"input": {"requestId": request["id"], "reason": "Again."}},
        token=staff,
    )
    assert [e["code"] for e in twice["data"]["declineRefundRequest"]["userErrors"]] == [
        "REFUND_REQUEST_DECIDED"
    ]
    assert (await payments_db["refund_requests"].find_one({"_id": request["id"]}))[
        "decision_reason"
    ] == "Used for a month."


async def test_one_open_request_per_payment_even_when_asked_at_once(
    payments_client, payments_db, streams, issue
):
    token, order_id, _ = await paid_order(payments_client, payments_db, streams, issue)

    results = await asyncio.gather(
        *(ask(payments_client, token, order_id, f"reason {i}") for i in range(5))
    )

    made = [r for r in results if r["refundRequest"]]
    refused = [e["code"] for r in results for e in r["userErrors"]]
    assert len(made) == 1
    assert refused == ["REFUND_ALREADY_REQUESTED"] * 4
    assert await payments_db["refund_requests"].count_documents({"order_id": order_id}) == 1
    assert (await outbox_types(payments_db, order_id)).count("payments.refund_requested") == 1


async def test_after_the_window_a_request_is_refused(payments_client, payments_db, streams, issue):
    """A payment charged 31 days ago (stored so, rather than waited for)."""
    user, order_id = f"late-{uuid.uuid4().hex[:6]}", new_order_id()
    await announce(streams, order_id, user, total="0.30")
    view = await wait_for_view(payments_db, order_id)
    then = datetime.now(UTC).replace(microsecond=0) - timedelta(days=31)
    charging = start_payment(
        payment_id=str(uuid.uuid4()),
        user_id=user,
        request=PaymentRequest(order_id, "pm_card_ok", "k-late"),
        order=view,
        now=then,
        lease_until=then + timedelta(seconds=30),
    )
    charge = Transaction(
        "t-late",
        TransactionKind.CHARGE,
        Money(Decimal("0.30"), "USD"),
        TransactionStatus.SUCCEEDED,
        then,
        "ch_late",
    )
    await MongoPayments(payments_db).add(charging.charged(charge, then))

    result = await ask(payments_client, issue(user), order_id)

    assert result["refundRequest"] is None
    assert [e["code"] for e in result["userErrors"]] == ["REFUND_WINDOW_CLOSED"]
    assert await payments_db["refund_requests"].count_documents({"order_id": order_id}) == 0


async def test_someone_elses_order_and_bad_reasons(payments_client, payments_db, streams, issue):
    _, order_id, _ = await paid_order(payments_client, payments_db, streams, issue)
    intruder = await ask(payments_client, issue("intruder"), order_id)
    unknown = await ask(payments_client, issue("intruder"), new_order_id())
    blank = await ask(payments_client, issue("intruder"), order_id, reason="  ")

    assert [e["code"] for e in intruder["userErrors"]] == ["ORDER_NOT_FOUND"]
    assert intruder["userErrors"] == unknown["userErrors"]
    assert [e["code"] for e in blank["userErrors"]] == ["REASON_REQUIRED"]
    assert await payments_db["refund_requests"].count_documents({"order_id": order_id}) == 0


async def test_staff_fields_refuse_customers_and_anonymous_callers(
    payments_client, payments_db, streams, issue, test_tokens
):
    token, order_id, payment_id = await paid_order(payments_client, payments_db, streams, issue)
    request = (await ask(payments_client, token, order_id))["refundRequest"]
    calls: dict[str, tuple[str, dict[str, Any]]] = {
        "approveRefundRequest": (APPROVE, {"input": {"requestId": request["id"]}}),
        "declineRefundRequest": (DECLINE, {"input": {"requestId": request["id"], "reason": "n"}}),
        "refundRequests": (LIST, {"first": 5}),
        "refundPayment": (
            "mutation($input: RefundPaymentInput!) { refundPayment(input: $input) "
            "{ payment { id } userErrors { code } } }",
            {"input": {"paymentId": payment_id, "idempotencyKey": "k", "reason": "r"}},
        ),
    }
    callers = {
        "customer": (token, "FORBIDDEN"),
        "other scopes": (test_tokens.scoped(Scope.CATALOG_WRITE), "FORBIDDEN"),
        "anonymous": (None, "UNAUTHENTICATED"),
    }
    for field, (query, variables) in calls.items():
        for who, (caller, code) in callers.items():
            body = await graphql(payments_client, query, variables, token=caller)
            assert error_codes(body) == [code], (field, who, body)
            assert body.get("data") is None, (field, who, body)
    stored = await payments_db["refund_requests"].find_one({"_id": request["id"]})
    assert (stored["status"], stored["revision"]) == ("OPEN", 1)
    assert (await payments_db["payments"].find_one({"_id": payment_id}))["status"] == "SUCCEEDED"


async def test_the_staff_list_pages_newest_first_and_filters_by_status(
    payments_client, payments_db, streams, issue, test_tokens
):
    staff = test_tokens.scoped(Scope.REFUNDS_DECIDE)
    mine = []
    for _ in range(3):
        token, order_id, _ = await paid_order(payments_client, payments_db, streams, issue)
        mine.append((await ask(payments_client, token, order_id))["refundRequest"]["id"])
    declined = await graphql(
        payments_client,
        DECLINE,
        {"input": {"requestId": mine[0], "reason": "no"}},
        token=staff,
    )
    assert declined["data"]["declineRefundRequest"]["userErrors"] == []

    seen, after = [], None
    while True:
        body = await graphql(
            payments_client, LIST, {"first": 2, "after": after, "status": None}, token=staff
        )
        page = body["data"]["refundRequests"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [i for i in seen if i in mine] == list(reversed(mine))  # newest first, each once
    assert len(seen) == len(set(seen))

    body = await graphql(payments_client, LIST, {"first": 50, "status": "DECLINED"}, token=staff)
    statuses = {edge["node"]["status"] for edge in body["data"]["refundRequests"]["edges"]}
    ids = {edge["node"]["id"] for edge in body["data"]["refundRequests"]["edges"]}
    assert statuses == {"DECLINED"}
    assert mine[0] in ids
    assert not ids & set(mine[1:])
    indexes = await payments_db["refund_requests"].index_information()
    assert {"open_per_payment_unique", "newest_first", "by_status_newest_first"} <= set(indexes)


QUEUE = """
query Queue($first: Int!, $after: String) {
  refundRequests(status: OPEN, oldestFirst: true, first: $first, after: $after) {
    edges { node { id status } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_the_staff_queue_pages_oldest_first(
    payments_client, payments_db, streams, issue, test_tokens
):
    staff = test_tokens.scoped(Scope.REFUNDS_DECIDE)
    mine = []
    for _ in range(3):
        token, order_id, _ = await paid_order(payments_client, payments_db, streams, issue)
        mine.append((await ask(payments_client, token, order_id))["refundRequest"]["id"])

    seen, after = [], None
    while True:
        body = await graphql(payments_client, QUEUE, {"first": 2, "after": after}, token=staff)
        page = body["data"]["refundRequests"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [i for i in seen if i in mine] == mine  # the longest waiting first, each once
    assert len(seen) == len(set(seen))
