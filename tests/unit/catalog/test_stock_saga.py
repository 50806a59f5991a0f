"""The catalog side of the order saga: reserve all or none, commit, release, restock; each step
idempotent, late or reordered events changing nothing they should not."""

from __future__ import annotations

import pytest

from subgraphs.catalog.domain.product import ProductStatus
from subgraphs.catalog.domain.reservation import ReservationStatus
from subgraphs.kernel.core.events import EventTooEarly, MalformedEvent
from tests.unit.catalog.conftest import World, created, order_event


def levels(world: World, sku: str) -> tuple[int, int, int]:
    p = world.stored(sku)
    return p.on_hand, p.reserved, p.available


async def test_an_order_is_reserved_whole_and_only_once(world: World) -> None:
    await world.product("SKU-LAMP", 5)
    await world.product("SKU-BULB", 5)
    order = created("ord-1", SKU_LAMP=2, SKU_BULB=5)

    first = await world.usecases.reserve_stock(order)
    again = await world.usecases.reserve_stock(order)  # redelivered
    other_copy = await world.usecases.reserve_stock(created("ord-1", SKU_LAMP=2, SKU_BULB=5))

    assert first is not None
    assert first.status is ReservationStatus.RESERVED
    assert again is None
    assert other_copy is None
    assert levels(world, "SKU-LAMP") == (5, 2, 3)
    assert levels(world, "SKU-BULB") == (5, 5, 0)
    assert world.payloads("stock.reserved") == [
        {
            "order_id": "ord-1",
            "user_id": "cust-1",
            "items": [{"sku": "SKU-BULB", "quantity": 5}, {"sku": "SKU-LAMP", "quantity": 2}],
        }
    ]
    kinds = [(m.kind, m.order_id) for m in world.products.movements[-2:]]
    assert kinds == [("RESERVED", "ord-1"), ("RESERVED", "ord-1")]


async def test_one_short_line_rejects_the_whole_order_and_holds_nothing(world: World) -> None:
    await world.product("SKU-LAMP", 5)
    await world.product("SKU-BULB", 1)
    await world.product("SKU-OLD", 9)
    await world.usecases.edit_products.archive("staff-1", "SKU-OLD")
    world.uow.events.clear()
    order = created("ord-1", SKU_LAMP=2, SKU_BULB=3, SKU_OLD=1, SKU_NONE=1)

    refused = await world.usecases.reserve_stock(order)
    await world.usecases.reserve_stock(order)

    assert refused is not None
    assert refused.status is ReservationStatus.REJECTED
    assert levels(world, "SKU-LAMP") == (5, 0, 5)
    assert levels(world, "SKU-BULB") == (1, 0, 1)
    assert world.event_types() == ["stock.rejected"]
    assert world.payloads("stock.rejected")[0]["short"] == [
        {"sku": "SKU-BULB", "requested": 3, "available": 1, "reason": "out_of_stock"},
        {"sku": "SKU-NONE", "requested": 1, "available": 0, "reason": "unknown"},
        {"sku": "SKU-OLD", "requested": 1, "available": 0, "reason": "archived"},
    ]


async def test_paid_commits_once_and_the_units_leave(world: World) -> None:
    await world.product("SKU-LAMP", 5)
    await world.usecases.reserve_stock(created("ord-1", SKU_LAMP=2))
    paid = order_event("orders.paid")

    await world.usecases.settle_stock.commit(paid)
    await world.usecases.settle_stock.commit(paid)
    await world.usecases.settle_stock.release(order_event("orders.cancelled"))  # too late

    assert world.reservation("ord-1").status is ReservationStatus.COMMITTED
    assert levels(world, "SKU-LAMP") == (3, 0, 3)
    assert world.event_types() == ["stock.reserved", "stock.committed"]


async def test_paid_before_reserved_waits_for_the_reservation(world: World) -> None:
    await world.product("SKU-LAMP", 5)
    with pytest.raises(EventTooEarly):
        await world.usecases.settle_stock.commit(order_event("orders.paid"))
    assert world.event_types() == []


async def test_cancelled_releases_with_its_reason_once(world: World) -> None:
    await world.product("SKU-LAMP", 5)
    await world.usecases.reserve_stock(created("ord-1", SKU_LAMP=2))
    cancelled = order_event("orders.cancelled", reason="expired")

    await world.usecases.settle_stock.release(cancelled)
    await world.usecases.settle_stock.release(cancelled)
    await world.usecases.settle_stock.commit(order_event("orders.paid"))  # after the release

    assert world.reservation("ord-1").status is ReservationStatus.RELEASED
    assert levels(world, "SKU-LAMP") == (5, 0, 5)
    assert world.payloads("stock.released") == [
        {"order_id": "ord-1", "user_id": "cust-1", "reason": "expired"}
    ]
    assert world.event_types() == ["stock.reserved", "stock.released"]


async def test_a_cancellation_before_the_order_leaves_a_tombstone(world: World) -> None:
    await world.product("SKU-LAMP", 5)

    await world.usecases.settle_stock.release(order_event("orders.cancelled"))
    late = await world.usecases.reserve_stock(created("ord-1", SKU_LAMP=2))

    assert late is None
    assert world.reservation("ord-1").status is ReservationStatus.RELEASED
    assert world.reservation("ord-1").items == ()
    assert levels(world, "SKU-LAMP") == (5, 0, 5)
    assert world.event_types() == []


async def test_a_refund_with_restock_returns_the_units_once(world: World) -> None:
    await world.product("SKU-LAMP", 5)
    await world.usecases.reserve_stock(created("ord-1", SKU_LAMP=2))
    await world.usecases.settle_stock.commit(order_event("orders.paid"))
    refund = order_event("payments.refunded", producer="payments", restock=True, actor_id="st-1")

    await world.usecases.settle_stock.restock(refund)
    await world.usecases.settle_stock.restock(refund)
    await world.usecases.settle_stock.restock(
        order_event("payments.refunded", producer="payments", restock=True, actor_id="st-2")
    )

    assert levels(world, "SKU-LAMP") == (5, 0, 5)
    assert world.reservation("ord-1").restocked
    [returned] = world.payloads("stock.adjusted")
    assert (returned["delta"], returned["reason"], returned["actor_id"]) == (2, "RETURNED", "st-1")
    last = world.products.movements[-1]
    assert (last.kind, last.order_id, last.on_hand, last.actor_id) == (
        "RETURNED",
        "ord-1",
        5,
        "st-1",
    )


async def test_a_refund_heard_before_the_commit_returns_the_units_with_the_commit(
    world: World,
) -> None:
    await world.product("SKU-LAMP", 5)
    await world.product("SKU-BULB", 3)
    await world.usecases.reserve_stock(created("ord-1", SKU_LAMP=2, SKU_BULB=1))
    refund = order_event("payments.refunded", producer="payments", restock=True, actor_id="st-1")

    pending = await world.usecases.settle_stock.restock(refund)  # payments' stream was faster
    await world.usecases.settle_stock.restock(refund)  # redelivered
    await world.usecases.settle_stock.restock(
        order_event("payments.refunded", producer="payments", restock=True, actor_id="st-2")
    )
    assert pending is not None
    assert pending.restock_pending
    assert levels(world, "SKU-LAMP") == (5, 2, 3)
    assert world.event_types() == ["stock.reserved"]

    committed = await world.usecases.settle_stock.commit(order_event("orders.paid"))
    await world.usecases.settle_stock.commit(order_event("orders.paid"))

    assert committed is not None
    assert world.reservation("ord-1").status is ReservationStatus.COMMITTED
    assert world.reservation("ord-1").restocked
    assert levels(world, "SKU-LAMP") == (5, 0, 5)
    assert levels(world, "SKU-BULB") == (3, 0, 3)
    assert world.event_types() == [
        "stock.reserved", "stock.committed", "stock.adjusted", "stock.adjusted"
    ]  # fmt: skip
    returned = [(m.sku, m.on_hand_delta, m.actor_id) for m in world.products.movements[-2:]]
    assert (sorted(returned), [m.kind for m in world.products.movements[-2:]]) == (
        [("SKU-BULB", 1, "st-1"), ("SKU-LAMP", 2, "st-1")],
        ["RETURNED", "RETURNED"],
    )
    assert [p["actor_id"] for p in world.payloads("stock.adjusted")] == ["st-1", "st-1"]


async def test_a_refund_before_any_reservation_waits(world: World) -> None:
    refund = order_event("payments.refunded", producer="payments", restock=True, actor_id="st-1")
    with pytest.raises(EventTooEarly):
        await world.usecases.settle_stock.restock(refund)


async def test_a_refund_without_restock_keeps_the_stock(world: World) -> None:
    await world.product("SKU-LAMP", 5)
    await world.usecases.reserve_stock(created("ord-1", SKU_LAMP=2))
    await world.usecases.settle_stock.commit(order_event("orders.paid"))

    await world.usecases.settle_stock.restock(
        order_event("payments.refunded", producer="payments", restock=False)
    )
    assert levels(world, "SKU-LAMP") == (3, 0, 3)
    assert not world.reservation("ord-1").restocked


async def test_an_archived_product_keeps_its_reservations(world: World) -> None:
    await world.product("SKU-LAMP", 5)
    await world.usecases.reserve_stock(created("ord-1", SKU_LAMP=2))
    await world.usecases.edit_products.archive("staff-1", "SKU-LAMP")
    await world.usecases.settle_stock.commit(order_event("orders.paid"))
    assert world.stored("SKU-LAMP").status is ProductStatus.ARCHIVED
    assert levels(world, "SKU-LAMP") == (3, 0, 3)


async def test_an_order_without_lines_is_malformed(world: World) -> None:
    with pytest.raises(MalformedEvent):
        await world.usecases.reserve_stock(order_event("orders.created"))
