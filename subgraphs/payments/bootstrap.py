"""The one place the payments use cases are wired: ports, clock, ids and timing in, use cases out.

`app.py` passes the MongoDB adapters and the sandbox provider; unit tests
pass in-memory fakes (`testkit.payments`) and a clock that moves only when
someone sleeps.
"""

from __future__ import annotations

from datetime import timedelta

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.payments.usecase import PaymentsUseCases
from subgraphs.payments.usecase.in_flight import InFlight, Timing
from subgraphs.payments.usecase.ports import (
    OrderViews,
    PaymentProvider,
    PaymentRepository,
    RefundRequestRepository,
    Sleep,
)
from subgraphs.payments.usecase.process_payment import ProcessPayment
from subgraphs.payments.usecase.project_orders import (
    ProjectOrderEvent,
    ProjectStockReserved,
    RefundCancelledOrder,
)
from subgraphs.payments.usecase.provider_events import ApplyProviderEvent
from subgraphs.payments.usecase.read_payments import ReadPayments
from subgraphs.payments.usecase.refund_payment import RefundPayment
from subgraphs.payments.usecase.refund_requests import (
    DecideRefundRequest,
    ReadRefundRequests,
    RequestRefund,
)
from subgraphs.payments.usecase.refunded import SaveRefundOutcome
from subgraphs.payments.usecase.resume_abandoned import ResumeAbandoned


def bootstrap(
    *,
    payments: PaymentRepository,
    orders: OrderViews,
    refund_requests: RefundRequestRepository,
    provider: PaymentProvider,
    uow: UnitOfWork,
    clock: Clock,
    new_id: NewId,
    sleep: Sleep,
    timing: Timing,
    refund_window: timedelta,
) -> PaymentsUseCases:
    in_flight = InFlight(payments, clock=clock, sleep=sleep, timing=timing)
    save_refund = SaveRefundOutcome(payments, refund_requests, uow=uow, clock=clock)
    refund = RefundPayment(payments, provider, in_flight, save_refund, clock=clock, new_id=new_id)
    compensate = RefundCancelledOrder(payments, orders, refund)
    process = ProcessPayment(
        payments,
        orders,
        provider,
        in_flight,
        uow=uow,
        clock=clock,
        new_id=new_id,
        after_charge=compensate.after_charge,
    )
    return PaymentsUseCases(
        process_payment=process,
        refund_payment=refund,
        read_payments=ReadPayments(payments),
        request_refund=RequestRefund(
            payments,
            orders,
            refund_requests,
            uow=uow,
            clock=clock,
            new_id=new_id,
            window=refund_window,
        ),
        decide_refund_request=DecideRefundRequest(
            refund_requests, payments, refund, uow=uow, clock=clock
        ),
        read_refund_requests=ReadRefundRequests(refund_requests),
        project_order_event=ProjectOrderEvent(orders, uow, compensate),
        project_stock_reserved=ProjectStockReserved(orders),
        resume_abandoned=ResumeAbandoned(payments, process, refund, clock=clock),
        apply_provider_event=ApplyProviderEvent(
            payments,
            save_refund,
            uow=uow,
            clock=clock,
            new_id=new_id,
            after_charge=compensate.after_charge,
        ),
        test_payment_methods=provider.test_payment_methods,
    )
