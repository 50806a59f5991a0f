"""Staff edit the catalog: every change is versioned and announced with the staff member's id;
bad input writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from subgraphs.catalog.domain.product import AdjustmentReason, ProductStatus
from subgraphs.catalog.domain.seed import SEED_PRODUCTS
from subgraphs.kernel.core.errors import DomainError
from tests.unit.catalog.conftest import USD, World, created


async def test_create_then_edit_each_change_announced(world: World) -> None:
    edit = world.usecases.edit_products
    await edit.create("staff-1", "sku-lamp", "Lamp", "", USD)
    await edit.update("staff-2", "SKU-LAMP", "Desk lamp", "Bright")
    await edit.change_prices(
        "staff-2", "sku-lamp", [(Decimal("15"), "USD"), (Decimal("14"), "EUR")]
    )
    await edit.archive("staff-2", "SKU-LAMP")
    await edit.restore("staff-3", "SKU-LAMP")

    stored = world.stored("SKU-LAMP")
    assert (stored.name, stored.description, stored.status, stored.version) == (
        "Desk lamp",
        "Bright",
        ProductStatus.ACTIVE,
        5,
    )
    assert dict(stored.prices) == {"USD": Decimal("15.00"), "EUR": Decimal("14.00")}
    changes = world.payloads("catalog.product_changed")
    assert [(c["change"], c["product_version"], c["actor_id"]) for c in changes] == [
        ("created", 1, "staff-1"),
        ("updated", 2, "staff-2"),
        ("prices_changed", 3, "staff-2"),
        ("archived", 4, "staff-2"),
        ("restored", 5, "staff-3"),
    ]
    assert changes[2]["prices"] == {"EUR": "14.00", "USD": "15.00"}


async def test_a_taken_sku_or_a_missing_product_writes_nothing(world: World) -> None:
    edit = world.usecases.edit_products
    await world.product("SKU-LAMP", on_hand=0)

    with pytest.raises(DomainError, match="exists") as taken:
        await edit.create("staff-1", "sku-lamp", "Other", "", USD)
    assert taken.value.problems[0].code == "SKU_TAKEN"
    for attempt in (
        edit.update("staff-1", "SKU-NONE", "x", ""),
        edit.archive("staff-1", "SKU-NONE"),
        world.usecases.adjust_stock("staff-1", "SKU-NONE", 1, AdjustmentReason.RECEIVED),
    ):
        with pytest.raises(DomainError) as missing:
            await attempt
        assert missing.value.problems[0].code == "PRODUCT_NOT_FOUND"
    with pytest.raises(DomainError) as bad:
        await edit.change_prices("staff-1", "SKU-LAMP", [(Decimal("-1"), "USD")])
    assert bad.value.problems[0].code == "INVALID_PRICE"
    assert world.stored("SKU-LAMP").name == "Lamp"
    assert world.uow.events == []


async def test_adjust_stock_records_a_movement_and_never_goes_below_reserved(world: World) -> None:
    await world.product("SKU-LAMP", on_hand=5)
    await world.usecases.reserve_stock(created("ord-1", SKU_LAMP=4))

    with pytest.raises(DomainError) as below:
        await world.usecases.adjust_stock("staff-1", "SKU-LAMP", -2, AdjustmentReason.DAMAGED)
    assert below.value.problems[0].code == "STOCK_BELOW_ZERO"

    product = await world.usecases.adjust_stock(
        "staff-1", "SKU-LAMP", -1, AdjustmentReason.COUNTED, "recount"
    )
    assert (product.on_hand, product.reserved, product.available) == (4, 4, 0)
    [adjusted] = world.payloads("stock.adjusted")
    assert adjusted == {
        "sku": "SKU-LAMP",
        "delta": -1,
        "reason": "COUNTED",
        "note": "recount",
        "on_hand": 4,
        "reserved": 4,
        "actor_id": "staff-1",
    }
    last = world.products.movements[-1]
    assert (last.kind, last.on_hand_delta, last.on_hand, last.reserved, last.actor_id) == (
        "COUNTED",
        -1,
        4,
        4,
        "staff-1",
    )


async def test_seeding_inserts_what_is_missing_once_and_leaves_edits_alone(world: World) -> None:
    await world.usecases.seed_products(SEED_PRODUCTS[:1], 7)
    await world.usecases.edit_products.update("staff-1", SEED_PRODUCTS[0].sku, "Edited", "")

    inserted = await world.usecases.seed_products(SEED_PRODUCTS, 7)
    again = await world.usecases.seed_products(SEED_PRODUCTS, 7)

    assert (inserted, again) == (len(SEED_PRODUCTS) - 1, 0)
    assert world.stored(SEED_PRODUCTS[0].sku).name == "Edited"
    assert {p.on_hand for p in world.products.by_sku.values()} == {7}
    seeded = [c for c in world.payloads("catalog.product_changed") if c["change"] == "seeded"]
    assert sorted(c["sku"] for c in seeded) == sorted(s.sku for s in SEED_PRODUCTS)
    assert {c["actor_id"] for c in seeded} == {None}
    assert world.stored("SKU-TEE").prices["USD"] == Decimal("19.90")


async def test_every_product_is_announced_again_at_its_version(world: World) -> None:
    await world.product("SKU-LAMP", 3)
    await world.product("SKU-BULB", 0)
    await world.usecases.edit_products.archive("staff-1", "SKU-BULB")
    world.uow.events.clear()

    announced = await world.usecases.announce_products()

    assert announced == 2
    snapshots = world.payloads("catalog.product_changed")
    assert [(s["sku"], s["product_version"], s["status"], s["change"]) for s in snapshots] == [
        ("SKU-BULB", 2, "ARCHIVED", "snapshot"),
        ("SKU-LAMP", 1, "ACTIVE", "snapshot"),
    ]
    assert {s["actor_id"] for s in snapshots} == {None}
