"""One paid order is one trace: gateway -> payments -> events -> orders and the worker -> SMTP.

Every process of the shared stack exports its spans over OTLP/HTTP to the
session's receiver (`otlp`). The client sends its own W3C `traceparent`
with the payment, so the trace id is known before anything is exported.
"""

from __future__ import annotations

import json
import secrets
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from testkit.client import graphql
from testkit.journeys import register, retryable
from testkit.waiting import eventually
from tools.otlp_receiver import OtlpReceiver, ReceivedSpan

pytestmark = pytest.mark.e2e

CREATE = """mutation($input: CreateOrderInput!) {
  createOrder(input: $input) { order { id } userErrors { code message } }
}"""

PAY = """mutation Pay($input: ProcessPaymentInput!) {
  processPayment(input: $input) {
    payment { id status } userErrors { code message retryable }
  }
}"""


class Trace:
    def __init__(self, spans: list[ReceivedSpan]) -> None:
        self.spans = spans
        self.by_id = {s.span_id: s for s in spans}

    def find(self, service: str, name: str) -> list[ReceivedSpan]:
        return [s for s in self.spans if s.service == service and s.name == name]

    def one(self, service: str, name: str) -> ReceivedSpan:
        found = self.find(service, name)
        assert len(found) == 1, (service, name, self.names())
        return found[0]

    def parent(self, span: ReceivedSpan) -> ReceivedSpan:
        assert span.parent_span_id in self.by_id, (span, self.names())
        return self.by_id[span.parent_span_id]

    def services(self) -> set[str]:
        return {s.service for s in self.spans}

    def names(self) -> list[tuple[str, str]]:
        return sorted((s.service, s.name) for s in self.spans)


async def pay_in_trace(
    gateway: httpx.AsyncClient, token: str, order_id: str
) -> tuple[dict[str, Any], str, str]:
    """processPayment, each attempt under a new client trace; returns the one that paid.

    (payment, trace id, the client's span id)
    """
    key = uuid.uuid4().hex
    variables = {
        "input": {"orderId": order_id, "paymentMethodToken": "pm_card_ok", "idempotencyKey": key}
    }

    async def attempt() -> tuple[dict[str, Any], str, str] | None:
        trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
        response = await gateway.post(
            "/graphql",
            json={"query": PAY, "variables": variables},
            headers={
                "authorization": f"Bearer {token}",
                "traceparent": f"00-{trace_id}-{span_id}-01",
            },
        )
        payload = response.json()["data"]["processPayment"]
        if retryable(payload):
            return None
        assert payload["userErrors"] == [], payload
        return payload["payment"], trace_id, span_id

    return await eventually(attempt, what="the payment")


def log_lines(path: Path, trace_id: str) -> list[dict[str, Any]]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if trace_id in raw:
            line = json.loads(raw)
            if line.get("trace_id") == trace_id:
                lines.append(line)
    return lines


async def test_a_paid_order_is_one_trace_from_the_client_to_the_receipt(
    gateway, otlp: OtlpReceiver, smtp_sink, run_dir: Path
):
    me = await register(gateway)
    token, email = me["accessToken"], me["user"]["email"]
    created = await graphql(
        gateway, CREATE, {"input": {"items": [{"sku": "SKU-MUG", "quantity": 1}]}}, token=token
    )
    order_id = created["data"]["createOrder"]["order"]["id"]
    payment, trace_id, client_span = await pay_in_trace(gateway, token, order_id)
    assert payment["status"] == "SUCCEEDED"

    expected = [
        ("gateway", "graphql.operation Pay"),
        ("payments", "publish payments.succeeded"),
        ("orders", "process payments.succeeded"),
        ("orders", "publish orders.paid"),
        ("payments", "process orders.paid"),
        ("notifications-worker", "process payments.succeeded"),
        ("notifications-worker", "job deliver_notification"),
        ("notifications-worker", "smtp send"),
    ]

    async def complete() -> Trace | None:
        trace = Trace(otlp.spans(trace_id))
        return trace if all(trace.find(*wanted) for wanted in expected) else None

    trace = await eventually(complete, what=f"the spans {expected} in trace {trace_id}")

    # The gateway continued the client's trace and passed it on to payments.
    gateway_root = trace.one("gateway", "POST /graphql")
    assert gateway_root.parent_span_id == client_span
    payments_request = next(
        s for s in trace.spans if s.service == "payments" and s.kind == "server"
    )
    assert trace.parent(payments_request).service == "gateway"
    operation = trace.one("payments", "mutation Pay")
    assert operation.attributes["graphql.operation.type"] == "mutation"
    assert operation.attributes["graphql.operation.name"] == "Pay"
    assert trace.parent(operation) == payments_request
    # MongoDB and Redis commands are spans of the operation that sent them.
    mongo = [s for s in trace.spans if s.attributes.get("db.system") == "mongodb"]
    assert any(s.service == "payments" and trace.parent(s) == operation for s in mongo)
    redis = [s for s in trace.spans if s.attributes.get("db.system") == "redis"]
    assert any(s.service == "notifications-worker" for s in redis)

    # First hop: the span that wrote payments.succeeded is the parent of its publish and
    # of every consumer's handling of it.
    writer = trace.parent(trace.one("payments", "publish payments.succeeded"))
    assert writer == operation
    for service in ("orders", "notifications-worker"):
        handled = trace.one(service, "process payments.succeeded")
        assert handled.kind == "consumer"
        assert handled.attributes["messaging.destination.name"] == "events.payments"
        assert trace.parent(handled) == writer

    # Second hop: orders' handling wrote orders.paid; its consumers continue from there.
    orders_handling = trace.one("orders", "process payments.succeeded")
    assert trace.parent(trace.one("orders", "publish orders.paid")) == orders_handling
    for paid_consumer in trace.find("payments", "process orders.paid"):
        assert trace.parent(paid_consumer) == orders_handling

    # The bridge enqueued the receipt job; the job sent the mail.
    bridge = trace.one("notifications-worker", "process payments.succeeded")
    job = trace.one("notifications-worker", "job deliver_notification")
    assert trace.parent(job) == bridge
    smtp = trace.one("notifications-worker", "smtp send")
    assert smtp.kind == "client"
    assert trace.parent(smtp) == job
    assert not smtp.error

    async with httpx.AsyncClient(base_url=smtp_sink.url) as sink:
        mails = (await sink.get("/messages", params={"to": email})).json()
    assert any(m["subject"] == f"Receipt for order {order_id}" for m in mails)

    assert {"gateway", "payments", "orders", "notifications-worker"} <= trace.services()
    # Outgoing HTTP: payments fetched the users JWKS (once, in whichever request came first).
    jwks_fetches = [
        s
        for s in otlp.spans()
        if s.service == "payments"
        and s.kind == "client"
        and "/.well-known/jwks.json"
        in str(s.attributes.get("url.full", s.attributes.get("http.url")))
    ]
    assert jwks_fetches
    assert all(s.parent_span_id for s in jwks_fetches)  # inside the request that needed it
    # Log lines written inside the trace's spans carry its id.
    for name in ("payments", "orders", "notifications-worker"):
        assert log_lines(run_dir / f"{name}.log", trace_id), f"no {name} log line in the trace"
