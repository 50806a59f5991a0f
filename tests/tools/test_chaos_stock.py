"""The chaos run's stock checks (tools/chaos/stock.py) find each broken invariant, and its
subscribers' rule for a status that came before they were registered."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from tools.chaos.stock import SkuStock, StockCheck, units_per_product, violations
from tools.chaos.watchers import acceptable

# 10 received, 2 returned, 7 committed (one refunded), 1 held: on hand 5, available 4.
SOUND = SkuStock(
    on_hand=5,
    reserved=1,
    available=4,
    came_in=12,
    received=10,
    returned=2,
    adjusted=12,
    committed=7,
    moved_on_hand=5,
    moved_reserved=1,
    held=1,
    sold=7,
)


def check(sku: SkuStock = SOUND, **changes: object) -> StockCheck:
    fields: dict[str, object] = {
        "skus": {"LAMP": sku},
        "reservations": Counter(COMMITTED=7, RESERVED=0, REJECTED=3, RELEASED=2),
        "orders": Counter(PAID=6, REFUNDED=1, REJECTED=3, CANCELLED=2),
        "expired": 2,
        "paid_without_commit": [],
    }
    return StockCheck(**(fields | changes))  # type: ignore[arg-type]


def test_a_sound_stock_breaks_nothing():
    assert violations(check()) == []


def test_each_broken_invariant_is_named():
    assert violations(check(replace(SOUND, available=5))) == [
        "LAMP: available 5, on hand 5, reserved 1"
    ]
    assert violations(check(replace(SOUND, held=0))) == [
        "LAMP: reserved 1, RESERVED reservations 0, movements 1"
    ]
    assert violations(check(replace(SOUND, moved_on_hand=6))) == [
        "LAMP: on hand 5 != initial 0 + adjustments 12 - committed 7"
    ]
    assert violations(check(replace(SOUND, sold=6))) == [
        "LAMP: 7 committed, COMMITTED reservations hold 6"
    ]
    oversold = replace(SOUND, came_in=6, adjusted=6, on_hand=-1, available=-2, moved_on_hand=-1)
    assert "LAMP: oversold, 7 committed of 6 that came in" in violations(check(oversold))
    assert violations(check(paid_without_commit=["o-1"])) == [
        "1 orders paid without a committed reservation, e.g. o-1"
    ]
    leaked = Counter(COMMITTED=7, RESERVED=1, REJECTED=3, RELEASED=1)
    assert violations(check(reservations=leaked)) == [
        "1 reservations still RESERVED",
        "1 RELEASED reservations for 2 CANCELLED orders",
    ]


def test_the_units_are_a_share_of_the_orders_spread_over_the_products():
    assert units_per_product(100, 4, 0.7) == [18, 18, 17, 17]
    assert units_per_product(1000, 4, 0.7) == [175, 175, 175, 175]
    assert units_per_product(2, 4, 0.1) == [1, 1, 1, 1]


def test_a_subscriber_may_miss_only_what_came_before_it_was_registered():
    assert acceptable(("PAID",), "PENDING") == {("PAID",)}
    assert acceptable(("REJECTED",), "PENDING") == {("REJECTED",)}
    assert acceptable(("REJECTED",), "REJECTED") == {("REJECTED",), ()}
    assert acceptable(("PAYMENT_FAILED", "CANCELLED"), "PENDING") == {
        ("PAYMENT_FAILED", "CANCELLED")
    }
