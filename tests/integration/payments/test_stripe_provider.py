"""Payments on the Stripe provider, in-process, against localstripe (a stateful fake Stripe API).

localstripe only sends `payment_intent.succeeded` and `.payment_failed`, once each, to
an URL it can reach (tests/e2e/test_stripe_through_gateway.py has that); here the tests
sign the events themselves with the endpoint's secret, as Stripe does: refunds, disputes,
replays, reordered, stale and forged ones.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import stripe
from pydantic import SecretStr
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.core.money import Money
from subgraphs.kernel.stores.mongo import CODEC_OPTIONS
from subgraphs.payments.domain.order_view import OrderState, OrderView
from subgraphs.payments.domain.payment import PaymentRequest, start_payment
from subgraphs.payments.provider.stripe import StripeProvider
from subgraphs.payments.repository.mongo_payments import MongoPayments, StalePayments
from subgraphs.payments.settings import StripeSettings
from testkit.stripe_events import event, intent_event, refunded, signed
from testkit.waiting import eventually
from tests import conftest as shared
from tests.conftest import INTERNAL_PORT, redis_db
from tests.integration.payments.conftest import (
    announce,
    new_order_id,
    payments_settings,
    serving,
)
from tests.integration.payments.test_payments_api import REFUND, process, wait_for_view

pytestmark = pytest.mark.integration

API_KEY = "sk_test_payments"
SECRET = "whsec_payments_tests"


@pytest.fixture(scope="module")
def stripe_database(db_prefix: str) -> str:
    return f"{db_prefix}payments_stripe"


@pytest.fixture(scope="module")
def stripe_redis_url(redis_url: str) -> str:
    return redis_db(redis_url, "payments-stripe")


@pytest.fixture(scope="module")
async def stripe_client(
    mongo_uri: str,
    stripe_redis_url: str,
    stripe_database: str,
    localstripe: str,
    test_tokens: shared.TestTokens,
) -> AsyncIterator[httpx.AsyncClient]:
    settings = payments_settings(mongo_uri, stripe_redis_url, stripe_database)
    settings.provider.kind = "stripe"
    # localstripe is a real server sharing the machine: generous per-call bounds, so a busy
    # machine never turns a charge into "provider unavailable" (the sandbox tests cover those).
    settings.provider.attempt_timeout_seconds = 5.0
    settings.provider.deadline_seconds = 10.0
    settings.lease_seconds = 15.0  # a lease outlasts the provider's deadline (PaymentsSettings)
    settings.stripe = StripeSettings(
        api_key=SecretStr(API_KEY), webhook_secret=SecretStr(SECRET), api_base=localstripe
    )
    async with serving(settings, test_tokens) as client:
        yield client


@pytest.fixture
async def db(mongo_client: AsyncMongoClient, stripe_database: str) -> AsyncDatabase:
    return mongo_client.get_database(stripe_database, codec_options=CODEC_OPTIONS)


@pytest.fixture
async def orders_stream(stripe_redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(stripe_redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def stripe_api(localstripe: str) -> AsyncIterator[stripe.StripeClient]:
    """A client of localstripe, to look at what the provider holds."""
    provider = StripeProvider.connect(SecretStr(API_KEY), localstripe, timeout_seconds=5)
    yield provider.client
    await provider.close()


async def paid_order(client, db, orders_stream, issue, user: str, method: str, total="12.50"):
    order_id = new_order_id()
    await announce(orders_stream, order_id, user, total=total)
    await wait_for_view(db, order_id)
    return await process(client, issue(user), order_id, method=method)


async def intents_of(api: stripe.StripeClient, payment_id: str) -> list[Any]:
    """The provider's intents carrying our payment id (localstripe has no search)."""
    listed = await api.v1.payment_intents.list_async({"limit": 100})
    return [i for i in listed.data if i.metadata.to_dict().get("payment_id") == payment_id]


async def post(client, evt, *, secret=SECRET, at=None):
    body, headers = signed(evt, secret=secret, at=at)
    return await client.post("/webhooks/stripe", content=body, headers=headers)


async def stored(db, payment_id: str) -> dict[str, Any]:
    doc = await db["payments"].find_one({"_id": payment_id})
    assert doc is not None
    return doc


async def announced(db, payment_id: str) -> list[str]:
    cursor = db["outbox"].find({"payload.payment_id": payment_id}).sort("occurred_at", 1)
    return [d["type"] async for d in cursor]


async def test_a_charge_opens_one_intent_with_our_id_then_confirms_it(
    stripe_client, db, orders_stream, issue, stripe_api
):
    result = await paid_order(stripe_client, db, orders_stream, issue, "visa", "pm_card_visa")

    payment = result["payment"]
    assert result["userErrors"] == []
    assert payment["status"] == "SUCCEEDED"
    doc = await stored(db, payment["id"])
    [intent] = await intents_of(stripe_api, payment["id"])
    assert doc["provider_intent"] == intent.id
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 1250, "usd")
    assert await announced(db, payment["id"]) == ["payments.succeeded"]


async def test_declines_are_failed_payments_with_their_reason(
    stripe_client, db, orders_stream, issue
):
    declined = await paid_order(
        stripe_client, db, orders_stream, issue, "declined", "pm_card_chargeCustomerFail"
    )
    unknown = await paid_order(stripe_client, db, orders_stream, issue, "unknown", "pm_nope")

    assert declined["payment"]["status"] == "FAILED"
    assert declined["payment"]["failureReason"] == "card_declined"
    assert unknown["payment"]["status"] == "FAILED"
    assert unknown["payment"]["failureReason"] == "invalid_payment_method"


async def test_a_card_asking_for_3d_secure_is_declined_uncharged(
    stripe_client, db, orders_stream, issue, stripe_api
):
    card = {"number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    method = await stripe_api.v1.payment_methods.create_async({"type": "card", "card": card})

    result = await paid_order(stripe_client, db, orders_stream, issue, "3ds", method.id)

    assert result["payment"]["status"] == "FAILED"
    assert result["payment"]["failureReason"] == "authentication_required"
    [intent] = await intents_of(stripe_api, result["payment"]["id"])
    assert intent.status == "requires_action"  # nothing charged


async def test_a_refund_goes_to_the_intent(
    stripe_client, db, orders_stream, issue, stripe_api, test_tokens
):
    paid = await paid_order(stripe_client, db, orders_stream, issue, "refunder", "pm_card_visa")
    payment_id = paid["payment"]["id"]

    body = await stripe_client.post(
        "/graphql",
        json={
            "query": REFUND,
            "variables": {
                "input": {"paymentId": payment_id, "idempotencyKey": "r-1", "reason": "returned"}
            },
        },
        headers={"authorization": f"Bearer {test_tokens.scoped(Scope.REFUNDS_DECIDE)}"},
    )

    result = body.json()["data"]["refundPayment"]
    assert result["userErrors"] == []
    assert result["payment"]["status"] == "REFUNDED"
    intent = (await stored(db, payment_id))["provider_intent"]
    refunds = await stripe_api.v1.refunds.list_async({"payment_intent": intent})
    assert [r.amount for r in refunds.data] == [1250]


async def test_forged_and_stale_signatures_are_refused_and_write_nothing(
    stripe_client, db, orders_stream, issue
):
    paid = await paid_order(stripe_client, db, orders_stream, issue, "forged", "pm_card_visa")
    payment_id = paid["payment"]["id"]
    intent = (await stored(db, payment_id))["provider_intent"]
    before = await stored(db, payment_id)
    forged, stale = refunded(intent), refunded(intent)

    answers = [
        await post(stripe_client, forged, secret="whsec_someone_else"),
        await post(stripe_client, stale, at=int(time.time()) - 301),
        await stripe_client.post("/webhooks/stripe", content=json.dumps(forged).encode()),
    ]

    assert [a.status_code for a in answers] == [400, 400, 400]
    assert await stored(db, payment_id) == before
    ids = [f"provider:{forged['id']}", f"provider:{stale['id']}"]
    assert await db["processed_events"].count_documents({"_id": {"$in": ids}}) == 0
    assert await announced(db, payment_id) == ["payments.succeeded"]


async def test_a_refund_event_applies_once_however_often_it_comes(
    stripe_client, db, orders_stream, issue
):
    paid = await paid_order(stripe_client, db, orders_stream, issue, "replayed", "pm_card_visa")
    payment_id = paid["payment"]["id"]
    intent = (await stored(db, payment_id))["provider_intent"]
    refund = refunded(intent)

    answers = [(await post(stripe_client, refund)).json() for _ in range(3)]
    # A second refund event of the same charge (another id) changes nothing either.
    again = (await post(stripe_client, refunded(intent))).json()

    assert [a["applied"] for a in answers] == [True, False, False]
    assert again["applied"] is False
    doc = await stored(db, payment_id)
    assert doc["status"] == "REFUNDED"
    assert [t["kind"] for t in doc["transactions"]] == ["CHARGE", "REFUND"]
    assert await announced(db, payment_id) == ["payments.succeeded", "payments.refunded"]


async def test_events_out_of_order_change_nothing_they_should_not(
    stripe_client, db, orders_stream, issue
):
    paid = await paid_order(stripe_client, db, orders_stream, issue, "reordered", "pm_card_visa")
    payment_id = paid["payment"]["id"]
    intent = (await stored(db, payment_id))["provider_intent"]

    # A failure sent after the success (a late, older event) is ignored.
    late = await post(
        stripe_client,
        intent_event("payment_intent.payment_failed", intent, payment_id, "card_declined"),
    )

    assert late.json()["applied"] is False
    assert (await stored(db, payment_id))["status"] == "SUCCEEDED"


async def test_a_refund_before_its_charge_is_deferred_then_a_success_completes_the_charge(
    stripe_client, db, issue
):
    # A charge whose process died after the provider's call: PROCESSING here, lease held.
    payments = MongoPayments(db)
    payment = await held_payment(payments, "early-refund", intent="pi_early", lease_seconds=60)

    early = await post(stripe_client, refunded("pi_early"))
    assert early.status_code == 409
    assert (await stored(db, payment.id))["status"] == "PROCESSING"

    success = await post(
        stripe_client, intent_event("payment_intent.succeeded", "pi_early", payment.id)
    )
    again = await post(stripe_client, refunded("pi_early"))

    assert success.json()["applied"] is True
    assert again.json()["applied"] is True
    assert (await stored(db, payment.id))["status"] == "REFUNDED"
    assert await announced(db, payment.id) == ["payments.succeeded", "payments.refunded"]


async def test_a_dispute_is_recorded_as_an_event(stripe_client, db, orders_stream, issue):
    paid = await paid_order(stripe_client, db, orders_stream, issue, "disputed", "pm_card_visa")
    payment_id = paid["payment"]["id"]
    intent = (await stored(db, payment_id))["provider_intent"]
    dispute = event(
        "charge.dispute.created",
        {"id": "dp_1", "object": "dispute", "payment_intent": intent, "reason": "fraudulent"},
    )

    first, replay = await post(stripe_client, dispute), await post(stripe_client, dispute)

    assert (first.json()["applied"], replay.json()["applied"]) == (True, False)
    assert (await stored(db, payment_id))["status"] == "SUCCEEDED"
    assert await announced(db, payment_id) == ["payments.succeeded", "payments.disputed"]


async def held_payment(
    payments: MongoPayments,
    user: str,
    *,
    intent: str | None,
    lease_seconds: float,
    payment_id: str | None = None,
) -> Any:
    """A PROCESSING payment as a process leaves it when it dies after calling the provider."""
    now = datetime.now(UTC)
    order = OrderView(
        new_order_id(),
        user,
        Money.parse("12.50", "USD"),
        OrderState.PENDING,
        1,
        now,
        stock_reserved=True,  # payable
    )
    payment = start_payment(
        payment_id=payment_id or str(uuid.uuid4()),
        user_id=user,
        request=PaymentRequest(order.order_id, "pm_card_visa", uuid.uuid4().hex),
        order=order,
        now=now,
        lease_until=now + timedelta(seconds=lease_seconds),
    )
    if intent is not None:
        payment = payment.with_intent(intent, now, now + timedelta(seconds=lease_seconds))
    await payments.add(payment)
    return payment


async def test_reconciliation_finishes_a_charge_whose_process_died_after_the_provider_call(
    stripe_client, db, localstripe, stripe_api
):
    """The provider charged, our write never happened: the recovery loop asks the intent."""
    provider = StripeProvider.connect(SecretStr(API_KEY), localstripe, timeout_seconds=5)
    payments = MongoPayments(db)
    amount = Money.parse("12.50", "USD")
    payment_id = str(uuid.uuid4())
    intent = await provider.open_charge(
        idempotency_key=f"charge-{payment_id}",
        payment_id=payment_id,
        payment_method="pm_card_visa",
        amount=amount,
    )
    assert intent is not None
    charged = await provider.charge(
        idempotency_key=f"charge-{payment_id}",
        payment_method="pm_card_visa",
        amount=amount,
        intent=intent,
    )
    await provider.close()
    assert charged.approved
    # What was stored before the process died: the intent, and a lease that has lapsed.
    await held_payment(payments, "crashed", intent=intent, lease_seconds=-1, payment_id=payment_id)

    async def resolved():
        doc = await stored(db, payment_id)
        return doc if doc["status"] != "PROCESSING" else None

    doc = await eventually(resolved, what="the recovery loop to ask the provider")

    assert doc["status"] == "SUCCEEDED"
    assert [i.id for i in await intents_of(stripe_api, payment_id)] == [intent]
    assert await announced(db, payment_id) == ["payments.succeeded"]


async def test_reconciliation_waits_out_a_provider_outage(
    stripe_client, db, localstripe, localstripe_server, stripe_api
):
    """An intent opened, then the provider stops answering (SIGSTOP): the recovery loop
    tries, cannot tell, leaves the payment PROCESSING; once it answers, the charge is made."""
    payment_id = str(uuid.uuid4())
    provider = StripeProvider.connect(SecretStr(API_KEY), localstripe, timeout_seconds=5)
    intent = await provider.open_charge(
        idempotency_key=f"charge-{payment_id}",
        payment_id=payment_id,
        payment_method="pm_card_visa",
        amount=Money.parse("12.50", "USD"),
    )
    await provider.close()
    assert localstripe_server.pid is not None
    os.kill(localstripe_server.pid, signal.SIGSTOP)
    try:
        held = await held_payment(
            MongoPayments(db), "outage", intent=intent, lease_seconds=-1, payment_id=payment_id
        )

        async def tried_and_left():
            doc = await stored(db, payment_id)
            return doc if doc["revision"] > held.revision + 1 else None

        doc = await eventually(tried_and_left, what="the recovery loop to try twice")
        assert doc["status"] == "PROCESSING"
        assert await announced(db, payment_id) == []
    finally:
        os.kill(localstripe_server.pid, signal.SIGCONT)

    async def resolved():
        doc = await stored(db, payment_id)
        return doc if doc["status"] != "PROCESSING" else None

    assert (await eventually(resolved, what="the charge once Stripe answers"))["status"] == (
        "SUCCEEDED"
    )
    assert [i.id for i in await intents_of(stripe_api, payment_id)] == [intent]


async def test_stale_payments_are_counted_at_metrics(stripe_client, db):
    payments = MongoPayments(db)
    fresh = await held_payment(payments, "fresh", intent="pi_fresh", lease_seconds=60)
    old = await held_payment(payments, "stale", intent="pi_stale", lease_seconds=60)
    await db["payments"].update_one(
        {"_id": old.id}, {"$set": {"created_at": datetime.now(UTC) - timedelta(minutes=11)}}
    )
    before = datetime.now(UTC) - timedelta(minutes=10)

    [sample] = await StalePayments(payments, 600, lambda: datetime.now(UTC)).collect()
    page = (await stripe_client.get(f"http://payments:{INTERNAL_PORT}/metrics")).text

    # Only the old one (this module's database may hold other old ones; none is `fresh`).
    assert sample.value == await db["payments"].count_documents(
        {"status": "PROCESSING", "created_at": {"$lt": before}}
    )
    assert sample.value >= 1
    assert fresh.created_at > before
    # Served at /metrics (another payments app in this test process may report its own
    # database's count under the same name: one app per process in production).
    assert "# TYPE payments_in_progress_stale gauge" in page
