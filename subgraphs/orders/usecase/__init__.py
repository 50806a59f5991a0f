"""The orders use cases, and the list of those its transport and event consumers call."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.orders.usecase.change_status import ApplyPaymentEvent, CancelOrder
from subgraphs.orders.usecase.create_order import CreateOrder
from subgraphs.orders.usecase.expire import ExpireOrders
from subgraphs.orders.usecase.ports import StatusFeed
from subgraphs.orders.usecase.project_catalog import ApplyProductChange
from subgraphs.orders.usecase.read_orders import ReadOrders
from subgraphs.orders.usecase.stock import ApplyStockEvent


@dataclass(frozen=True)
class OrdersUseCases:
    create_order: CreateOrder
    cancel_order: CancelOrder
    read_orders: ReadOrders
    status_feed: StatusFeed
    apply_payment_event: ApplyPaymentEvent  # the consumer's handlers from here on
    apply_product_change: ApplyProductChange
    apply_stock_event: ApplyStockEvent
    expire_orders: ExpireOrders  # the expiry pass (one replica at a time runs it)
