"""Staff actions of other contexts, recorded from their events: once per event, one entry per
approved refund request, nothing for what no staff member did."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from subgraphs.kernel.core.events import Event
from subgraphs.orders.domain.events import CANCELLED
from subgraphs.users.usecase.events_read import EVENTS_READ
from tests.unit.users.conftest import World

AT = datetime(2026, 3, 1, 13, 0, tzinfo=UTC)


def event(type: str, producer: str = "payments", **payload: Any) -> Event:
    made = Event.create(type, payload, producer=producer, occurred_at=AT)
    return replace(made, correlation_id="corr-1")


def refund_event(type: str, **extra: Any) -> Event:
    return event(
        type, request_id="rq-1", payment_id="pay-1", order_id="ord-1", user_id="cust-1", **extra
    )


async def test_a_staff_cancellation_is_recorded_once_a_customers_not_at_all(world: World):
    cancelled = event(
        "orders.cancelled", "orders", order_id="ord-1", actor_id="staff-1", reason="fraud"
    )
    record = world.usecases.staff.record_event

    await record(cancelled)
    await record(cancelled)  # redelivered
    await record(event("orders.cancelled", "orders", order_id="ord-2", actor_id=None))

    [entry] = world.staff_store.actions
    assert (entry.action, entry.actor_id, entry.subject_id, entry.reason) == (
        "orders.cancelled",
        "staff-1",
        "ord-1",
        "fraud",
    )
    assert (entry.correlation_id, entry.occurred_at, entry.details) == (
        "corr-1",
        AT,
        {"order_id": "ord-1"},
    )


async def test_a_staff_cancellation_as_the_consumer_hands_it_over_keeps_its_currency(
    world: World,
):
    full = CANCELLED(
        {
            "order_id": "ord-1",
            "user_id": "cust-1",
            "status": "CANCELLED",
            "previous_status": "PENDING",
            "order_version": 2,
            "currency": "EUR",
            "total": "9.90",
            "actor_id": "staff-1",
            "reason": "fraud",
        },
        AT,
    ).envelope("orders")

    await world.usecases.staff.record_event(EVENTS_READ.project(full))

    [entry] = world.staff_store.actions
    assert entry.details == {"order_id": "ord-1", "currency": "EUR"}


async def test_an_approved_request_is_one_entry_whichever_event_comes_first(world: World):
    refunded = event(
        "payments.refunded",
        payment_id="pay-1",
        order_id="ord-1",
        actor_id="staff-1",
        reason="Refund request approved",
        amount="9.99",
        currency="USD",
    )
    approved = refund_event(
        "payments.refund_approved",
        actor_id="staff-1",
        reason="Refund request approved",
        request_reason="broken",
    )
    record = world.usecases.staff.record_event

    await record(refunded)
    await record(approved)
    await record(refunded)  # redelivered late: the approval stays

    [entry] = world.staff_store.actions
    assert (entry.action, entry.subject_id) == ("payments.refund_approved", "rq-1")
    assert entry.details["order_id"] == "ord-1"
    # The customer's words are the request's, not the staff member's reason.
    assert (entry.reason, entry.details["request_reason"]) == ("Refund request approved", "broken")

    world.staff_store.actions.clear()
    await record(refund_event("payments.refund_approved", actor_id="staff-2", reason="x"))
    await record(
        event("payments.refunded", payment_id="pay-1", order_id="ord-1", actor_id="staff-2")
    )
    assert [a.action for a in world.staff_store.actions] == ["payments.refund_approved"]


async def test_a_decline_and_a_staff_refund_are_recorded_a_system_refund_is_not(world: World):
    record = world.usecases.staff.record_event
    await record(refund_event("payments.refund_declined", actor_id="staff-1", reason="used"))
    await record(
        event("payments.refunded", payment_id="pay-2", order_id="ord-2", actor_id="staff-1")
    )
    await record(event("payments.refunded", payment_id="pay-3", order_id="ord-3", actor_id=None))

    actions = [(a.action, a.subject_id, a.reason) for a in world.staff_store.actions]
    assert actions == [
        ("payments.refund_declined", "rq-1", "used"),
        ("payments.refunded", "ord-2", None),
    ]
    page = await world.usecases.staff.read_activity(10, actor_id="staff-1")
    assert len(page.actions) == 2
    assert (await world.usecases.staff.read_activity(10, actor_id="staff-9")).actions == []


async def test_catalog_edits_and_stock_adjustments_by_staff_are_recorded_seeding_is_not(
    world: World,
):
    record = world.usecases.staff.record_event
    changed = event(
        "catalog.product_changed",
        "catalog",
        sku="SKU-LAMP",
        name="Lamp",
        prices={"USD": "30.00"},
        status="ACTIVE",
        product_version=2,
        change="prices_changed",
        actor_id="staff-7",
    )
    adjusted = event(
        "stock.adjusted",
        "catalog",
        sku="SKU-LAMP",
        delta=-2,
        reason="DAMAGED",
        note="dropped",
        on_hand=8,
        reserved=1,
        actor_id="staff-7",
    )
    seeded = event(
        "catalog.product_changed", "catalog", sku="SKU-TEE", change="seeded", actor_id=None
    )

    for e in (changed, adjusted, adjusted, seeded):  # the adjustment redelivered
        await record(e)

    entries = {e.action: e for e in world.staff_store.actions}
    assert len(world.staff_store.actions) == 2
    edit, stock = entries["catalog.product_changed"], entries["stock.adjusted"]
    assert (edit.actor_id, edit.subject_id, edit.reason) == ("staff-7", "SKU-LAMP", None)
    assert edit.details == {"sku": "SKU-LAMP", "change": "prices_changed"}
    assert (stock.actor_id, stock.subject_id, stock.reason) == ("staff-7", "SKU-LAMP", None)
    assert stock.details == {
        "sku": "SKU-LAMP",
        "delta": "-2",
        "adjustment_reason": "DAMAGED",
        "note": "dropped",
    }
