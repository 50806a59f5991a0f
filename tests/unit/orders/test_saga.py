"""The order's side of the stock saga: orders' copy of the catalog, the catalog's answer
(reserved or rejected), and the expiry of orders nobody paid in time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.events import MalformedEvent
from subgraphs.orders.domain.order import ActorKind, OrderLine, OrderStatus
from testkit.orders import product_changed, stock_event
from tests.unit.orders.conftest import TTL, payment_event


async def codes_of(world, lines, currency="USD"):
    with pytest.raises(DomainError) as error:
        await world.usecases.create_order("u-1", lines, currency)
    return [p.code for p in error.value.problems]


async def test_the_newest_product_version_prices_new_orders(world):
    await world.usecases.apply_product_change(
        product_changed("SKU-MUG", "Big mug", {"USD": "13.00"}, version=3, change="updated")
    )
    await world.usecases.apply_product_change(  # late: an older version changes nothing
        product_changed("SKU-MUG", "Old mug", {"USD": "1.00"}, version=2)
    )

    order = await world.usecases.create_order("u-1", [OrderLine("SKU-MUG", 2)], "USD")

    [item] = order.items
    assert (item.name, str(item.unit_price.amount)) == ("Big mug", "13.00")


async def test_a_price_change_never_alters_a_placed_order(world):
    order = await world.place()
    await world.usecases.apply_product_change(
        product_changed("SKU-MUG", "Stoneware mug", {"USD": "99.00"}, version=2)
    )

    assert str(world.stored(order.id).items[0].unit_price.amount) == "12.00"


async def test_archived_unpriced_and_unknown_products_are_refused_and_nothing_is_written(world):
    await world.usecases.apply_product_change(
        product_changed("SKU-CAP", "Baseball cap", {"USD": "15.50"}, version=2, status="ARCHIVED")
    )
    await world.usecases.apply_product_change(
        product_changed("SKU-NEW", "Only in dollars", {"USD": "5.00"})
    )

    assert await codes_of(world, [OrderLine("SKU-CAP", 1)]) == ["PRODUCT_UNAVAILABLE"]
    assert await codes_of(world, [OrderLine("SKU-NEW", 1)], "EUR") == ["PRICE_NOT_AVAILABLE"]
    assert await codes_of(world, [OrderLine("SKU-NOPE", 1)]) == ["UNKNOWN_SKU"]
    assert world.orders.by_id == {}
    assert world.uow.events == []


async def test_a_restored_product_can_be_ordered_again(world):
    archived = product_changed("SKU-CAP", "Cap", {"USD": "15.50"}, version=2, status="ARCHIVED")
    await world.usecases.apply_product_change(archived)
    await world.usecases.apply_product_change(
        product_changed("SKU-CAP", "Cap", {"USD": "15.50"}, version=3, change="restored")
    )

    order = await world.usecases.create_order("u-1", [OrderLine("SKU-CAP", 1)], "USD")
    assert order.items[0].name == "Cap"


async def test_a_malformed_product_event_is_refused():
    from subgraphs.orders.domain.catalog import product_from_event

    with pytest.raises(MalformedEvent):
        product_from_event({"sku": "SKU-X", "name": "X", "prices": {}, "status": "GONE"})


async def test_an_order_expires_ttl_after_it_was_placed(world):
    order = await world.place()

    assert order.expires_at == order.created_at + TTL
    assert not order.stock_reserved


async def test_stock_reserved_marks_the_order_once_without_a_status_event(world):
    order = await world.place()
    reserved = stock_event("reserved", order.id, items=[{"sku": "SKU-MUG", "quantity": 2}])

    await world.usecases.apply_stock_event(reserved)
    await world.usecases.apply_stock_event(reserved)  # redelivered

    stored = world.stored(order.id)
    assert (stored.status, stored.stock_reserved, stored.version) == (
        OrderStatus.PENDING,
        True,
        2,
    )
    assert world.event_types() == ["orders.created"]


async def test_stock_reserved_for_a_cancelled_order_changes_nothing(world):
    order = await world.place()
    await world.usecases.cancel_order("u-1", order.id)

    await world.usecases.apply_stock_event(stock_event("reserved", order.id, items=[]))

    stored = world.stored(order.id)
    assert (stored.status, stored.stock_reserved, stored.version) == (
        OrderStatus.CANCELLED,
        False,
        2,
    )
    assert world.ignored == ["stock.reserved"]


async def test_stock_rejected_rejects_the_order_naming_what_was_short(world):
    order = await world.usecases.create_order(
        "u-1", [OrderLine("SKU-MUG", 2), OrderLine("SKU-TEE", 1)], "USD"
    )
    short = [
        {"sku": "SKU-MUG", "requested": 2, "available": 1, "reason": "out_of_stock"},
        {"sku": "SKU-TEE", "requested": 1, "available": 0, "reason": "archived"},
    ]
    rejected = stock_event("rejected", order.id, short=short)

    await world.usecases.apply_stock_event(rejected)
    await world.usecases.apply_stock_event(rejected)  # redelivered

    stored = world.stored(order.id)
    assert (stored.status, stored.version) == (OrderStatus.REJECTED, 2)
    last = stored.timeline[-1]
    assert (last.status, last.actor.kind, last.reason) == (
        OrderStatus.REJECTED,
        ActorKind.SYSTEM,
        "out of stock",
    )
    assert world.event_types() == ["orders.created", "orders.rejected"]
    payload = world.uow.events[-1].payload
    assert (payload["status"], payload["previous_status"], payload["reason"]) == (
        "REJECTED",
        "PENDING",
        "out of stock",
    )
    assert [(s["sku"], s["requested"], s["available"], s["reason"]) for s in payload["short"]] == [
        ("SKU-MUG", 2, 1, "out_of_stock"),
        ("SKU-TEE", 1, 0, "archived"),
    ]
    assert payload["short"][0]["name"] == "Stoneware mug"


async def test_a_rejected_order_cannot_be_paid_or_cancelled(world):
    order = await world.place()
    await world.usecases.apply_stock_event(stock_event("rejected", order.id, short=[]))

    await world.usecases.apply_payment_event(payment_event("succeeded", order.id))
    with pytest.raises(DomainError):
        await world.usecases.cancel_order("u-1", order.id)

    assert world.stored(order.id).status is OrderStatus.REJECTED
    assert world.ignored == ["payments.succeeded"]


async def test_stock_rejected_after_a_cancellation_changes_nothing(world):
    order = await world.place()
    await world.usecases.cancel_order("u-1", order.id)

    await world.usecases.apply_stock_event(stock_event("rejected", order.id, short=[]))

    assert world.stored(order.id).status is OrderStatus.CANCELLED
    assert world.event_types() == ["orders.created", "orders.cancelled"]


async def test_the_expiry_pass_cancels_unpaid_orders_past_their_deadline_only(world):
    unpaid = await world.place()
    failed = await world.place()
    await world.usecases.apply_payment_event(payment_event("failed", failed.id, "e-f"))
    paid = await world.place()
    await world.usecases.apply_payment_event(payment_event("succeeded", paid.id, "e-p"))

    assert await world.usecases.expire_orders() == 0  # not due yet
    world.clock.now += TTL
    late = await world.place()  # placed now: due a TTL later

    assert await world.usecases.expire_orders() == 2
    assert world.stored(unpaid.id).status is OrderStatus.CANCELLED
    assert world.stored(failed.id).status is OrderStatus.CANCELLED
    assert world.stored(paid.id).status is OrderStatus.PAID
    assert world.stored(late.id).status is OrderStatus.PENDING
    cancelled = [e for e in world.uow.events if e.type == "orders.cancelled"]
    assert {e.payload["order_id"] for e in cancelled} == {unpaid.id, failed.id}
    assert all(e.payload["reason"] == "expired" for e in cancelled)
    assert all(e.payload["actor_id"] is None for e in cancelled)
    entry = world.stored(unpaid.id).timeline[-1]
    assert (entry.actor.kind, entry.reason) == (ActorKind.SYSTEM, "expired")
    assert await world.usecases.expire_orders() == 0  # nothing twice


async def test_an_order_stored_without_a_deadline_gets_one_and_expires_ttl_after_placed(world):
    order = await world.place()
    world.orders.by_id[order.id] = replace(order, expires_at=None)  # stored before deadlines

    world.clock.now += TTL - timedelta(minutes=1)  # (the clock steps a second at each read)
    assert await world.usecases.expire_orders() == 0
    assert world.stored(order.id).expires_at == order.created_at + TTL
    world.clock.now += timedelta(minutes=1)
    assert await world.usecases.expire_orders() == 1
    assert world.stored(order.id).status is OrderStatus.CANCELLED


async def test_a_pass_without_its_lease_cancels_nothing(world):
    order = await world.place()
    world.clock.now += TTL

    async def lost() -> bool:
        return False

    assert await world.usecases.expire_orders(hold=lost) == 0
    assert world.stored(order.id).status is OrderStatus.PENDING


async def test_a_customer_cancellation_carries_no_reason(world):
    order = await world.place()
    await world.usecases.cancel_order("u-1", order.id)

    payload = world.uow.events[-1].payload
    assert (payload["actor_id"], payload["reason"]) == (None, None)
    assert world.stored(order.id).expires_at == order.expires_at
    assert order.expires_at is not None
    assert order.expires_at - order.created_at == timedelta(minutes=15)
