"""The payments request context: the caller, the use cases and per-request DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from subgraphs.kernel.context import RequestContext
from subgraphs.payments.domain.payment import Payment
from subgraphs.payments.usecase.process_payment import ProcessPayment
from subgraphs.payments.usecase.project_orders import ProjectOrderEvent
from subgraphs.payments.usecase.read_payments import ReadPayments
from subgraphs.payments.usecase.refund_payment import RefundPayment
from subgraphs.payments.usecase.resume_abandoned import ResumeAbandoned


@dataclass(frozen=True)
class PaymentsUseCases:
    process_payment: ProcessPayment
    refund_payment: RefundPayment
    read_payments: ReadPayments
    project_order_event: ProjectOrderEvent  # the orders consumer's handler
    resume_abandoned: ResumeAbandoned  # the recovery loop's work


@dataclass(kw_only=True)
class PaymentsContext(RequestContext):
    usecases: PaymentsUseCases
    payments_by_id: DataLoader[str, Payment | None] = field(init=False)
    payment_of_order: DataLoader[str, Payment | None] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.payments_by_id = DataLoader(load_fn=self.usecases.read_payments.by_ids)
        self.payment_of_order = DataLoader(load_fn=self.usecases.read_payments.for_orders)
