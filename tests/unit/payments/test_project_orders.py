"""The orders projection: newest version wins, once per event, cancellations compensated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.events import Event
from subgraphs.payments.domain.order_view import MalformedOrderEvent, OrderState
from subgraphs.payments.domain.payment import PaymentStatus, start_payment
from subgraphs.payments.usecase.project_orders import PaymentInFlight
from tests.unit.payments.conftest import World, pay


def orders_event(type_: str, status: str, version: int, **extra) -> Event:
    payload = {
        "order_id": "o-1",
        "user_id": "u-1",
        "status": status,
        "order_version": version,
        "currency": "USD",
        "total": "0.30",
        **extra,
    }
    return Event.create(type_, payload, producer="orders", occurred_at=datetime.now(UTC))


CREATED = orders_event("orders.created", "PENDING", 1, items=[])
CANCELLED = orders_event("orders.cancelled", "CANCELLED", 2, previous_status="PENDING")
REJECTED = orders_event("orders.rejected", "REJECTED", 2, previous_status="PENDING", short=[])
RESERVED = Event.create(
    "stock.reserved",
    {"order_id": "o-1", "user_id": "u-1", "items": [{"sku": "SKU-MUG", "quantity": 1}]},
    producer="catalog",
    occurred_at=datetime.now(UTC),
)


async def test_an_order_is_payable_once_created_and_its_stock_reserved(world: World):
    await world.project(CREATED)

    view = await world.orders.get("o-1")
    assert view is not None
    assert (view.user_id, view.total.amount, view.status) == ("u-1", Decimal("0.30"), "PENDING")
    with pytest.raises(DomainError) as error:
        await world.process("u-1", pay())
    assert [(p.code, p.retryable) for p in error.value.problems] == [
        ("STOCK_NOT_RESERVED_YET", True)
    ]
    assert world.provider.charges == 0
    assert world.payments.by_id == {}

    await world.project_stock(RESERVED)

    assert (await world.process("u-1", pay())).status is PaymentStatus.SUCCEEDED


async def test_stock_reserved_before_orders_created_is_kept(world: World):
    await world.project_stock(RESERVED)  # another stream: it may overtake orders.created
    assert await world.orders.get("o-1") is None

    await world.project(CREATED)

    view = await world.orders.get("o-1")
    assert view is not None
    assert view.stock_reserved
    assert (await world.process("u-1", pay())).status is PaymentStatus.SUCCEEDED


async def test_a_rejected_order_cannot_be_paid(world: World):
    await world.project(CREATED)
    await world.project(REJECTED)

    with pytest.raises(DomainError) as error:
        await world.process("u-1", pay())
    assert [p.code for p in error.value.problems] == ["ORDER_REJECTED"]
    assert world.provider.charges == 0


async def test_a_late_older_event_does_not_undo_a_newer_one(world: World):
    await world.project(CANCELLED)
    await world.project(CREATED)  # delivered late (e.g. retried)

    view = await world.orders.get("o-1")
    assert view is not None
    assert (view.status, view.version) == (OrderState.CANCELLED, 2)


async def test_an_event_is_applied_once(world: World):
    await world.project(CREATED)
    world.order(status=OrderState.PAID, version=5)  # changed since

    await world.project(CREATED)  # redelivered

    view = await world.orders.get("o-1")
    assert view is not None
    assert view.version == 5


async def test_cancelling_a_paid_order_refunds_its_charge_once(world: World):
    await world.project(CREATED)
    await world.project_stock(RESERVED)
    payment = await world.process("u-1", pay())

    await world.project(CANCELLED)
    await world.project(CANCELLED)  # redelivered

    assert world.payments.by_id[payment.id].status is PaymentStatus.REFUNDED
    assert world.provider.refunds == 1


async def test_a_cancellation_waits_for_a_payment_in_flight(world: World):
    await world.project(CREATED)
    await world.project_stock(RESERVED)
    order = await world.orders.get("o-1")
    assert order is not None
    now = world.time()
    await world.payments.add(
        start_payment(
            payment_id="p-flying",
            user_id="u-1",
            request=pay(),
            order=order,
            now=now,
            lease_until=now + timedelta(seconds=30),
        )
    )

    with pytest.raises(PaymentInFlight):
        await world.project(CANCELLED)  # stays pending; redelivered later


async def test_a_payload_without_the_needed_fields_is_malformed(world: World):
    event = Event.create(
        "orders.created", {"order_id": "o-1"}, producer="orders", occurred_at=datetime.now(UTC)
    )
    with pytest.raises(MalformedOrderEvent):
        await world.project(event)
