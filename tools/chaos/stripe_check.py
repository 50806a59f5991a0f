"""With payments on Stripe: what the provider holds agrees with what payments stored.

Every intent at the provider (localstripe, listed whole: it has no search) is
grouped by `metadata.payment_id`, every payment by its order. Per order at most
one intent succeeded; per payment, SUCCEEDED or REFUNDED here is exactly its
stored intent succeeded there, FAILED means no intent of it succeeded, and
REFUNDED here is exactly one refund there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
import pymongo

PAGE = 100


@dataclass
class ProviderCheck:
    intents: int = 0
    succeeded: int = 0
    refunds: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"stripe:        {self.intents} intents at the provider, {self.succeeded} succeeded, "
            f"{self.refunds} refunds; {len(self.problems)} disagreements with payments"
        )


def listed(http: httpx.Client, path: str) -> list[dict[str, Any]]:
    """Every object of a list endpoint, page by page."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": PAGE}
    while True:
        page = http.get(path, params=params).raise_for_status().json()
        found += page["data"]
        if not page.get("has_more") or not page["data"]:
            return found
        params["starting_after"] = page["data"][-1]["id"]


def check_provider(api_base: str, api_key: str, mongodb_uri: str) -> ProviderCheck:
    with httpx.Client(base_url=api_base, auth=(api_key, ""), timeout=60) as http:
        intents = listed(http, "/v1/payment_intents")
        refunds = listed(http, "/v1/refunds")
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongodb_uri)
    try:
        payments = list(client["payments"]["payments"].find({}))
    finally:
        client.close()
    check = ProviderCheck(len(intents), refunds=len(refunds))
    by_payment: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for found in intents:
        by_payment[(found.get("metadata") or {}).get("payment_id", "")].append(found)
    status_of = {i["id"]: i["status"] for i in intents}
    charge_intent = {_charge_id(i): i["id"] for i in intents}
    refunded = Counter(charge_intent.get(r.get("charge")) for r in refunds)
    succeeded_per_order: Counter[str] = Counter()
    for p in payments:
        won = [x for x in by_payment.get(p["_id"], []) if x["status"] == "succeeded"]
        succeeded_per_order[p["order_id"]] += len(won)
        check.succeeded += len(won)
        intent = p.get("provider_intent")
        there = [(x["id"], x["status"]) for x in by_payment.get(p["_id"], [])]
        charged_here = p["status"] in ("SUCCEEDED", "REFUNDED")
        charged_there = intent is not None and status_of.get(intent) == "succeeded"
        if charged_here != charged_there or [x["id"] for x in won] not in ([], [intent]):
            check.problems.append(f"payment {p['_id']}: {p['status']} here, intents {there}")
        want = 1 if p["status"] == "REFUNDED" else 0
        if intent is not None and refunded.get(intent, 0) != want:
            check.problems.append(
                f"payment {p['_id']}: {p['status']} here, {refunded.get(intent, 0)} refunds there"
            )
    check.problems += [
        f"order {order}: {n} intents succeeded" for order, n in succeeded_per_order.items() if n > 1
    ]
    return check


def _charge_id(intent: dict[str, Any]) -> str | None:
    """The id of an intent's latest charge (localstripe expands it, Stripe gives the id)."""
    charge = intent.get("latest_charge")
    return charge.get("id") if isinstance(charge, dict) else charge
