"""The stripe journey through the gateway: orders and payments on Stripe (localstripe).

A stack of its own: orders and payments processes (PAYMENTS_PROVIDER_KIND=stripe, a Redis
database of their own, so the shared stack's consumers never take their events), the
shared users subgraph, and a gateway whose POST /webhooks/stripe localstripe calls with
its own signed `payment_intent.*` events.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from subgraphs.kernel.core.access import Scope
from testkit.client import graphql
from testkit.journeys import register
from testkit.prometheus import samples
from testkit.stripe_events import event, signed
from testkit.tokens import mint_access_token
from testkit.waiting import eventually
from tests.conftest import redis_db
from tests.e2e.conftest import SHARED_GATEWAY_ENV, jwks_url
from tests.e2e.test_payments_through_gateway import REFUND, create_order, pay, read_order
from tools.compose import load_subgraphs, published_supergraph
from tools.procs import free_port
from tools.stack import gateway_process, subgraph_process

pytestmark = pytest.mark.e2e

SECRET = "whsec_e2e_stripe"
STICKERS = [{"sku": "SKU-STICKER", "quantity": 3}]


@dataclass
class StripeStack:
    gateway: str
    payments: str  # its internal listener: /metrics


@pytest.fixture(scope="module")
def stripe_stack(
    stack_env: dict[str, str],
    redis_url: str,
    db_prefix: str,
    run_dir: Path,
    users_url: str,
    localstripe: str,
) -> Iterator[StripeStack]:
    log_dir = run_dir / "stripe"
    env = {
        **stack_env,
        "REDIS_URL": redis_db(redis_url, "e2e-stripe"),
        "CATALOG_DATABASE": f"{db_prefix}e2e_stripe_catalog",
        "ORDERS_DATABASE": f"{db_prefix}e2e_stripe_orders",
        "PAYMENTS_DATABASE": f"{db_prefix}e2e_stripe_payments",
        "PAYMENTS_PROVIDER_KIND": "stripe",
        "STRIPE_API_KEY": "sk_test_e2e",
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_API_BASE": localstripe,
    }
    # Orders prices from its copy of this stack's catalog (ready once the catalog announced it).
    ports = {"catalog": free_port(), "orders": free_port(), "payments": free_port()}
    internal = {name: free_port() for name in ports}
    parts = [
        subgraph_process(name, port, env=env, log_dir=log_dir, internal_port=internal[name])
        for name, port in ports.items()
    ]
    urls = {name: f"http://127.0.0.1:{free_port()}/graphql" for name in load_subgraphs()}
    urls.update({name: f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()})
    urls["users"] = f"{users_url}/graphql"
    supergraph = log_dir / "supergraph.graphql"
    supergraph.parent.mkdir(parents=True, exist_ok=True)
    supergraph.write_text(published_supergraph(urls), encoding="utf-8")
    gateway_port = free_port()
    gateway = gateway_process(
        gateway_port,
        env={
            "GATEWAY_HOST": "127.0.0.1",
            "AUTH_JWKS_URL": jwks_url(users_url),
            **SHARED_GATEWAY_ENV,
        },
        log_dir=log_dir,
        supergraph=supergraph,
        internal_port=free_port(),
    )
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    # localstripe sends its intent events to this gateway, signed with the stack's secret.
    httpx.post(
        f"{localstripe}/_config/webhooks/e2e",
        data={"url": f"{gateway_url}/webhooks/stripe", "secret": SECRET},
    ).raise_for_status()
    for part in [*parts, gateway]:
        part.start()
    try:
        for part in [*parts, gateway]:
            part.wait_ready()
        yield StripeStack(gateway_url, f"http://127.0.0.1:{internal['payments']}")
    finally:
        for part in reversed([*parts, gateway]):
            part.stop()


@pytest.fixture(scope="module")
async def client(stripe_stack: StripeStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stripe_stack.gateway, timeout=30) as http:
        yield http


async def webhooks_seen(payments: str, kind: str, outcome: str) -> float:
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{payments}/metrics")).text
    labels = {"kind": kind, "outcome": outcome}
    return sum(
        s.value
        for s in samples(text)
        if s.name == "payments_webhooks_total" and labels.items() <= s.labels.items()
    )


async def order_status(client, token, order_id, status):
    async def reached():
        order = await read_order(client, token, order_id)
        return order if order["status"] == status else None

    return await eventually(reached, what=f"the order to become {status}")


async def test_paid_then_refunded_on_stripe(client, stripe_stack, users_signing_key):
    token = (await register(client))["accessToken"]
    order = await create_order(client, token, STICKERS)

    paid = await pay(client, token, order["id"], method="pm_card_visa")

    assert paid["userErrors"] == []
    assert paid["payment"]["status"] == "SUCCEEDED"
    assert (await order_status(client, token, order["id"], "PAID"))["payment"]["status"] == (
        "SUCCEEDED"
    )
    # localstripe's own `payment_intent.succeeded` came through the gateway, verified, and
    # changed nothing (the payment was already SUCCEEDED).
    await eventually(
        lambda: webhooks_seen(stripe_stack.payments, "charge_succeeded", "unchanged"),
        what="localstripe's webhook through the gateway",
    )

    body = await graphql(
        client,
        REFUND,
        {
            "input": {
                "paymentId": paid["payment"]["id"],
                "idempotencyKey": uuid.uuid4().hex,
                "reason": "returned",
            }
        },
        token=mint_access_token(users_signing_key, "staff-stripe", scopes=[Scope.REFUNDS_DECIDE]),
    )

    assert body["data"]["refundPayment"]["payment"]["status"] == "REFUNDED"
    assert (await order_status(client, token, order["id"], "REFUNDED"))["payment"]["status"] == (
        "REFUNDED"
    )


async def test_declined_on_stripe(client, stripe_stack):
    token = (await register(client))["accessToken"]
    order = await create_order(client, token, STICKERS)

    declined = await pay(client, token, order["id"], method="pm_card_chargeCustomerFail")

    assert declined["payment"]["status"] == "FAILED"
    assert declined["payment"]["failureReason"] == "card_declined"
    await order_status(client, token, order["id"], "PAYMENT_FAILED")
    await eventually(
        lambda: webhooks_seen(stripe_stack.payments, "charge_failed", "unchanged"),
        what="localstripe's failure webhook through the gateway",
    )


async def test_webhooks_through_the_gateway_are_verified_by_payments(client):
    dispute = event("charge.dispute.created", {"id": "dp_x", "payment_intent": "pi_unknown"})
    body, headers = signed(dispute, secret=SECRET)
    forged, forged_headers = signed(dispute, secret="whsec_not_ours")

    accepted = await client.post("/webhooks/stripe", content=body, headers=headers)
    refused = await client.post("/webhooks/stripe", content=forged, headers=forged_headers)
    wrong_method = await client.get("/webhooks/stripe")

    assert accepted.status_code == 200
    assert accepted.json()["applied"] is False  # about no payment of ours
    assert refused.status_code == 400
    assert wrong_method.status_code == 405
