"""The sandbox payment provider: outcomes decided by documented test tokens.

| token                        | charge outcome                                  |
|------------------------------|-------------------------------------------------|
| `pm_card_ok`                 | approved                                        |
| `pm_card_declined`           | declined, `card_declined`                       |
| `pm_card_insufficient_funds` | declined, `insufficient_funds`                  |
| `pm_provider_down`           | `ProviderUnavailable` on every call (retryable) |
| anything else                | declined, `invalid_payment_method`              |

Like a real provider it is idempotent on the caller's key: its ledger
(collection `sandbox_ledger`, `_id` = the key) keeps the first answer to each
key, so the same key gets the same answer and never moves money twice. A
refund is approved once per approved charge.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from subgraphs.kernel.core.money import Money
from subgraphs.kernel.observability.metrics import Counter
from subgraphs.payments.domain.payment import CARD_DECLINED, INSUFFICIENT_FUNDS
from subgraphs.payments.usecase.ports import (
    ProviderResult,
    ProviderUnavailable,
    TestPaymentMethod,
)

Document = dict[str, Any]

# Test payment-method tokens (public sandbox values, not secrets).
CARD_OK = "pm_card_ok"
CARD_DECLINED_TOKEN = "pm_card_declined"  # noqa: S105
INSUFFICIENT_FUNDS_TOKEN = "pm_card_insufficient_funds"  # noqa: S105
PROVIDER_DOWN = "pm_provider_down"

INVALID_PAYMENT_METHOD = "invalid_payment_method"
UNKNOWN_CHARGE = "unknown_charge"
ALREADY_REFUNDED = "charge_already_refunded"
UPSERT_ATTEMPTS = 10

_DECLINES = {
    CARD_DECLINED_TOKEN: CARD_DECLINED,
    INSUFFICIENT_FUNDS_TOKEN: INSUFFICIENT_FUNDS,
}


SANDBOX_CALLS = Counter(
    "payments_sandbox_calls_total",
    "Calls to the sandbox provider, by operation and outcome (approved, declined, unavailable).",
)


class SandboxKeyReused(ValueError):
    """The same provider key came with a different request (a bug in the caller)."""


def decide_charge(payment_method: str) -> ProviderResult:
    """The sandbox's answer to a charge with `payment_method` (without the ledger)."""
    if payment_method == PROVIDER_DOWN:
        raise ProviderUnavailable("sandbox: provider down (pm_provider_down)")
    if payment_method == CARD_OK:
        return ProviderResult(approved=True, reference=f"sbx_ch_{uuid.uuid4().hex}")
    return ProviderResult(
        approved=False, decline_reason=_DECLINES.get(payment_method, INVALID_PAYMENT_METHOD)
    )


class SandboxProvider:
    """The `PaymentProvider` port, answering from test tokens, idempotent through its ledger."""

    test_payment_methods: tuple[TestPaymentMethod, ...] = (
        TestPaymentMethod(CARD_OK, "Visa ending 4242 (sandbox: succeeds)"),
        TestPaymentMethod(CARD_DECLINED_TOKEN, "Visa ending 0002 (sandbox: declined)"),
        TestPaymentMethod(
            INSUFFICIENT_FUNDS_TOKEN, "Visa ending 9995 (sandbox: insufficient funds)"
        ),
        TestPaymentMethod(PROVIDER_DOWN, "Mastercard ending 4444 (sandbox: provider down)"),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._ledger = db["sandbox_ledger"]

    async def ensure_indexes(self) -> None:
        await self._ledger.create_index([("reference", ASCENDING)], name="by_reference")
        await self._ledger.create_index(
            [("charge_reference", ASCENDING), ("approved", ASCENDING)], name="refunds_of_charge"
        )

    async def open_charge(
        self, *, idempotency_key: str, payment_id: str, payment_method: str, amount: Money
    ) -> str | None:
        return None  # charges are made in one call

    async def charge(
        self,
        *,
        idempotency_key: str,
        payment_method: str,
        amount: Money,
        intent: str | None = None,
    ) -> ProviderResult:
        try:
            fresh = decide_charge(payment_method)
        except ProviderUnavailable:
            SANDBOX_CALLS.inc(operation="charge", outcome="unavailable")
            raise
        request = {
            "operation": "charge",
            "payment_method": payment_method,
            "amount": amount.amount,
            "currency": amount.currency,
        }
        return await self._answer(idempotency_key, request, fresh, "charge")

    async def refund(
        self, *, idempotency_key: str, charge_reference: str, amount: Money
    ) -> ProviderResult:
        request = {
            "operation": "refund",
            "charge_reference": charge_reference,
            "amount": amount.amount,
            "currency": amount.currency,
        }
        fresh = await self._decide_refund(idempotency_key, charge_reference)
        return await self._answer(idempotency_key, request, fresh, "refund")

    async def _decide_refund(self, idempotency_key: str, charge_reference: str) -> ProviderResult:
        charge = await self._ledger.find_one(
            {"operation": "charge", "reference": charge_reference, "approved": True}
        )
        if charge is None:
            return ProviderResult(approved=False, decline_reason=UNKNOWN_CHARGE)
        other = await self._ledger.find_one(
            {
                "charge_reference": charge_reference,
                "approved": True,
                "_id": {"$ne": idempotency_key},
            }
        )
        if other is not None:
            return ProviderResult(approved=False, decline_reason=ALREADY_REFUNDED)
        return ProviderResult(approved=True, reference=f"sbx_re_{uuid.uuid4().hex}")

    async def _answer(
        self, key: str, request: Document, fresh: ProviderResult, operation: str
    ) -> ProviderResult:
        """The ledger's answer to `key`: `fresh` the first time, the stored one afterwards."""
        entry = {
            **request,
            "approved": fresh.approved,
            "reference": fresh.reference,
            "decline_reason": fresh.decline_reason,
            "created_at": datetime.now(UTC),
        }
        stored = None
        for attempt in range(UPSERT_ATTEMPTS):
            # A DuplicateKeyError means a concurrent first call with this key inserted it.
            with contextlib.suppress(DuplicateKeyError):
                stored = await self._ledger.find_one_and_update(
                    {"_id": key},
                    {"$setOnInsert": entry},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
            # Read back when a racing upsert returned nothing (seen with SecantusDB).
            stored = stored or await self._ledger.find_one({"_id": key})
            if stored is not None:
                break
            await asyncio.sleep(0.01 * attempt)
        if stored is None:
            raise ProviderUnavailable(f"sandbox: ledger entry {key!r} stayed contended")
        if any(stored.get(field) != value for field, value in request.items()):
            raise SandboxKeyReused(f"sandbox: key {key!r} was used for another request")
        outcome = "approved" if stored["approved"] else "declined"
        SANDBOX_CALLS.inc(operation=operation, outcome=outcome)
        return ProviderResult(
            approved=stored["approved"],
            reference=stored.get("reference"),
            decline_reason=stored.get("decline_reason"),
        )
