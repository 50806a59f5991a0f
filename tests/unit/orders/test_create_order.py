"""Placing an order: priced from the price list, stored with its event; unknown products refused."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.orders.domain.order import OrderLine, OrderStatus


async def test_create_prices_the_order_stores_it_and_records_orders_created(world):
    order = await world.place()

    assert world.stored(order.id) == order
    assert (order.status, order.version, order.currency) == (OrderStatus.PENDING, 1, "USD")
    [event] = world.uow.events
    assert (event.type, event.producer) == ("orders.created", "orders")
    assert event.payload["order_id"] == order.id
    assert event.payload["total"] == str(order.total.amount)
    assert event.occurred_at == order.created_at


async def test_create_refuses_unknown_products_and_stores_nothing(world):
    with pytest.raises(DomainError) as error:
        await world.usecases.create_order("u-1", [OrderLine("SKU-NOPE", 1)], "USD")

    assert [p.code for p in error.value.problems] == ["UNKNOWN_SKU"]
    assert world.orders.by_id == {}
    assert world.uow.events == []
