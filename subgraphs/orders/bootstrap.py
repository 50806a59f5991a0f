"""The one place the orders use cases are wired: ports, clock and ids in, use cases out.

`app.py` passes the MongoDB adapters and the Redis status feed; unit tests
and the bench pass in-memory fakes (`testkit.orders`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.orders.usecase import OrdersUseCases
from subgraphs.orders.usecase.change_status import ApplyPaymentEvent, CancelOrder, ChangeStatus
from subgraphs.orders.usecase.create_order import CreateOrder
from subgraphs.orders.usecase.expire import ExpireOrders
from subgraphs.orders.usecase.ports import Catalog, OrderRepository, StatusFeed
from subgraphs.orders.usecase.project_catalog import ApplyProductChange
from subgraphs.orders.usecase.read_orders import ReadOrders
from subgraphs.orders.usecase.stock import ApplyStockEvent


def bootstrap(
    *,
    orders: OrderRepository,
    catalog: Catalog,
    uow: UnitOfWork,
    status_feed: StatusFeed,
    clock: Clock,
    new_id: NewId,
    reservation_ttl: timedelta,
    on_ignored: Callable[[str], None] = lambda _event_type: None,
) -> OrdersUseCases:
    """`on_ignored(event type)` counts payment and stock events the status machine did not
    allow; an order unpaid `reservation_ttl` after it was placed expires (the app passes
    the setting's value)."""
    change = ChangeStatus(orders, uow, clock)
    return OrdersUseCases(
        create_order=CreateOrder(orders, catalog, uow, clock, new_id, ttl=reservation_ttl),
        cancel_order=CancelOrder(change),
        read_orders=ReadOrders(orders),
        status_feed=status_feed,
        apply_payment_event=ApplyPaymentEvent(change, on_ignored=on_ignored),
        apply_product_change=ApplyProductChange(catalog),
        apply_stock_event=ApplyStockEvent(orders, uow, change, clock, on_ignored),
        expire_orders=ExpireOrders(orders, change, clock, ttl=reservation_ttl),
    )
