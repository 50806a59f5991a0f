"""`POST /webhooks/stripe`: the provider's notifications, verified, then applied once.

| answer | when |
|---|---|
| 200 | applied, or nothing to change (a replay, an older event, a type not acted on) |
| 400 | missing, forged or stale signature, or not an event: nothing is written |
| 409 | about a state not reached here yet (a refund before its charge): sent again later |
| 413 | a body over `MAX_BODY_BYTES` |

The provider retries every answer but a 2xx, so an error while applying
(the store is away) is a 500 and comes back later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.kernel.observability.metrics import Counter
from subgraphs.payments.usecase.ports import InvalidSignature, ProviderEvent
from subgraphs.payments.usecase.provider_events import ApplyProviderEvent, NotYet

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # Stripe's events are a few kilobytes
STRIPE_PATH = "/webhooks/stripe"

WEBHOOKS = Counter(
    "payments_webhooks_total",
    "Provider webhooks received, by kind and outcome (applied, unchanged, ignored, deferred, "
    "refused: bad signature).",
)

Verify = Callable[[bytes, str | None], ProviderEvent | None]


def webhook_route(path: str, verify: Verify, apply: ApplyProviderEvent, header: str) -> Route:
    """The route receiving a provider's webhooks at `path`, signed in the `header` header."""

    async def endpoint(request: Request) -> Response:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return JSONResponse({"error": "payload too large"}, status_code=413)
        try:
            event = verify(bytes(body), request.headers.get(header))
        except InvalidSignature as error:
            log.warning("webhook refused: bad signature", extra={"reason": str(error)})
            WEBHOOKS.inc(kind="unknown", outcome="refused")
            return JSONResponse({"error": "invalid signature"}, status_code=400)
        if event is None:
            WEBHOOKS.inc(kind="other", outcome="ignored")
            return JSONResponse({"received": True, "ignored": True})
        try:
            applied = await apply(event)
        except NotYet as error:
            log.info("webhook deferred", extra={"event_id": event.id, "reason": str(error)})
            WEBHOOKS.inc(kind=event.kind.value, outcome="deferred")
            return JSONResponse({"error": "not yet", "retry": True}, status_code=409)
        WEBHOOKS.inc(kind=event.kind.value, outcome="applied" if applied else "unchanged")
        log.info(
            "webhook received",
            extra={"event_id": event.id, "kind": event.kind.value, "applied": applied},
        )
        return JSONResponse({"received": True, "applied": applied})

    return Route(path, endpoint, methods=["POST"])
