"""Stripe webhook events as Stripe signs them, for the tests of the payments webhook.

localstripe only sends `payment_intent.succeeded` and `.payment_failed`, once each; the
tests sign refunds, disputes, replays and reordered events themselves with the
endpoint's secret (Stripe's scheme: `t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>">`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any


def signed(
    event: dict[str, Any], *, secret: str, at: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and Stripe-Signature header Stripe would send for `event`."""
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return body, {"stripe-signature": f"t={timestamp},v1={mac.hexdigest()}"}


def event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """A Stripe event of type `kind` about `obj`, with a fresh id."""
    return {
        "id": f"evt_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def refunded(intent: str) -> dict[str, Any]:
    """`charge.refunded` for the charge of `intent`, with a fresh refund id."""
    refund = {"id": f"re_{uuid.uuid4().hex[:12]}", "object": "refund"}
    charge = {"id": "ch_x", "object": "charge", "payment_intent": intent}
    return event("charge.refunded", {**charge, "refunds": {"data": [refund]}})


def intent_event(
    kind: str, intent: str, payment_id: str, code: str | None = None
) -> dict[str, Any]:
    """`payment_intent.<kind>` for `intent`, our payment id in its metadata."""
    obj = {"id": intent, "object": "payment_intent", "metadata": {"payment_id": payment_id}}
    if code:
        obj["last_payment_error"] = {"code": code}
    return event(kind, obj)
