"""The status timeline: who caused each change and why, appended with the change itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.orders.domain.order import Actor, ActorKind, IllegalTransition, OrderStatus
from tests.unit.orders.conftest import payment_event

S = OrderStatus


def steps(order):
    return [(e.status, e.actor.kind, e.actor.id, e.reason) for e in order.history]


async def test_an_order_is_placed_pending_by_its_customer(world):
    order = await world.place("u-1")

    assert world.stored(order.id).timeline == order.history
    assert steps(order) == [(S.PENDING, ActorKind.CUSTOMER, "u-1", None)]
    assert order.history[0].at == order.created_at


async def test_payment_events_are_the_systems_and_a_staff_refund_names_its_actor(world):
    order = await world.place("u-1")
    await world.usecases.apply_payment_event(payment_event("failed", order.id, "e-1", reason="x"))
    await world.usecases.apply_payment_event(payment_event("succeeded", order.id, "e-2"))
    refund = payment_event("refunded", order.id, "e-3", actor_id="staff-1", reason="damaged")
    await world.usecases.apply_payment_event(refund)
    await world.usecases.apply_payment_event(refund)  # delivered again: nothing appended twice

    stored = world.stored(order.id)
    assert steps(stored) == [
        (S.PENDING, ActorKind.CUSTOMER, "u-1", None),
        (S.PAYMENT_FAILED, ActorKind.SYSTEM, None, "x"),
        (S.PAID, ActorKind.SYSTEM, None, None),
        (S.REFUNDED, ActorKind.STAFF, "staff-1", "damaged"),
    ]
    assert [e.at for e in stored.history] == sorted(e.at for e in stored.history)
    assert stored.history[-1].at == stored.updated_at


async def test_a_refund_without_an_actor_is_the_systems(world):
    order = await world.place()
    await world.usecases.apply_payment_event(payment_event("succeeded", order.id, "e-1"))
    await world.usecases.apply_payment_event(payment_event("refunded", order.id, "e-2"))

    assert steps(world.stored(order.id))[-1] == (S.REFUNDED, ActorKind.SYSTEM, None, None)


async def test_a_customer_cancel_is_the_customers_and_its_event_names_no_staff(world):
    order = await world.place("u-1")

    await world.usecases.cancel_order("u-1", order.id)

    assert steps(world.stored(order.id))[-1] == (S.CANCELLED, ActorKind.CUSTOMER, "u-1", None)
    payload = world.uow.events[-1].payload
    assert (payload["actor_id"], payload["reason"]) == (None, None)


async def test_staff_cancel_any_customers_unpaid_order_with_a_reason(world):
    order = await world.place("u-1")

    cancelled = await world.usecases.cancel_order.by_staff("staff-1", order.id, "  fraud  ")

    assert cancelled.status is S.CANCELLED
    assert world.stored(order.id) == cancelled
    assert steps(cancelled)[-1] == (S.CANCELLED, ActorKind.STAFF, "staff-1", "fraud")
    event = world.uow.events[-1]
    assert event.type == "orders.cancelled"
    assert (event.payload["actor_id"], event.payload["reason"]) == ("staff-1", "fraud")
    assert event.payload["user_id"] == "u-1"


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "REASON_REQUIRED"), ("   ", "REASON_REQUIRED"), ("x" * 501, "REASON_TOO_LONG")],
)
async def test_staff_cancel_needs_a_reason_and_changes_nothing_without(world, reason, code):
    order = await world.place()

    with pytest.raises(DomainError) as error:
        await world.usecases.cancel_order.by_staff("staff-1", order.id, reason)

    assert [p.code for p in error.value.problems] == [code]
    assert world.stored(order.id) == order
    assert world.event_types() == ["orders.created"]


async def test_staff_cancel_of_a_missing_or_paid_order_is_refused_and_changes_nothing(world):
    with pytest.raises(DomainError) as missing:
        await world.usecases.cancel_order.by_staff("staff-1", "no-such-order", "fraud")
    assert [p.code for p in missing.value.problems] == ["ORDER_NOT_FOUND"]

    order = await world.place()
    await world.usecases.apply_payment_event(payment_event("succeeded", order.id))
    paid = world.stored(order.id)
    with pytest.raises(IllegalTransition) as refused:
        await world.usecases.cancel_order.by_staff("staff-1", order.id, "fraud")
    assert [p.code for p in refused.value.problems] == ["INVALID_TRANSITION"]
    assert world.stored(order.id) == paid


async def test_an_order_stored_before_timelines_answers_a_derived_one_and_keeps_it(world):
    placed = await world.place("u-1")
    old = replace(placed, timeline=())
    assert steps(old) == [(S.PENDING, ActorKind.CUSTOMER, "u-1", None)]

    later = placed.updated_at + timedelta(hours=1)
    paid_old = replace(old, status=S.PAID, version=2, updated_at=later)
    assert [(e.status, e.at, e.actor) for e in paid_old.history] == [
        (S.PENDING, placed.created_at, Actor.customer("u-1")),
        (S.PAID, later, Actor(ActorKind.SYSTEM)),
    ]

    world.orders.by_id[placed.id] = paid_old
    await world.usecases.apply_payment_event(payment_event("refunded", placed.id))
    stored = world.stored(placed.id)
    assert [e.status for e in stored.timeline] == [S.PENDING, S.PAID, S.REFUNDED]
