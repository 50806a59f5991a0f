"""The Stripe payment provider: PaymentIntents through the official SDK.

A charge is two calls. `open_charge` creates a PaymentIntent (our payment
id in its metadata, our key as the idempotency key), whose id the use case
stores; `charge` then retrieves that intent and confirms it only while it
still waits for confirmation, so a charge resumed after a crash or a
timeout asks about the intent instead of making another one. Refunds go by
the intent. Declines are results; network errors, rate limits, Stripe's own
errors and an intent without an outcome yet (processing) are
`ProviderUnavailable`.

`parse_event` verifies a webhook with the SDK (`Webhook.construct_event`,
the signing secret, a 5-minute tolerance) and reads the events payments act on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import stripe
from pydantic import SecretStr

from subgraphs.kernel.core.money import Money
from subgraphs.kernel.observability.metrics import Counter
from subgraphs.payments.domain.payment import CARD_DECLINED, INSUFFICIENT_FUNDS
from subgraphs.payments.provider.sandbox import ALREADY_REFUNDED, INVALID_PAYMENT_METHOD
from subgraphs.payments.usecase.ports import (
    InvalidSignature,
    ProviderDeclined,
    ProviderEvent,
    ProviderEventKind,
    ProviderResult,
    ProviderUnavailable,
    ProviderUndecided,
    TestPaymentMethod,
)

log = logging.getLogger(__name__)


CHARGE_CANCELED = "charge_canceled"
# The card asks for 3-D Secure: nobody can complete it (the client secret is never handed
# out, the card form is out of scope), so no money can move: a decline.
AUTHENTICATION_REQUIRED = "authentication_required"
WEBHOOK_TOLERANCE_SECONDS = 300
# Currencies Stripe counts in whole units (no minor unit).
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)

STRIPE_CALLS = Counter(
    "payments_stripe_calls_total",
    "Calls to Stripe, by operation and outcome (approved, declined, undecided, unavailable).",
)

_EVENT_KINDS = {
    "payment_intent.succeeded": ProviderEventKind.CHARGE_SUCCEEDED,
    "payment_intent.payment_failed": ProviderEventKind.CHARGE_FAILED,
    "charge.refunded": ProviderEventKind.REFUNDED,
    "charge.dispute.created": ProviderEventKind.DISPUTED,
}


def minor_units(amount: Money) -> int:
    """`amount` in the currency's smallest unit, as Stripe counts it."""
    exponent = 0 if amount.currency.upper() in ZERO_DECIMAL else 2
    units = amount.amount.scaleb(exponent)
    if units != units.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {amount.currency} allows")
    return int(units)


def decline_reason(code: str | None, decline_code: str | None) -> str:
    """Stripe's decline codes mapped onto payments' failure reasons."""
    if decline_code == INSUFFICIENT_FUNDS or code == INSUFFICIENT_FUNDS:
        return INSUFFICIENT_FUNDS
    if code in {"resource_missing", "payment_method_unexpected_state", "parameter_invalid_empty"}:
        return INVALID_PAYMENT_METHOD
    return CARD_DECLINED


class _HttpxClient(stripe.HTTPXClient):
    """The SDK's httpx client, sending the encoded form as `content`: httpx 0.28 deprecates
    raw bytes as `data`, and the SDK turns that warning into a connection error where
    warnings are errors (the tests)."""

    def _get_request_args_kwargs(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> Any:
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        kwargs["content"] = kwargs.pop("data", None) or None
        return args, kwargs


class StripeProvider:
    """The `PaymentProvider` port on Stripe (or anything answering its API, like localstripe).

    Also a resource of the app: its connections are closed at shutdown. It is never
    pinged (Stripe being away shows in the payments, not in /ready).
    """

    name = "stripe"
    critical = False
    # Stripe's test payment methods (test-mode keys only; live keys refuse them).
    test_payment_methods: tuple[TestPaymentMethod, ...] = (
        TestPaymentMethod("pm_card_visa", "Visa ending 4242 (Stripe test: succeeds)"),
        TestPaymentMethod(
            "pm_card_visa_chargeDeclined", "Visa ending 0002 (Stripe test: declined)"
        ),
        TestPaymentMethod(
            "pm_card_chargeCustomerFail", "Visa ending 0341 (Stripe test: charge fails)"
        ),
    )

    def __init__(self, client: stripe.StripeClient, http: stripe.HTTPXClient) -> None:
        self.client = client
        self._http = http

    async def start(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        await self._http.close_async()

    @classmethod
    def connect(cls, api_key: SecretStr, api_base: str, timeout_seconds: float) -> StripeProvider:
        """A provider with its own HTTP client; retries are the use case's (`call_provider`)."""
        # The SDK logs every request and response at INFO: our own lines say what matters.
        logging.getLogger("stripe").setLevel(logging.WARNING)
        http = _HttpxClient(timeout=timeout_seconds)
        client = stripe.StripeClient(
            api_key.get_secret_value(),
            base_addresses={"api": api_base},
            http_client=http,
            max_network_retries=0,
        )
        return cls(client, http)

    async def open_charge(
        self, *, idempotency_key: str, payment_id: str, payment_method: str, amount: Money
    ) -> str | None:
        params: Any = {
            "amount": minor_units(amount),
            "currency": amount.currency.lower(),
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "metadata": {"payment_id": payment_id},
        }
        try:
            intent = await self.client.v1.payment_intents.create_async(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.InvalidRequestError as error:  # e.g. no such payment method
            self._count("open_charge", "declined")
            raise ProviderDeclined(INVALID_PAYMENT_METHOD) from error
        except stripe.StripeError as error:
            raise self._unavailable("open_charge", error) from error
        self._count("open_charge", "opened")
        return str(intent.id)

    async def charge(
        self,
        *,
        idempotency_key: str,
        payment_method: str,
        amount: Money,
        intent: str | None = None,
    ) -> ProviderResult:
        if intent is None:
            raise ValueError("a Stripe charge needs its PaymentIntent (open_charge)")
        try:
            found = await self.client.v1.payment_intents.retrieve_async(intent)
            if found.status == "requires_confirmation":
                try:
                    found = await self.client.v1.payment_intents.confirm_async(
                        intent, options={"idempotency_key": f"{idempotency_key}-confirm"}
                    )
                except stripe.CardError as error:
                    self._count("charge", "declined")
                    return ProviderResult(
                        approved=False, decline_reason=decline_reason(error.code, _decline(error))
                    )
                except stripe.InvalidRequestError:  # confirmed meanwhile (a racing resume)
                    found = await self.client.v1.payment_intents.retrieve_async(intent)
        except stripe.StripeError as error:
            raise self._unavailable("charge", error) from error
        return self._outcome(found)

    async def refund(
        self, *, idempotency_key: str, charge_reference: str, amount: Money
    ) -> ProviderResult:
        params: Any = {"payment_intent": charge_reference, "amount": minor_units(amount)}
        try:
            refund = await self.client.v1.refunds.create_async(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.InvalidRequestError as error:
            self._count("refund", "declined")
            reason = ALREADY_REFUNDED if error.code == ALREADY_REFUNDED else error.code
            return ProviderResult(approved=False, decline_reason=reason or "refund_refused")
        except stripe.StripeError as error:
            raise self._unavailable("refund", error) from error
        if refund.status in {"failed", "canceled"}:
            self._count("refund", "declined")
            return ProviderResult(approved=False, decline_reason=refund.failure_reason)
        self._count("refund", "approved")
        return ProviderResult(approved=True, reference=str(refund.id))

    def _outcome(self, intent: stripe.PaymentIntent) -> ProviderResult:
        status = intent.status
        if status == "succeeded":
            self._count("charge", "approved")
            return ProviderResult(approved=True, reference=str(intent.id))
        if status in ("canceled", "requires_action"):
            self._count("charge", "declined")
            reason = CHARGE_CANCELED if status == "canceled" else AUTHENTICATION_REQUIRED
            return ProviderResult(approved=False, decline_reason=reason)
        error = intent.last_payment_error
        if status == "requires_payment_method" and error is not None:
            self._count("charge", "declined")
            reason = decline_reason(error.code, error.decline_code)
            return ProviderResult(approved=False, decline_reason=reason)
        self._count("charge", "undecided")
        raise ProviderUndecided(f"stripe: intent {intent.id} is {status}")

    def _unavailable(self, operation: str, error: stripe.StripeError) -> ProviderUnavailable:
        self._count(operation, "unavailable")
        # The error's own text, never the request (it carries no key, but stays out of logs).
        log.warning(
            "stripe call failed",
            extra={
                "operation": operation,
                "error": type(error).__name__,
                "status": error.http_status,
                "code": error.code,
            },
        )
        return ProviderUnavailable(f"stripe: {operation}: {type(error).__name__}")

    @staticmethod
    def _count(operation: str, outcome: str) -> None:
        STRIPE_CALLS.inc(operation=operation, outcome=outcome)


def _decline(error: stripe.CardError) -> str | None:
    body = error.json_body or {}
    detail = body.get("error") if isinstance(body, dict) else None
    return detail.get("decline_code") if isinstance(detail, dict) else None


def parse_event(payload: bytes, signature: str | None, secret: SecretStr) -> ProviderEvent | None:
    """The verified event of a webhook, or None for a type payments does not act on.

    Raises `InvalidSignature` for a missing, forged or stale (older than 5
    minutes) signature, or a body that is not an event.
    """
    try:
        event = stripe.Webhook.construct_event(
            payload,
            signature or "",
            secret.get_secret_value(),
            tolerance=WEBHOOK_TOLERANCE_SECONDS,
        )
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise InvalidSignature(type(error).__name__) from error
    kind = _EVENT_KINDS.get(str(event.type))
    if kind is None:
        return None
    data: dict[str, Any] = json.loads(payload)["data"]["object"]  # verified above
    if kind in (ProviderEventKind.CHARGE_SUCCEEDED, ProviderEventKind.CHARGE_FAILED):
        metadata = data.get("metadata") or {}
        last_error = data.get("last_payment_error") or {}
        return ProviderEvent(
            id=str(event.id),
            kind=kind,
            intent=str(data["id"]),
            payment_id=metadata.get("payment_id"),
            reason=decline_reason(last_error.get("code"), last_error.get("decline_code"))
            if kind is ProviderEventKind.CHARGE_FAILED
            else None,
        )
    intent = data.get("payment_intent")
    if not intent:
        return None  # a charge made outside a PaymentIntent is none of ours
    if kind is ProviderEventKind.REFUNDED:
        refunds = (data.get("refunds") or {}).get("data") or []
        reference = refunds[0].get("id") if refunds else None
        return ProviderEvent(
            str(event.id), kind, str(intent), reference=reference or str(data["id"])
        )
    return ProviderEvent(
        str(event.id), kind, str(intent), reference=str(data["id"]), reason=data.get("reason")
    )
