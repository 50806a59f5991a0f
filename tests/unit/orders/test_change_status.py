"""Moving orders through the status machine: cancelled by their owner, or by payment events."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.events import EventTooEarly
from subgraphs.orders.domain.order import IllegalTransition, OrderStatus
from tests.unit.orders.conftest import payment_event


async def test_cancel_moves_a_pending_order_to_cancelled_with_its_event(world):
    order = await world.place()

    cancelled = await world.usecases.cancel_order("u-1", order.id)

    assert (cancelled.status, cancelled.version) == (OrderStatus.CANCELLED, 2)
    assert world.stored(order.id) == cancelled
    assert world.event_types() == ["orders.created", "orders.cancelled"]
    assert world.uow.events[-1].payload["previous_status"] == "PENDING"


async def test_cancel_of_someone_elses_order_is_not_found_and_changes_nothing(world):
    order = await world.place("u-1")

    with pytest.raises(DomainError) as error:
        await world.usecases.cancel_order("u-2", order.id)

    assert [p.code for p in error.value.problems] == ["ORDER_NOT_FOUND"]

    assert world.stored(order.id).status is OrderStatus.PENDING
    assert world.event_types() == ["orders.created"]


async def test_cancel_of_a_missing_or_paid_order_is_a_user_error(world):
    with pytest.raises(DomainError) as missing:
        await world.usecases.cancel_order("u-1", "no-such-order")
    assert [p.code for p in missing.value.problems] == ["ORDER_NOT_FOUND"]

    order = await world.place()
    await world.usecases.apply_payment_event(payment_event("succeeded", order.id))
    with pytest.raises(IllegalTransition):
        await world.usecases.cancel_order("u-1", order.id)
    assert world.stored(order.id).status is OrderStatus.PAID


async def test_a_payment_event_is_applied_once(world):
    order = await world.place()
    event = payment_event("succeeded", order.id)

    await world.usecases.apply_payment_event(event)
    await world.usecases.apply_payment_event(event)

    assert (world.stored(order.id).status, world.stored(order.id).version) == (
        OrderStatus.PAID,
        2,
    )
    assert world.event_types() == ["orders.created", "orders.paid"]
    assert world.uow.events[-1].payload["payment_id"] == "p-1"
    assert world.ignored == []


async def test_a_failed_payment_records_the_reason(world):
    order = await world.place()

    await world.usecases.apply_payment_event(
        payment_event("failed", order.id, reason="card_declined")
    )

    assert world.stored(order.id).status is OrderStatus.PAYMENT_FAILED
    assert world.uow.events[-1].payload["reason"] == "card_declined"


async def test_a_refund_that_overtakes_its_payment_is_retried_until_the_payment_applied(world):
    order = await world.place()
    refund = payment_event("refunded", order.id, event_id="e-refund")

    with pytest.raises(EventTooEarly):
        await world.usecases.apply_payment_event(refund)
    assert world.stored(order.id).status is OrderStatus.PENDING
    assert not await world.uow.applied("e-refund")  # free for the consumer's retry

    await world.usecases.apply_payment_event(payment_event("succeeded", order.id))
    await world.usecases.apply_payment_event(refund)

    assert world.stored(order.id).status is OrderStatus.REFUNDED
    assert world.event_types() == ["orders.created", "orders.paid", "orders.refunded"]
    assert world.ignored == []


async def test_events_the_status_machine_refuses_are_ignored_and_counted(world):
    order = await world.place()
    await world.usecases.apply_payment_event(payment_event("succeeded", order.id, event_id="e-1"))

    await world.usecases.apply_payment_event(payment_event("failed", order.id, event_id="e-2"))
    await world.usecases.apply_payment_event(payment_event("succeeded", "no-such", event_id="e-3"))

    assert world.stored(order.id).status is OrderStatus.PAID
    assert world.ignored == ["payments.failed", "payments.succeeded"]
