"""Ports the payments use cases depend on; adapters and test fakes implement them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from subgraphs.kernel.core.money import Money
from subgraphs.payments.domain.order_view import OrderView
from subgraphs.payments.domain.payment import Payment
from subgraphs.payments.domain.refund_request import RefundRequest, RefundRequestStatus

Sleep = Callable[[float], Awaitable[None]]

AfterCharge = Callable[[Payment], Awaitable[Payment]]
"""What runs once a charge succeeded (wired in bootstrap; `charged_as_is` when nothing does)."""


async def charged_as_is(payment: Payment) -> Payment:
    """The `AfterCharge` that changes nothing."""
    return payment


class IdempotencyKeyTaken(Exception):
    """The user already used this idempotency key (for a payment, or for a refund)."""


class OrderAlreadyHeld(Exception):
    """Another payment of the order is in flight, succeeded or refunded."""


class PaymentRepository(Protocol):
    async def add(self, payment: Payment) -> None:
        """Insert a new PROCESSING payment.

        The store is the arbiter of concurrent requests: raises
        `IdempotencyKeyTaken` if the user's key exists, `OrderAlreadyHeld` if
        another payment holds the order.
        """

    async def get_many(self, ids: Sequence[str]) -> list[Payment | None]: ...

    async def by_idempotency_key(self, user_id: str, key: str) -> Payment | None: ...

    async def holding(self, order_id: str) -> Payment | None:
        """The payment holding the order (in flight, succeeded or refunded), if any."""

    async def for_orders(self, order_ids: Sequence[str]) -> list[list[Payment]]:
        """Each order's payments, newest first."""

    async def save(self, payment: Payment) -> bool:
        """Store `payment` if the stored revision is the one before.

        False (nothing written) if the payment changed meanwhile. Raises
        `IdempotencyKeyTaken` if a refund's key is the user's key for another payment.
        """

    async def in_flight(self, lapsed_before: datetime, limit: int) -> list[Payment]:
        """Payments whose charge or refund lease lapsed before `lapsed_before`."""

    async def by_provider_intent(self, intent: str) -> Payment | None:
        """The payment whose charge is the provider's `intent` (`PaymentProvider.open_charge`)."""


class RefundAlreadyRequested(Exception):
    """The payment has an OPEN refund request already."""


@dataclass(frozen=True, slots=True)
class RequestCursor:
    """Where a page of refund requests continues: after this (requested_at, id)."""

    requested_ms: int
    request_id: str


@dataclass(frozen=True, slots=True)
class RequestPage:
    requests: list[RefundRequest]
    has_next: bool


class RefundRequestRepository(Protocol):
    async def add(self, request: RefundRequest) -> None:
        """Insert a new OPEN request; raises `RefundAlreadyRequested` if its payment has one."""

    async def get(self, request_id: str) -> RefundRequest | None: ...

    async def open_for(self, payment_id: str) -> RefundRequest | None:
        """The payment's OPEN request (an approval may be under way), None if it has none."""

    async def save(self, request: RefundRequest) -> bool:
        """Store `request` if the stored revision is the one before; False (nothing written)
        if it changed meanwhile."""

    async def latest_for_orders(self, order_ids: Sequence[str]) -> list[RefundRequest | None]:
        """Each order's newest request, None where it has none."""

    async def page(
        self,
        status: RefundRequestStatus | None,
        size: int,
        after: RequestCursor | None,
        *,
        oldest_first: bool = False,
    ) -> RequestPage:
        """Requests (of `status`, or all), newest first (or oldest first), after `after`."""


class OrderViews(Protocol):
    async def get(self, order_id: str) -> OrderView | None: ...

    async def apply(self, view: OrderView) -> None:
        """Store `view` if it is newer than the stored one (its `stock_reserved` kept)."""

    async def mark_reserved(self, order_id: str) -> None:
        """The order's stock is reserved; remembered even before any orders event of it."""


class ProviderUnavailable(Exception):
    """The provider could not be reached or did not answer in time; the call may be retried."""


class ProviderUndecided(ProviderUnavailable):
    """The provider has the charge but no outcome yet (e.g. still processing); ask again later."""


@dataclass(frozen=True, slots=True)
class ProviderResult:
    """The provider's answer: approved (with its reference) or declined (with a reason)."""

    approved: bool
    reference: str | None = None
    decline_reason: str | None = None


class ProviderDeclined(Exception):
    """The provider refused to open the charge (e.g. an unknown payment method): a decline."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidSignature(Exception):
    """A webhook whose signature does not verify (forged, or older than the tolerance)."""


class ProviderEventKind(StrEnum):
    CHARGE_SUCCEEDED = "charge_succeeded"
    CHARGE_FAILED = "charge_failed"
    REFUNDED = "refunded"
    DISPUTED = "disputed"


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """A verified notification from the provider (a webhook) about one of our charges."""

    id: str  # the provider's event id: each is applied once
    kind: ProviderEventKind
    intent: str  # the charge it is about (`open_charge`'s id)
    payment_id: str | None = None  # ours, when the provider echoes it (metadata)
    reference: str | None = None  # the refund's or dispute's id
    reason: str | None = None  # a decline's or dispute's reason


@dataclass(frozen=True, slots=True)
class TestPaymentMethod:
    """A payment method token the provider's test mode accepts, with what it does."""

    token: str
    label: str


class PaymentProvider(Protocol):
    """A payment service provider. Calls are idempotent on `idempotency_key`:
    the same key gives the same result and never moves money twice."""

    # What a shop's card picker may offer in test mode (the storefront's).
    test_payment_methods: tuple[TestPaymentMethod, ...]

    async def open_charge(
        self, *, idempotency_key: str, payment_id: str, payment_method: str, amount: Money
    ) -> str | None:
        """Register the charge before making it (a Stripe PaymentIntent); its id, stored
        before `charge` is called, or None for a provider without that step.

        Nothing is charged yet; raises `ProviderUnavailable` when it cannot tell.
        """

    async def charge(
        self,
        *,
        idempotency_key: str,
        payment_method: str,
        amount: Money,
        intent: str | None = None,
    ) -> ProviderResult:
        """Charge `amount` (through `intent`, the opened charge, when there is one): asks
        the provider about `intent` first, so a charge made before is never made again.

        Raises `ProviderUnavailable` when it cannot tell (`ProviderUndecided`: not yet).
        """

    async def refund(
        self, *, idempotency_key: str, charge_reference: str, amount: Money
    ) -> ProviderResult:
        """Refund `amount` of a charge; raises `ProviderUnavailable` when it cannot tell."""
