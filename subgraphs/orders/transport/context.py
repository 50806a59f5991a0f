"""The orders request context: the caller, the use cases, DataLoaders and the status feed."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from subgraphs.kernel.graphql.context import RequestContext
from subgraphs.orders.domain.order import Order
from subgraphs.orders.usecase import OrdersUseCases


@dataclass(kw_only=True)
class OrdersContext(RequestContext):
    usecases: OrdersUseCases
    orders_by_id: DataLoader[str, Order | None] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.orders_by_id = DataLoader(
            load_fn=self.usecases.read_orders.by_ids, cache=not self.is_websocket
        )
