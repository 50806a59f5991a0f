"""The operations metrics on each process's /metrics, after a paid order went through."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from testkit.client import graphql
from testkit.journeys import register
from testkit.prometheus import parse_metrics
from testkit.waiting import eventually
from tests.e2e.test_notifications_through_gateway import CREATE, pay

pytestmark = pytest.mark.e2e

QUEUE = "notifications:jobs"


async def scrape(url: str) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    return parse_metrics(response.text)


async def test_consumer_outbox_and_job_queue_metrics_are_served(
    gateway, orders_url, payments_url, notifications_worker, smtp_sink, internal_urls
):
    me = await register(gateway)
    created = await graphql(
        gateway,
        CREATE,
        {"input": {"items": [{"sku": "SKU-MUG", "quantity": 1}]}},
        token=me["accessToken"],
    )
    order_id = created["data"]["createOrder"]["order"]["id"]
    await pay(gateway, me["accessToken"], order_id)

    async def receipt_sent() -> dict[str, Any] | None:
        async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
            found = (await sink.get("/messages", params={"to": me["user"]["email"]})).json()
        return next((m for m in found if m["subject"].startswith("Receipt")), None)

    await eventually(receipt_sent, what="the receipt")

    # The worker ran the jobs (arq's counts, via the kernel counter) and reports its queue.
    worker = await scrape(notifications_worker)
    assert worker[f'arq_jobs_total{{outcome="complete",queue="{QUEUE}"}}'] >= 1
    assert worker[f'arq_queue_depth{{queue="{QUEUE}"}}'] >= 0
    for stream in ("events.users", "events.orders", "events.payments"):
        assert f'events_consumer_pending{{group="notifications",stream="{stream}"}}' in worker
    assert 'events_dead_letters_total{group="notifications"}' in worker

    # Orders consumed payments' events and published its own: nothing left behind.
    async def caught_up() -> dict[str, float] | None:
        orders = await scrape(internal_urls["orders"])
        behind = orders['events_consumer_lag{group="orders",stream="events.payments"}']
        waiting = orders['outbox_pending{producer="orders"}']
        return orders if behind == 0 and waiting == 0 else None

    orders = await eventually(caught_up, what="orders to catch up")
    assert orders['outbox_oldest_pending_age_seconds{producer="orders"}'] == 0
    assert 'events_consumer_pending{group="orders",stream="events.payments"}' in orders
    payments = await scrape(internal_urls["payments"])
    assert 'outbox_pending{producer="payments"}' in payments
    assert 'events_consumer_lag{group="payments",stream="events.orders"}' in payments
