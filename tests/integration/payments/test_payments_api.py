"""The payments GraphQL API in-process, on the real store, fed by real orders events."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from subgraphs.kernel.core.access import Role, Scope
from subgraphs.payments.domain.payment import PaymentRequest, start_payment
from subgraphs.payments.provider.sandbox import SANDBOX_CALLS
from subgraphs.payments.repository.mongo_order_views import MongoOrderViews
from subgraphs.payments.repository.mongo_payments import MongoPayments
from testkit.client import error_codes, graphql
from testkit.waiting import eventually
from tests.integration.payments.conftest import announce, new_order_id

pytestmark = pytest.mark.integration

PROCESS = """
mutation Pay($input: ProcessPaymentInput!) {
  processPayment(input: $input) {
    payment { id status failureReason amount { amount currency } order { id }
              transactions { kind status amount { amount currency } } }
    userErrors { field code message retryable }
  }
}"""

REFUND = """
mutation Refund($input: RefundPaymentInput!) {
  refundPayment(input: $input) {
    payment { id status transactions { kind status amount { amount } } }
    userErrors { field code message }
  }
}"""

ORDER_PAYMENT = """
query($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on Order { id payment { id status amount { amount currency } } }
  }
}"""


async def process(client, token, order_id, method="pm_card_ok", key=None):
    body = await graphql(
        client,
        PROCESS,
        {
            "input": {
                "orderId": order_id,
                "paymentMethodToken": method,
                "idempotencyKey": key or uuid.uuid4().hex,
            }
        },
        token=token,
    )
    assert "errors" not in body, body
    return body["data"]["processPayment"]


async def wait_for_view(
    payments_db, order_id: str, status: str = "PENDING", *, reserved: bool = True
):
    """The order's view in `status` (and, with `reserved`, its stock reserved)."""
    views = MongoOrderViews(payments_db)

    async def seen():
        view = await views.get(order_id)
        if view is None or view.status != status or view.stock_reserved != reserved:
            return None
        return view

    return await eventually(seen)


async def charges_approved(payments_db) -> int:
    return await payments_db["sandbox_ledger"].count_documents(
        {"operation": "charge", "approved": True}
    )


async def test_paying_before_payments_saw_the_order_is_retryable(
    payments_client, payments_db, streams, issue
):
    token, order_id = issue("early-bird"), new_order_id()

    early = await process(payments_client, token, order_id, key="k-early")

    assert early["payment"] is None
    assert early["userErrors"] == [
        {
            "field": ["input", "orderId"],
            "code": "ORDER_NOT_FOUND_YET",
            "message": "Payments has not seen this order yet; try again in a moment.",
            "retryable": True,
        }
    ]
    await announce(streams, order_id, "early-bird", total="0.30")

    async def paid():
        result = await process(payments_client, token, order_id, key="k-early")
        return result if result["payment"] else None

    result = await eventually(paid)
    assert result["userErrors"] == []
    assert result["payment"]["status"] == "SUCCEEDED"
    assert result["payment"]["amount"] == {"amount": "0.30", "currency": "USD"}
    assert result["payment"]["order"] == {"id": order_id}


async def test_twenty_concurrent_requests_with_one_key_make_one_charge(
    payments_client, payments_db, streams, issue
):
    user, order_id = "eager", new_order_id()
    await announce(streams, order_id, user, total="59.70")
    await wait_for_view(payments_db, order_id)
    token = issue(user)
    before = await charges_approved(payments_db)

    results = await asyncio.gather(
        *(process(payments_client, token, order_id, key="one-key") for _ in range(20))
    )

    assert [r["userErrors"] for r in results if r["userErrors"]] == []
    payments = [r["payment"] for r in results]
    assert len({p["id"] for p in payments}) == 1
    assert {p["status"] for p in payments} == {"SUCCEEDED"}
    assert await charges_approved(payments_db) - before == 1  # the provider charged once
    stored = await payments_db["payments"].find({"order_id": order_id}).to_list()
    assert len(stored) == 1
    assert [(t["kind"], t["amount"]) for t in stored[0]["transactions"]] == [
        ("CHARGE", Decimal("59.70"))
    ]
    events = await payments_db["outbox"].count_documents({"payload.order_id": order_id})
    assert events == 1


async def test_the_same_key_with_a_different_input_is_a_conflict(
    payments_client, payments_db, streams, issue
):
    user, first, second = "conflicted", new_order_id(), new_order_id()
    for order_id in (first, second):
        await announce(streams, order_id, user)
        await wait_for_view(payments_db, order_id)
    token = issue(user)
    paid = await process(payments_client, token, first, key="k-conflict")

    other_order = await process(payments_client, token, second, key="k-conflict")
    other_card = await process(
        payments_client, token, first, method="pm_card_declined", key="k-conflict"
    )
    same = await process(payments_client, token, first, key="k-conflict")

    for conflict in (other_order, other_card):
        assert conflict["payment"] is None
        assert [(e["code"], e["field"]) for e in conflict["userErrors"]] == [
            ("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])
        ]
    assert same == paid
    assert await payments_db["payments"].count_documents({"order_id": second}) == 0


async def test_a_provider_outage_ends_in_a_clean_failure_without_a_charge(
    payments_client, payments_db, streams, issue
):
    user, order_id = "unlucky", new_order_id()
    await announce(streams, order_id, user)
    await wait_for_view(payments_db, order_id)
    before = await charges_approved(payments_db)
    unavailable = {"operation": "charge", "outcome": "unavailable"}
    calls_before = SANDBOX_CALLS.value(**unavailable)

    result = await process(payments_client, issue(user), order_id, method="pm_provider_down")

    assert result["userErrors"] == []
    payment = result["payment"]
    assert (payment["status"], payment["failureReason"]) == ("FAILED", "provider_unavailable")
    assert payment["transactions"] == []
    assert await charges_approved(payments_db) == before
    assert SANDBOX_CALLS.value(**unavailable) - calls_before == 3  # PROVIDER_MAX_ATTEMPTS
    [event] = await payments_db["outbox"].find({"payload.order_id": order_id}).to_list()
    assert (event["type"], event["payload"]["reason"]) == (
        "payments.failed",
        "provider_unavailable",
    )
    # Nothing is left in flight and the order is free for another attempt.
    retry = await process(payments_client, issue(user), order_id)
    assert retry["payment"]["status"] == "SUCCEEDED"


async def test_payment_events_are_published_to_the_payments_stream(
    payments_client, payments_db, streams, issue
):
    user, order_id = "streamer", new_order_id()
    await announce(streams, order_id, user, total="12.30")
    await wait_for_view(payments_db, order_id)
    declined = await process(payments_client, issue(user), order_id, method="pm_card_declined")
    paid = await process(payments_client, issue(user), order_id)

    async def published():
        entries = await streams.xrange("events.payments")
        found = [f for _, f in entries if order_id in f["payload"]]
        return found if len(found) == 2 else None

    failed_event, succeeded_event = await eventually(published)
    assert (failed_event["type"], json.loads(failed_event["payload"])) == (
        "payments.failed",
        {
            "payment_id": declined["payment"]["id"],
            "order_id": order_id,
            "user_id": user,
            "reason": "card_declined",
        },
    )
    assert (succeeded_event["type"], json.loads(succeeded_event["payload"])) == (
        "payments.succeeded",
        {
            "payment_id": paid["payment"]["id"],
            "order_id": order_id,
            "user_id": user,
            "amount": "12.30",
            "currency": "USD",
        },
    )


async def test_an_order_shows_its_payment_to_its_owner_only(
    payments_client, payments_db, streams, issue
):
    user, order_id, unpaid = "shower", new_order_id(), new_order_id()
    await announce(streams, order_id, user)
    await wait_for_view(payments_db, order_id)
    await process(payments_client, issue(user), order_id, method="pm_card_declined")
    paid = await process(payments_client, issue(user), order_id)
    reps = [{"__typename": "Order", "id": order_id}, {"__typename": "Order", "id": unpaid}]

    mine = await graphql(payments_client, ORDER_PAYMENT, {"reps": reps}, token=issue(user))
    theirs = await graphql(payments_client, ORDER_PAYMENT, {"reps": reps[:1]}, token=issue("x"))
    missing = [{"__typename": "Order", "id": new_order_id()}]
    none = await graphql(payments_client, ORDER_PAYMENT, {"reps": missing}, token=issue("x"))
    anonymous = await graphql(payments_client, ORDER_PAYMENT, {"reps": reps[:1]})

    assert mine["data"]["_entities"] == [
        {
            "id": order_id,
            "payment": {
                "id": paid["payment"]["id"],
                "status": "SUCCEEDED",
                "amount": {"amount": "0.30", "currency": "USD"},
            },
        },
        {"id": unpaid, "payment": None},
    ]
    # Someone else's paid order answers as one without a payment: nothing confirms it exists.
    assert theirs["data"]["_entities"] == [{"id": order_id, "payment": None}]
    assert json.dumps(theirs).replace(order_id, "ID") == json.dumps(none).replace(
        missing[0]["id"], "ID"
    )
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_someone_elses_payment_answers_as_a_missing_one(
    payments_client, payments_db, streams, issue
):
    owner, order_id = "payer", new_order_id()
    await announce(streams, order_id, owner, total="0.30")
    await wait_for_view(payments_db, order_id)
    paid = (await process(payments_client, issue(owner), order_id))["payment"]["id"]
    stranger, unknown = issue("stranger"), str(uuid.uuid4())

    async def ask(payment_id: str) -> list[str]:
        """Every way to reach a payment by id, as the stranger sees them (the id masked)."""
        answers = [
            await graphql(
                payments_client,
                "query($id: ID!) { payment(id: $id) { id status } }",
                {"id": payment_id},
                token=stranger,
            ),
            await graphql(
                payments_client,
                "query($r: [_Any!]!) { _entities(representations: $r) "
                "{ ... on Payment { id status } } }",
                {"r": [{"__typename": "Payment", "id": payment_id}]},
                token=stranger,
            ),
            await graphql(
                payments_client,
                REFUND,
                {"input": {"paymentId": payment_id, "idempotencyKey": "k-stranger", "reason": "r"}},
                token=stranger,
            ),
        ]
        return [json.dumps(a).replace(payment_id, "ID") for a in answers]

    assert await ask(paid) == await ask(unknown)
    assert '"FORBIDDEN"' in (await ask(unknown))[2]  # refunds are staff's


async def test_someone_elses_order_and_no_token(payments_client, payments_db, streams, issue):
    order_id = new_order_id()
    await announce(streams, order_id, "owner")
    await wait_for_view(payments_db, order_id)
    variables = {
        "input": {"orderId": order_id, "paymentMethodToken": "pm_card_ok", "idempotencyKey": "k"}
    }

    intruder = await graphql(payments_client, PROCESS, variables, token=issue("intruder"))
    unknown = str(uuid.uuid4())
    variables["input"]["orderId"] = unknown
    missing = await graphql(payments_client, PROCESS, variables, token=issue("intruder"))
    variables["input"]["orderId"] = order_id
    anonymous = await graphql(payments_client, PROCESS, variables)

    # Someone else's order answers as one payments has not seen (nothing confirms it exists).
    assert json.dumps(intruder).replace(order_id, "ID") == json.dumps(missing).replace(
        unknown, "ID"
    )
    assert [e["code"] for e in intruder["data"]["processPayment"]["userErrors"]] == [
        "ORDER_NOT_FOUND_YET"
    ]
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert await payments_db["payments"].count_documents({"order_id": order_id}) == 0


async def test_a_staff_refund_through_the_api(
    payments_client, payments_db, streams, issue, test_tokens
):
    user, order_id = "refunder", new_order_id()
    await announce(streams, order_id, user, total="0.30")
    await wait_for_view(payments_db, order_id)
    token = issue(user)
    paid = (await process(payments_client, token, order_id))["payment"]
    staff = test_tokens.scoped(Scope.REFUNDS_DECIDE, user_id="staff-refunder")

    async def refund(key: str, payment_id: str = paid["id"]):
        variables = {
            "input": {"paymentId": payment_id, "idempotencyKey": key, "reason": "goodwill"}
        }
        body = await graphql(payments_client, REFUND, variables, token=staff)
        return body["data"]["refundPayment"]

    first = await refund("r-1")
    again = await refund("r-1")
    other = await refund("r-2")

    assert first["userErrors"] == []
    assert first["payment"]["status"] == "REFUNDED"
    assert first["payment"]["transactions"] == [
        {"kind": "CHARGE", "status": "SUCCEEDED", "amount": {"amount": "0.30"}},
        {"kind": "REFUND", "status": "SUCCEEDED", "amount": {"amount": "0.30"}},
    ]
    assert again == first
    assert [e["code"] for e in other["userErrors"]] == ["ALREADY_REFUNDED"]
    assert [e["code"] for e in (await refund("r-3", "nope"))["userErrors"]] == ["PAYMENT_NOT_FOUND"]
    types = [
        d["type"]
        for d in await payments_db["outbox"]
        .find({"payload.order_id": order_id})
        .sort("occurred_at")
        .to_list()
    ]
    assert types == ["payments.succeeded", "payments.refunded"]
    refunded = await payments_db["outbox"].find_one(
        {"payload.order_id": order_id, "type": "payments.refunded"}
    )
    assert (refunded["payload"]["actor_id"], refunded["payload"]["reason"]) == (
        "staff-refunder",
        "goodwill",
    )
    assert refunded["payload"]["restock"] is False  # not asked for
    paying_again = await process(payments_client, token, order_id)
    assert [e["code"] for e in paying_again["userErrors"]] == ["ALREADY_PAID"]


async def test_a_cancelled_order_cannot_be_paid(payments_client, payments_db, streams, issue):
    user, order_id = "canceller", new_order_id()
    await announce(streams, order_id, user)
    await announce(streams, order_id, user, type="orders.cancelled", status="CANCELLED", version=2)
    await wait_for_view(payments_db, order_id, "CANCELLED")

    result = await process(payments_client, issue(user), order_id)

    assert [e["code"] for e in result["userErrors"]] == ["ORDER_CANCELLED"]


async def test_cancelling_a_paid_order_refunds_it(payments_client, payments_db, streams, issue):
    user, order_id = "regretful", new_order_id()
    await announce(streams, order_id, user)
    await wait_for_view(payments_db, order_id)
    paid = (await process(payments_client, issue(user), order_id))["payment"]

    # The cancel crossed the payment: orders cancelled it, and will ignore payments.succeeded.
    await announce(streams, order_id, user, type="orders.cancelled", status="CANCELLED", version=2)

    async def refunded():
        doc = await payments_db["payments"].find_one({"_id": paid["id"]})
        return doc if doc["status"] == "REFUNDED" else None

    doc = await eventually(refunded)
    assert [t["kind"] for t in doc["transactions"]] == ["CHARGE", "REFUND"]
    types = await payments_db["outbox"].distinct("type", {"payload.order_id": order_id})
    assert sorted(types) == ["payments.refunded", "payments.succeeded"]


async def test_a_payment_abandoned_by_a_dead_process_is_finished(
    payments_client, payments_db, streams, issue
):
    user, order_id = "orphan", new_order_id()
    await announce(streams, order_id, user)
    view = await wait_for_view(payments_db, order_id)
    now = datetime.now(UTC).replace(microsecond=0)
    # A process inserted this payment, then died before asking the provider.
    abandoned = start_payment(
        payment_id=str(uuid.uuid4()),
        user_id=user,
        request=PaymentRequest(order_id, "pm_card_ok", "k-orphan"),
        order=view,
        now=now - timedelta(minutes=1),
        lease_until=now - timedelta(seconds=30),
    )
    await MongoPayments(payments_db).add(abandoned)

    async def finished():
        doc = await payments_db["payments"].find_one({"_id": abandoned.id})
        return doc if doc["status"] != "PROCESSING" else None

    doc = await eventually(finished)  # the recovery loop took it over
    assert doc["status"] == "SUCCEEDED"
    replay = await process(payments_client, issue(user), order_id, key="k-orphan")
    assert replay["payment"]["id"] == abandoned.id


async def test_staff_reading_any_order_see_its_payment_customers_still_only_their_own(
    payments_client, payments_db, streams, issue, test_tokens
):
    owner, order_id = "owner-of-a-paid-order", new_order_id()
    await announce(streams, order_id, owner)
    await wait_for_view(payments_db, order_id)
    paid = (await process(payments_client, issue(owner), order_id))["payment"]["id"]
    reps = [{"__typename": "Order", "id": order_id}]
    payment = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id } } }"

    for role in (Role.SUPPORT, Role.ADMIN):  # orders:read:any
        staff = test_tokens.staff(f"staff-{role}", role)
        body = await graphql(payments_client, ORDER_PAYMENT, {"reps": reps}, token=staff)
        assert body["data"]["_entities"][0]["payment"]["id"] == paid
        body = await graphql(
            payments_client, payment, {"r": [{"__typename": "Payment", "id": paid}]}, token=staff
        )
        assert body["data"]["_entities"] == [{"id": paid}]
        # The customer's own entry point stays owner-only, staff included.
        body = await graphql(
            payments_client,
            "query($id: ID!) { payment(id: $id) { id } }",
            {"id": paid},
            token=staff,
        )
        assert body["data"] == {"payment": None}
    for token in (issue("another-customer"), test_tokens.staff("staff-c", Role.CATALOG)):
        body = await graphql(payments_client, ORDER_PAYMENT, {"reps": reps}, token=token)
        assert body["data"]["_entities"] == [{"id": order_id, "payment": None}]
