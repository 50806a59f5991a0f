"""The payments request context: the caller, the use cases and per-request DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from subgraphs.kernel.graphql.context import RequestContext
from subgraphs.payments.domain.payment import Payment
from subgraphs.payments.domain.refund_request import RefundRequest
from subgraphs.payments.usecase import PaymentsUseCases


@dataclass(kw_only=True)
class PaymentsContext(RequestContext):
    usecases: PaymentsUseCases
    payments_by_id: DataLoader[str, Payment | None] = field(init=False)
    payment_of_order: DataLoader[str, Payment | None] = field(init=False)
    refund_request_of_order: DataLoader[str, RefundRequest | None] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.payments_by_id = DataLoader(load_fn=self.usecases.read_payments.by_ids)
        self.payment_of_order = DataLoader(load_fn=self.usecases.read_payments.for_orders)
        self.refund_request_of_order = DataLoader(
            load_fn=self.usecases.read_refund_requests.latest_for_orders
        )
