"""The Order aggregate: pricing from the price list, the status machine."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.orders.domain.order import (
    IllegalTransition,
    OrderLine,
    OrderStatus,
    created_payload,
    place_order,
    status_payload,
)
from testkit.orders import SEED_PRODUCTS

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PRODUCTS = {p.sku: p for p in SEED_PRODUCTS}
S = OrderStatus


def order_of(*lines: OrderLine, currency: str = "USD"):
    return place_order(
        order_id="o-1", user_id="u-1", lines=lines, currency=currency, products=PRODUCTS, now=NOW
    )


def test_an_order_is_priced_from_the_price_list_exactly():
    order = order_of(OrderLine("SKU-STICKER", 3), OrderLine("SKU-MUG", 1))
    assert order.total.amount == Decimal("12.30")
    assert [str(i.line_total.amount) for i in order.items] == ["0.30", "12.00"]
    assert (order.status, order.version) == (S.PENDING, 1)


def test_the_same_sku_twice_is_one_item():
    order = order_of(OrderLine("SKU-MUG", 1), OrderLine("SKU-MUG", 2))
    assert [(i.sku, i.quantity) for i in order.items] == [("SKU-MUG", 3)]


def test_prices_follow_the_currency():
    assert order_of(OrderLine("SKU-MUG", 2), currency="EUR").total.amount == Decimal("22.00")


def test_every_bad_line_is_reported():
    with pytest.raises(DomainError) as error:
        order_of(OrderLine("SKU-MUG", 0), OrderLine("SKU-CAP", 1000), currency="XYZ")
    assert [(p.code, p.field) for p in error.value.problems] == [
        ("INVALID_QUANTITY", ("items", "0", "quantity")),
        ("INVALID_QUANTITY", ("items", "1", "quantity")),
        ("UNSUPPORTED_CURRENCY", ("currency",)),
    ]


def test_merged_lines_over_the_quantity_cap_are_refused():
    with pytest.raises(DomainError) as error:
        order_of(OrderLine("SKU-MUG", 600), OrderLine("SKU-MUG", 600))
    assert [p.code for p in error.value.problems] == ["INVALID_QUANTITY"]


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (S.PENDING, S.PAID, True),
        (S.PENDING, S.PAYMENT_FAILED, True),
        (S.PENDING, S.CANCELLED, True),
        (S.PENDING, S.REFUNDED, False),
        (S.PAYMENT_FAILED, S.PAID, True),
        (S.PAYMENT_FAILED, S.CANCELLED, True),
        (S.PAYMENT_FAILED, S.REFUNDED, False),
        (S.PAID, S.REFUNDED, True),
        (S.PAID, S.CANCELLED, False),
        (S.PAID, S.PAID, False),
        (S.CANCELLED, S.PAID, False),
        (S.REFUNDED, S.PAID, False),
        (S.PENDING, S.REJECTED, True),
        (S.PAYMENT_FAILED, S.REJECTED, False),
        (S.PAID, S.REJECTED, False),
        (S.REJECTED, S.PAID, False),
        (S.REJECTED, S.CANCELLED, False),
    ],
)
def test_the_status_machine(start, target, allowed):
    order = order_of(OrderLine("SKU-MUG", 1))
    for step in {
        S.PENDING: [],
        S.PAYMENT_FAILED: [S.PAYMENT_FAILED],
        S.PAID: [S.PAID],
        S.CANCELLED: [S.CANCELLED],
        S.REFUNDED: [S.PAID, S.REFUNDED],
        S.REJECTED: [S.REJECTED],
    }[start]:
        order = order.transition(step, NOW, **_details(step))
    if allowed:
        changed = order.transition(target, NOW, **_details(target))
        assert (changed.status, changed.version) == (target, order.version + 1)
    else:
        with pytest.raises(IllegalTransition):
            order.transition(target, NOW)


def _details(status: S) -> dict[str, Any]:
    """What `orders.rejected` declares beyond the status fields (no other status needs any)."""
    return {"reason": "out of stock", "extra": {"short": []}} if status is S.REJECTED else {}


def test_event_payloads_carry_exact_amounts_as_strings():
    order = order_of(OrderLine("SKU-STICKER", 3))
    created = created_payload(order)
    assert created["total"] == "0.30"
    assert created["items"][0]["unit_price"] == "0.10"
    paid = status_payload(order.transition(S.PAID, NOW), S.PENDING, payment_id="p-1", reason=None)
    assert paid == {
        "order_id": "o-1",
        "user_id": "u-1",
        "status": "PAID",
        "previous_status": "PENDING",
        "order_version": 2,
        "currency": "USD",
        "total": "0.30",
        "payment_id": "p-1",
    }


def test_changes_since_are_those_strictly_after_since_placement_excluded():
    order = order_of(OrderLine("SKU-MUG", 1))
    failed = order.transition(S.PAYMENT_FAILED, NOW + timedelta(seconds=1))
    paid = failed.transition(S.PAID, NOW + timedelta(seconds=2))

    def changes(since: datetime) -> list[tuple[S, S, datetime]]:
        return [(left, entry.status, entry.at) for left, entry in paid.changes_since(since)]

    assert changes(NOW - timedelta(seconds=1)) == [
        (S.PENDING, S.PAYMENT_FAILED, failed.updated_at),
        (S.PAYMENT_FAILED, S.PAID, paid.updated_at),
    ]
    # A `since` equal to a change's time is a client that knows it: only what came after.
    assert changes(failed.updated_at) == [(S.PAYMENT_FAILED, S.PAID, paid.updated_at)]
    assert changes(failed.updated_at - timedelta(milliseconds=1))[0][1] is S.PAYMENT_FAILED
    assert changes(paid.updated_at) == []


def test_changes_since_of_an_order_stored_without_a_timeline_come_from_its_derived_history():
    later = NOW + timedelta(hours=1)
    placed = order_of(OrderLine("SKU-MUG", 1))
    old = replace(placed, status=S.PAID, version=2, updated_at=later, timeline=())

    assert [(left, e.status, e.at) for left, e in old.changes_since(NOW)] == [
        (S.PENDING, S.PAID, later)
    ]
    assert old.changes_since(later) == []


@pytest.mark.parametrize("behind", [timedelta(0), timedelta(milliseconds=1), timedelta(seconds=5)])
def test_a_change_not_later_than_the_last_one_is_timed_one_millisecond_after_it(behind):
    failed_at = NOW + timedelta(seconds=1)
    order = order_of(OrderLine("SKU-MUG", 1)).transition(S.PAYMENT_FAILED, failed_at)
    assert order.updated_at == failed_at
    # Handled by a replica whose clock is behind (or within the same millisecond).
    paid = order.transition(S.PAID, failed_at - behind)

    after = failed_at + timedelta(milliseconds=1)
    assert paid.updated_at == paid.history[-1].at == after
    # The event carries the time the timeline keeps: a client echoing it back as `since`
    # is exactly caught up.
    assert [event.occurred_at for event in paid.events] == [after]
    assert [e.status for _, e in paid.changes_since(failed_at)] == [S.PAID]


def test_a_later_now_is_the_changes_time_and_a_stock_reservation_keeps_times_increasing():
    order = order_of(OrderLine("SKU-MUG", 1))
    reserved = order.reserve_stock(NOW - timedelta(seconds=5))
    assert reserved is not None
    assert reserved.updated_at == NOW + timedelta(milliseconds=1)

    later = NOW + timedelta(seconds=3)
    paid = reserved.transition(S.PAID, later)
    assert paid.updated_at == paid.history[-1].at == paid.events[0].occurred_at == later
