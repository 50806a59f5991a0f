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


async def test_the_same_idempotency_key_places_one_order(world):
    lines = [OrderLine("SKU-MUG", 2), OrderLine("SKU-STICKER", 1)]
    first = await world.usecases.create_order("u-1", lines, "USD", "cart-1")
    again = await world.usecases.create_order("u-1", list(reversed(lines)), "usd", "cart-1")

    assert again == first
    assert first.idempotency_key == "cart-1"
    assert list(world.orders.by_id) == [first.id]
    assert len(world.uow.events) == 1
    other = await world.usecases.create_order("u-2", lines, "USD", "cart-1")  # their own key
    assert other.id != first.id


async def test_an_idempotency_key_reused_for_another_order_or_blank_is_refused(world):
    await world.usecases.create_order("u-1", [OrderLine("SKU-MUG", 1)], "USD", "cart-1")
    with pytest.raises(DomainError) as reused:
        await world.usecases.create_order("u-1", [OrderLine("SKU-MUG", 3)], "USD", "cart-1")
    with pytest.raises(DomainError) as blank:
        await world.usecases.create_order("u-1", [OrderLine("SKU-MUG", 1)], "USD", " ")

    assert [p.code for p in reused.value.problems] == ["IDEMPOTENCY_KEY_REUSED"]
    assert [p.code for p in blank.value.problems] == ["INVALID_IDEMPOTENCY_KEY"]
    assert len(world.orders.by_id) == 1
