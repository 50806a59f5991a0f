"""The payments use cases, wired by the payments bootstrap to in-memory fakes of their ports,
and builders of the domain values the tests start from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from subgraphs.kernel.core.money import Money
from subgraphs.payments.bootstrap import bootstrap
from subgraphs.payments.domain.order_view import OrderState, OrderView
from subgraphs.payments.domain.payment import (
    Payment,
    PaymentRequest,
    Transaction,
    TransactionKind,
    TransactionStatus,
    start_payment,
)
from subgraphs.payments.usecase.in_flight import Timing
from subgraphs.payments.usecase.process_payment import ProcessPayment
from subgraphs.payments.usecase.project_orders import ProjectOrderEvent, ProjectStockReserved
from subgraphs.payments.usecase.provider_calls import RetryPolicy
from subgraphs.payments.usecase.provider_events import ApplyProviderEvent
from subgraphs.payments.usecase.read_payments import ReadPayments
from subgraphs.payments.usecase.refund_payment import RefundPayment
from subgraphs.payments.usecase.refund_requests import (
    DecideRefundRequest,
    ReadRefundRequests,
    RequestRefund,
)
from subgraphs.payments.usecase.resume_abandoned import ResumeAbandoned
from testkit.kernel import FakeTime, InMemoryUnitOfWork, SequentialIds
from testkit.payments import (
    FakeProvider,
    InMemoryOrderViews,
    InMemoryPayments,
    InMemoryRefundRequests,
)

REFUND_WINDOW = timedelta(days=30)
RETRY = RetryPolicy(max_attempts=4, first_delay=0.25, multiplier=2, max_delay=1.0, deadline=10.0)


@dataclass
class World:
    payments: InMemoryPayments
    orders: InMemoryOrderViews
    provider: FakeProvider
    uow: InMemoryUnitOfWork
    time: FakeTime
    process: ProcessPayment
    refund: RefundPayment
    project: ProjectOrderEvent
    project_stock: ProjectStockReserved
    resume: ResumeAbandoned
    read: ReadPayments
    requests: InMemoryRefundRequests
    request_refund: RequestRefund
    decide: DecideRefundRequest
    read_requests: ReadRefundRequests
    apply_provider_event: ApplyProviderEvent

    @property
    def events(self):
        """What the outbox got."""
        return self.uow.events

    def order(
        self,
        order_id: str = "o-1",
        user_id: str = "u-1",
        total: str = "0.30",
        status: OrderState = OrderState.PENDING,
        version: int = 1,
        *,
        reserved: bool = True,
    ) -> OrderView:
        """An order payments knows of; `reserved`: the catalog reserved its stock too (as
        `stock.reserved` does), so it may be paid."""
        view = OrderView(
            order_id,
            user_id,
            Money(Decimal(total), "USD"),
            status,
            version,
            self.time(),
            stock_reserved=reserved,
        )
        self.orders.put(view)
        if reserved:
            self.orders.reserved.add(order_id)
        return view

    async def abandoned_charge(self, payment_id: str = "p-dead") -> Payment:
        """A charge of `order()` (for pay()) whose process died: begun 5 minutes ago, its lease
        lapsed 4 minutes ago; saved."""
        now = self.time()
        abandoned = start_payment(
            payment_id=payment_id,
            user_id="u-1",
            request=pay(),
            order=self.order(),
            now=now - timedelta(minutes=5),
            lease_until=now - timedelta(minutes=4),
        )
        await self.payments.add(abandoned)
        return abandoned


@pytest.fixture
def world() -> World:
    payments, orders, provider, uow, time = (
        InMemoryPayments(),
        InMemoryOrderViews(),
        FakeProvider(),
        InMemoryUnitOfWork("payments"),
        FakeTime(),
    )
    requests = InMemoryRefundRequests()
    usecases = bootstrap(
        payments=payments,
        orders=orders,
        refund_requests=requests,
        provider=provider,
        uow=uow,
        clock=time,
        new_id=SequentialIds("p"),
        sleep=time.sleep,
        timing=Timing(retry=RETRY, lease_seconds=30, wait_seconds=15, poll_seconds=0.05),
        refund_window=REFUND_WINDOW,
    )
    return World(
        payments=payments,
        orders=orders,
        provider=provider,
        uow=uow,
        time=time,
        process=usecases.process_payment,
        refund=usecases.refund_payment,
        project=usecases.project_order_event,
        project_stock=usecases.project_stock_reserved,
        resume=usecases.resume_abandoned,
        read=usecases.read_payments,
        requests=requests,
        request_refund=usecases.request_refund,
        decide=usecases.decide_refund_request,
        read_requests=usecases.read_refund_requests,
        apply_provider_event=usecases.apply_provider_event,
    )


def pay(order_id: str = "o-1", token: str = "pm_card_ok", key: str = "k-1") -> PaymentRequest:
    return PaymentRequest(order_id=order_id, payment_method=token, idempotency_key=key)


# -- domain values (no store) ----------------------------------------------------------------

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def view(
    status: OrderState = OrderState.PENDING, version: int = 1, *, reserved: bool = True
) -> OrderView:
    """Order o-1 of user u-1, 0.30 USD, its stock reserved unless `reserved` is False."""
    return OrderView(
        "o-1", "u-1", Money(Decimal("0.30"), "USD"), status, version, NOW, stock_reserved=reserved
    )


def new_payment(status: OrderState = OrderState.PENDING) -> Payment:
    """A PROCESSING payment p-1 of order o-1 (in `status`), its lease 30 s from NOW."""
    return start_payment(
        payment_id="p-1",
        user_id="u-1",
        request=PaymentRequest("o-1", "pm_card_ok", "k-1"),
        order=view(status),
        now=NOW,
        lease_until=NOW + timedelta(seconds=30),
    )


def charge(status: TransactionStatus = TransactionStatus.SUCCEEDED) -> Transaction:
    """The provider's answer to p-1's charge."""
    return Transaction(
        "t-1", TransactionKind.CHARGE, Money(Decimal("0.30"), "USD"), status, NOW, "ch_1"
    )
