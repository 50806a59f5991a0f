"""The payments use cases, and the list of those its transport and event consumers call."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.payments.usecase.ports import TestPaymentMethod
from subgraphs.payments.usecase.process_payment import ProcessPayment
from subgraphs.payments.usecase.project_orders import ProjectOrderEvent, ProjectStockReserved
from subgraphs.payments.usecase.provider_events import ApplyProviderEvent
from subgraphs.payments.usecase.read_payments import ReadPayments
from subgraphs.payments.usecase.refund_payment import RefundPayment
from subgraphs.payments.usecase.refund_requests import (
    DecideRefundRequest,
    ReadRefundRequests,
    RequestRefund,
)
from subgraphs.payments.usecase.resume_abandoned import ResumeAbandoned


@dataclass(frozen=True)
class PaymentsUseCases:
    process_payment: ProcessPayment
    refund_payment: RefundPayment
    read_payments: ReadPayments
    request_refund: RequestRefund
    decide_refund_request: DecideRefundRequest
    read_refund_requests: ReadRefundRequests
    project_order_event: ProjectOrderEvent  # the consumer's handlers: orders events
    project_stock_reserved: ProjectStockReserved  # and the catalog's stock.reserved
    resume_abandoned: ResumeAbandoned  # the recovery loop's work
    apply_provider_event: ApplyProviderEvent  # the provider's webhooks
    test_payment_methods: tuple[TestPaymentMethod, ...]  # the provider's, for card pickers
