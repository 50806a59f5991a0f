"""Payments' view of an order: built from the orders events exactly, newest version wins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from subgraphs.kernel.core.events import MalformedEvent
from subgraphs.kernel.core.money import Money
from subgraphs.payments.domain.order_view import MalformedOrderEvent, OrderState, OrderView
from tests.unit.payments.conftest import NOW, view

CREATED = {
    "order_id": "o-1",
    "user_id": "u-1",
    "status": "PENDING",
    "order_version": 1,
    "currency": "USD",
    "total": "0.30",
    "items": [{"sku": "SKU-STICKER", "name": "Sticker", "quantity": 3, "unit_price": "0.10"}],
}


def test_the_view_of_an_order_comes_from_its_created_event_exactly():
    order = OrderView.from_event(CREATED, NOW)

    assert order == OrderView(
        "o-1", "u-1", Money(Decimal("0.30"), "USD"), OrderState.PENDING, 1, NOW
    )
    assert not order.cancelled


@pytest.mark.parametrize(
    "change",
    [
        {"total": "zero"},
        {"total": "-1.00"},
        {"status": "LOST"},
        {"order_version": "1"},
        {"user_id": None},
        {"currency": ""},
    ],
)
def test_an_unusable_orders_event_is_malformed_and_never_retried(change):
    with pytest.raises(MalformedOrderEvent) as error:
        OrderView.from_event({**CREATED, **change}, NOW)
    assert isinstance(error.value, MalformedEvent)  # the consumer dead-letters it at once


def test_a_view_only_replaces_an_older_one():
    cancelled = view(OrderState.CANCELLED, version=2)
    assert cancelled.supersedes(None)
    assert cancelled.supersedes(view(version=1))
    assert not view(version=1).supersedes(cancelled)
    assert not cancelled.supersedes(cancelled)
