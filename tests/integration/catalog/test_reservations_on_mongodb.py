"""The saga's catalog side on real MongoDB: all or none in one transaction, never oversold."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import pytest

from subgraphs.catalog.domain.product import AdjustmentReason, Product
from subgraphs.catalog.domain.reservation import Item, Reservation, ReservationStatus, tombstone
from subgraphs.catalog.repository.mongo_products import MongoProducts
from subgraphs.catalog.repository.mongo_reservations import MongoReservations
from subgraphs.catalog.usecase.adjust_stock import AdjustStock
from subgraphs.catalog.usecase.reserve_stock import ReserveStock
from subgraphs.kernel.core.clock import to_milliseconds, utc_now
from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.ids import new_id
from tests.integration.catalog.conftest import Stores, new_order_id, order_created, order_event

pytestmark = pytest.mark.integration

USD = [(Decimal("5.00"), "USD")]


async def product(stores: Stores, sku: str, units: int) -> None:
    await stores.usecases.edit_products.create("staff-1", sku, sku, "", USD)
    if units:
        await stores.usecases.adjust_stock("staff-1", sku, units, AdjustmentReason.RECEIVED)


async def levels(stores: Stores, sku: str) -> tuple[int, int, int]:
    doc = await stores.db["products"].find_one({"_id": sku})
    assert doc is not None
    return doc["on_hand"], doc["reserved"], doc["available"]


async def test_fifty_concurrent_orders_on_ten_units_reserve_exactly_ten(stores: Stores) -> None:
    await product(stores, "SKU-LAST", 10)
    orders = [new_order_id() for _ in range(50)]

    outcomes = await asyncio.gather(
        *(stores.usecases.reserve_stock(order_created(o, {"SKU-LAST": 1})) for o in orders)
    )

    statuses = [r.status for r in outcomes if r is not None]
    assert len(statuses) == 50
    assert statuses.count(ReservationStatus.RESERVED) == 10
    assert statuses.count(ReservationStatus.REJECTED) == 40
    assert await levels(stores, "SKU-LAST") == (10, 10, 0)
    held = await stores.db["reservations"].count_documents({"status": "RESERVED"})
    moves = await stores.db["stock_movements"].count_documents({"kind": "RESERVED"})
    assert (held, moves) == (10, 10)


async def test_a_short_line_rolls_back_the_lines_reserved_before_it(stores: Stores) -> None:
    await product(stores, "SKU-A", 5)
    await product(stores, "SKU-B", 1)
    order_id = new_order_id()

    outcome = await stores.usecases.reserve_stock(
        order_created(order_id, {"SKU-A": 2, "SKU-B": 2})  # SKU-A is updated first, then undone
    )

    assert outcome is not None
    assert outcome.status is ReservationStatus.REJECTED
    assert await levels(stores, "SKU-A") == (5, 0, 5)
    assert await levels(stores, "SKU-B") == (1, 0, 1)
    assert await stores.db["stock_movements"].count_documents({"order_id": order_id}) == 0
    [outbox] = await stores.db["outbox"].find({"type": "stock.rejected"}).to_list()
    assert outbox["payload"]["short"] == [
        {"sku": "SKU-B", "requested": 2, "available": 1, "reason": "out_of_stock"}
    ]


class CancelledMeanwhile(MongoReservations):
    """Reservations where the order's cancellation lands right after the `looks`-th look."""

    def __init__(self, stores: Stores, looks: int) -> None:
        super().__init__(stores.db)
        self.looks = looks

    async def get(self, order_id: str) -> Reservation | None:
        found = await super().get(order_id)
        self.looks -= 1
        if found is None and self.looks == 0:
            await self.add(tombstone(order_id, "cust-1", utc_now()))
        return found


@pytest.mark.parametrize(("units", "looks"), [(5, 1), (0, 2)], ids=["fits", "short"])
async def test_a_cancellation_racing_the_reservation_leaves_nothing_held(
    stores: Stores, units: int, looks: int
) -> None:
    await product(stores, "SKU-A", units)
    reservations = CancelledMeanwhile(stores, looks)
    reserve = ReserveStock(stores.products, reservations, stores.uow, utc_now, new_id)
    order_id = new_order_id()
    created = order_created(order_id, {"SKU-A": 2})

    assert await reserve(created) is None

    assert await levels(stores, "SKU-A") == (units, 0, units)
    assert (await stores.reservations.get(order_id)).status is ReservationStatus.RELEASED  # type: ignore[union-attr]
    assert (
        await stores.db["outbox"].count_documents(
            {"type": {"$in": ["stock.reserved", "stock.rejected"]}}
        )
        == 0
    )
    assert not await stores.uow.applied(created.id)


async def test_redelivered_and_reordered_events_change_nothing_twice(stores: Stores) -> None:
    await product(stores, "SKU-A", 5)
    settle = stores.usecases.settle_stock
    order_id, early = new_order_id(), new_order_id()
    created = order_created(order_id, {"SKU-A": 2})

    await asyncio.gather(*(stores.usecases.reserve_stock(created) for _ in range(3)))
    paid = order_event("orders.paid", order_id)
    await asyncio.gather(settle.commit(paid), settle.commit(paid))
    refund = order_event("payments.refunded", order_id, "payments", restock=True, actor_id="s-1")
    await asyncio.gather(settle.restock(refund), settle.restock(refund))
    assert await levels(stores, "SKU-A") == (5, 0, 5)

    await settle.release(order_event("orders.cancelled", early, reason="cancelled"))
    assert await stores.usecases.reserve_stock(order_created(early, {"SKU-A": 1})) is None
    assert await levels(stores, "SKU-A") == (5, 0, 5)

    kinds = [
        m["kind"] async for m in stores.db["stock_movements"].find({"sku": "SKU-A"}).sort("at", 1)
    ]
    assert kinds == ["RECEIVED", "RESERVED", "COMMITTED", "RETURNED"]
    types = [e["type"] async for e in stores.db["outbox"].find({})]
    assert sorted(types) == sorted(
        [
            "catalog.product_changed",
            "stock.adjusted",
            "stock.reserved",
            "stock.committed",
            "stock.adjusted",
        ]
    )


class BusyProducts(MongoProducts):
    """Products so busy that an order reserves a unit right after the next look at them."""

    orders_coming = 0

    async def get_many(self, skus: Sequence[str]) -> list[Product | None]:
        found = await super().get_many(skus)
        if self.orders_coming:
            self.orders_coming -= 1
            for sku in skus:
                await self.hold([Item(sku, 1)], new_order_id(), utc_now(), new_id)
        return found


async def test_staff_adjust_a_busy_product_at_once_from_the_levels_stored(stores: Stores) -> None:
    await product(stores, "SKU-HOT", 5)
    busy = BusyProducts(stores.db)
    adjust = AdjustStock(busy, stores.uow, utc_now, new_id)

    busy.orders_coming = 3  # as many looks as a read-then-write would try: none is needed
    received = await adjust("staff-1", "SKU-HOT", 10, AdjustmentReason.RECEIVED, "pallet")
    busy.orders_coming = 1
    with pytest.raises(DomainError) as error:  # 14 seen, 13 left once an order came in between
        await adjust("staff-1", "SKU-HOT", -14, AdjustmentReason.DAMAGED)

    assert (received.on_hand, received.reserved) == (15, 1)
    assert [p.code for p in error.value.problems] == ["STOCK_BELOW_ZERO"]
    assert "Only 13 units" in error.value.problems[0].message
    assert await levels(stores, "SKU-HOT") == (15, 2, 13)
    [event] = (
        await stores.db["outbox"].find({"type": "stock.adjusted", "payload.delta": 10}).to_list()
    )
    assert (event["payload"]["on_hand"], event["payload"]["reserved"]) == (15, 1)
    [movement] = await stores.db["stock_movements"].find({"note": "pallet"}).to_list()
    assert (movement["on_hand_delta"], movement["on_hand"], movement["reserved"]) == (10, 15, 1)
    assert await stores.db["stock_movements"].count_documents({"kind": "DAMAGED"}) == 0


async def test_a_product_was_last_changed_when_its_stock_last_moved(stores: Stores) -> None:
    await product(stores, "SKU-A", 5)
    settle, order_id = stores.usecases.settle_stock, new_order_id()

    async def updated_at() -> datetime:
        [found] = await stores.products.get_many(["SKU-A"])
        assert found is not None
        return found.updated_at

    held = await stores.usecases.reserve_stock(order_created(order_id, {"SKU-A": 2}))
    assert held is not None
    assert await updated_at() == to_milliseconds(held.updated_at)
    committed = await settle.commit(order_event("orders.paid", order_id))
    assert committed is not None
    assert await updated_at() == to_milliseconds(committed.updated_at)


async def test_a_restock_before_or_racing_the_commit_returns_the_units_once(stores: Stores) -> None:
    await product(stores, "SKU-A", 10)
    settle = stores.usecases.settle_stock
    early, racing = new_order_id(), new_order_id()
    for order_id in (early, racing):
        await stores.usecases.reserve_stock(order_created(order_id, {"SKU-A": 2}))

    refund = order_event("payments.refunded", early, "payments", restock=True, actor_id="s-1")
    await settle.restock(refund)
    await settle.restock(refund)
    await settle.commit(order_event("orders.paid", early))
    refund = order_event("payments.refunded", racing, "payments", restock=True, actor_id="s-2")
    await asyncio.gather(settle.commit(order_event("orders.paid", racing)), settle.restock(refund))

    assert await levels(stores, "SKU-A") == (10, 0, 10)
    returned = await stores.db["stock_movements"].find({"kind": "RETURNED"}).to_list()
    assert sorted((m["order_id"], m["actor_id"], m["on_hand_delta"]) for m in returned) == sorted(
        [(early, "s-1", 2), (racing, "s-2", 2)]
    )
    adjusted = await stores.db["outbox"].find({"type": "stock.adjusted"}).to_list()
    assert sorted(e["payload"]["actor_id"] for e in adjusted) == ["s-1", "s-2", "staff-1"]
