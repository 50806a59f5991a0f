"""In-memory fakes of the payments ports, with the same uniqueness rules as MongoDB."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from subgraphs.kernel.core.money import Money
from subgraphs.payments.domain.order_view import OrderView
from subgraphs.payments.domain.payment import (
    CARD_DECLINED,
    INSUFFICIENT_FUNDS,
    Payment,
    PaymentStatus,
)
from subgraphs.payments.domain.refund_request import RefundRequest, RefundRequestStatus
from subgraphs.payments.provider.sandbox import SandboxProvider
from subgraphs.payments.usecase.ports import (
    IdempotencyKeyTaken,
    OrderAlreadyHeld,
    ProviderResult,
    ProviderUnavailable,
    RefundAlreadyRequested,
    RequestCursor,
    RequestPage,
)


class InMemoryPayments:
    """The `PaymentRepository` port over a dict."""

    def __init__(self) -> None:
        self.by_id: dict[str, Payment] = {}

    def _conflicts(self, payment: Payment) -> Exception | None:
        for other in self.by_id.values():
            if other.id == payment.id:
                continue
            # Like MongoDB, which may report either index when both are violated.
            if other.order_id == payment.order_id and other.holds_order and payment.holds_order:
                return OrderAlreadyHeld()
            if (other.user_id, other.idempotency_key) == (payment.user_id, payment.idempotency_key):
                return IdempotencyKeyTaken()
            if (
                payment.refund
                and other.refund
                and other.user_id == payment.user_id
                and other.refund.idempotency_key == payment.refund.idempotency_key
            ):
                return IdempotencyKeyTaken()
        return None

    async def add(self, payment: Payment) -> None:
        await asyncio.sleep(0)
        if payment.id in self.by_id:
            raise ValueError("duplicate id")
        if conflict := self._conflicts(payment):
            raise conflict
        self.by_id[payment.id] = payment

    async def get_many(self, ids: Sequence[str]) -> list[Payment | None]:
        await asyncio.sleep(0)
        return [self.by_id.get(i) for i in ids]

    async def by_idempotency_key(self, user_id: str, key: str) -> Payment | None:
        await asyncio.sleep(0)
        return next(
            (p for p in self.by_id.values() if (p.user_id, p.idempotency_key) == (user_id, key)),
            None,
        )

    async def holding(self, order_id: str) -> Payment | None:
        return next(
            (p for p in self.by_id.values() if p.order_id == order_id and p.holds_order), None
        )

    async def for_orders(self, order_ids: Sequence[str]) -> list[list[Payment]]:
        return [
            sorted(
                (p for p in self.by_id.values() if p.order_id == order_id),
                key=lambda p: p.created_at,
                reverse=True,
            )
            for order_id in order_ids
        ]

    async def save(self, payment: Payment) -> bool:
        await asyncio.sleep(0)
        stored = self.by_id.get(payment.id)
        if stored is None or stored.revision != payment.revision - 1:
            return False
        if conflict := self._conflicts(payment):
            raise conflict
        self.by_id[payment.id] = payment
        return True

    async def in_flight(self, lapsed_before: datetime, limit: int) -> list[Payment]:
        return [
            p
            for p in self.by_id.values()
            if (p.status is PaymentStatus.PROCESSING or p.refunding)
            and p.lease_lapsed(lapsed_before)
        ][:limit]

    async def by_provider_intent(self, intent: str) -> Payment | None:
        return next((p for p in self.by_id.values() if p.provider_intent == intent), None)


class InMemoryOrderViews:
    """The `OrderViews` port over a dict; `reserved` are orders whose stock is reserved."""

    def __init__(self) -> None:
        self.by_id: dict[str, OrderView] = {}
        self.reserved: set[str] = set()

    def put(self, view: OrderView) -> None:
        self.by_id[view.order_id] = view

    async def get(self, order_id: str) -> OrderView | None:
        view = self.by_id.get(order_id)
        if view is None or order_id not in self.reserved:
            return view
        return replace(view, stock_reserved=True)

    async def apply(self, view: OrderView) -> None:
        if view.supersedes(self.by_id.get(view.order_id)):
            self.by_id[view.order_id] = view

    async def mark_reserved(self, order_id: str) -> None:
        self.reserved.add(order_id)


class FakeProvider:
    """The sandbox's token rules in memory; idempotent on the key, with switchable outages."""

    test_payment_methods = SandboxProvider.test_payment_methods

    def __init__(self) -> None:
        self.answers: dict[str, ProviderResult] = {}
        self.calls: Counter[str] = Counter()  # by operation
        self.keys: list[str] = []
        self.refunds_down = False
        self.on_charge: list[Callable[[], object]] = []  # run during a charge (to stage races)
        # Like Stripe: a charge is opened first (an intent), then made through it.
        self.opens_intents = False
        self.opened: list[str] = []  # the intents opened, in order
        self.charges_down = False  # charges (not openings) cannot be reached
        self._refs = itertools.count(1)

    @property
    def charges(self) -> int:
        """Charges that moved money."""
        return sum(1 for k, a in self.answers.items() if k.startswith("charge") and a.approved)

    @property
    def refunds(self) -> int:
        return sum(1 for k, a in self.answers.items() if k.startswith("refund") and a.approved)

    async def open_charge(
        self, *, idempotency_key: str, payment_id: str, payment_method: str, amount: Money
    ) -> str | None:
        if not self.opens_intents:
            return None  # like the sandbox
        self.opened.append(f"pi_{len(self.opened) + 1}")
        return self.opened[-1]

    async def charge(
        self,
        *,
        idempotency_key: str,
        payment_method: str,
        amount: Money,
        intent: str | None = None,
    ) -> ProviderResult:
        self.calls["charge"] += 1
        self.keys.append(idempotency_key)
        await asyncio.sleep(0)
        for hook in self.on_charge:
            hook()
        if payment_method == "pm_provider_down" or self.charges_down:
            raise ProviderUnavailable("down")
        if self.opens_intents and intent not in self.opened:
            raise ValueError(f"charged through an intent never opened: {intent}")
        if idempotency_key not in self.answers:
            self.answers[idempotency_key] = {
                "pm_card_ok": ProviderResult(True, reference=f"ch_{next(self._refs)}"),
                "pm_card_declined": ProviderResult(False, decline_reason=CARD_DECLINED),
                "pm_card_insufficient_funds": ProviderResult(
                    False, decline_reason=INSUFFICIENT_FUNDS
                ),
            }.get(payment_method, ProviderResult(False, decline_reason="invalid_payment_method"))
        return self.answers[idempotency_key]

    async def refund(
        self, *, idempotency_key: str, charge_reference: str, amount: Money
    ) -> ProviderResult:
        self.calls["refund"] += 1
        self.keys.append(idempotency_key)
        await asyncio.sleep(0)
        if self.refunds_down:
            raise ProviderUnavailable("down")
        if idempotency_key not in self.answers:
            self.answers[idempotency_key] = ProviderResult(True, reference=f"re_{next(self._refs)}")
        return self.answers[idempotency_key]


class InMemoryRefundRequests:
    """The `RefundRequestRepository` port over a dict: one OPEN request per payment."""

    def __init__(self) -> None:
        self.by_id: dict[str, RefundRequest] = {}

    async def add(self, request: RefundRequest) -> None:
        await asyncio.sleep(0)
        if request.id in self.by_id:
            raise ValueError("duplicate id")
        if any(r.payment_id == request.payment_id and r.open for r in self.by_id.values()):
            raise RefundAlreadyRequested()
        self.by_id[request.id] = request

    async def get(self, request_id: str) -> RefundRequest | None:
        await asyncio.sleep(0)
        return self.by_id.get(request_id)

    async def open_for(self, payment_id: str) -> RefundRequest | None:
        await asyncio.sleep(0)
        return next((r for r in self.by_id.values() if r.payment_id == payment_id and r.open), None)

    async def save(self, request: RefundRequest) -> bool:
        await asyncio.sleep(0)
        stored = self.by_id.get(request.id)
        if stored is None or stored.revision != request.revision - 1:
            return False
        self.by_id[request.id] = request
        return True

    def _newest_first(self) -> list[RefundRequest]:
        return sorted(self.by_id.values(), key=lambda r: (r.requested_at, r.id), reverse=True)

    async def latest_for_orders(self, order_ids: Sequence[str]) -> list[RefundRequest | None]:
        newest = self._newest_first()
        return [next((r for r in newest if r.order_id == o), None) for o in order_ids]

    async def page(
        self,
        status: RefundRequestStatus | None,
        size: int,
        after: RequestCursor | None,
        *,
        oldest_first: bool = False,
    ) -> RequestPage:
        found = [r for r in self._newest_first() if status is None or r.status is status]
        if oldest_first:
            found.reverse()
        if after is not None:
            mark = (after.requested_ms, after.request_id)

            def beyond(r: RefundRequest) -> bool:
                key = (int(r.requested_at.timestamp() * 1000), r.id)
                return key > mark if oldest_first else key < mark

            found = [r for r in found if beyond(r)]
        return RequestPage(found[:size], has_next=len(found) > size)
