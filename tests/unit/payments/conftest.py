"""The payments use cases wired to in-memory fakes of their ports."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from subgraphs.kernel.money import Money
from subgraphs.payments.domain.order_view import OrderState, OrderView
from subgraphs.payments.domain.payment import PaymentRequest
from subgraphs.payments.usecase.in_flight import InFlight, Timing
from subgraphs.payments.usecase.process_payment import ProcessPayment
from subgraphs.payments.usecase.project_orders import ProjectOrderEvent, RefundCancelledOrder
from subgraphs.payments.usecase.provider_calls import RetryPolicy
from subgraphs.payments.usecase.refund_payment import RefundPayment
from subgraphs.payments.usecase.resume_abandoned import ResumeAbandoned
from tests.unit.payments.fakes import (
    FakeProvider,
    FakeTime,
    InMemoryOrderViews,
    InMemoryPayments,
    SequentialIds,
)

RETRY = RetryPolicy(max_attempts=4, first_delay=0.25, multiplier=2, max_delay=1.0, deadline=10.0)


@dataclass
class World:
    payments: InMemoryPayments
    orders: InMemoryOrderViews
    provider: FakeProvider
    time: FakeTime
    process: ProcessPayment
    refund: RefundPayment
    project: ProjectOrderEvent
    resume: ResumeAbandoned
    in_flight: InFlight

    def order(
        self,
        order_id: str = "o-1",
        user_id: str = "u-1",
        total: str = "0.30",
        status: OrderState = OrderState.PENDING,
        version: int = 1,
    ) -> OrderView:
        view = OrderView(
            order_id, user_id, Money(Decimal(total), "USD"), status, version, self.time()
        )
        self.orders.put(view)
        return view


@pytest.fixture
def world() -> World:
    payments, orders, provider, time = (
        InMemoryPayments(),
        InMemoryOrderViews(),
        FakeProvider(),
        FakeTime(),
    )
    ids = SequentialIds("p")
    in_flight = InFlight(
        payments,
        clock=time,
        sleep=time.sleep,
        timing=Timing(retry=RETRY, lease_seconds=30, wait_seconds=15, poll_seconds=0.05),
    )
    refund = RefundPayment(payments, provider, in_flight, clock=time, new_id=ids)
    compensate = RefundCancelledOrder(payments, orders, refund)
    process = ProcessPayment(
        payments,
        orders,
        provider,
        in_flight,
        clock=time,
        new_id=ids,
        after_charge=compensate.after_charge,
    )
    return World(
        payments=payments,
        orders=orders,
        provider=provider,
        time=time,
        process=process,
        refund=refund,
        project=ProjectOrderEvent(orders, compensate),
        resume=ResumeAbandoned(payments, process, refund, clock=time),
        in_flight=in_flight,
    )


def pay(order_id: str = "o-1", token: str = "pm_card_ok", key: str = "k-1") -> PaymentRequest:
    return PaymentRequest(order_id=order_id, payment_method=token, idempotency_key=key)
