"""Staff decide a refund request: approve (the refund runs, once) or decline (with a reason)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.events import Event
from subgraphs.payments.domain.payment import PaymentStatus
from subgraphs.payments.domain.refund_request import RefundRequestStatus
from subgraphs.payments.usecase.ports import ProviderEvent, ProviderEventKind, RequestCursor
from subgraphs.payments.usecase.refund_requests import approval_key
from tests.unit.payments.conftest import World, pay


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [p.code for p in error.value.problems]


async def requested(world: World, order_id: str = "o-1", key: str = "k-1"):
    world.order(order_id)
    payment = await world.process("u-1", pay(order_id, key=key))
    return payment, await world.request_refund("u-1", order_id, "broken")


async def test_an_approval_refunds_the_payment_and_is_announced_with_its_actor(world: World):
    payment, request = await requested(world)

    approved, refunded = await world.decide.approve("staff-1", request.id)

    assert approved.status is RefundRequestStatus.APPROVED
    assert (approved.decided_by, approved.decided_at) == ("staff-1", world.time())
    assert approved.approving_by is None
    assert refunded.status is PaymentStatus.REFUNDED
    refund = world.payments.by_id[payment.id].refund
    assert refund is not None
    assert refund.idempotency_key == approval_key(request)
    assert world.provider.refunds == 1
    refund_event, approval = world.events[-2:]
    assert refund_event.type == "payments.refunded"
    assert (refund_event.payload["actor_id"], refund_event.payload["reason"]) == (
        "staff-1",
        "Refund request approved",  # the approver gives none; the customer's is the request's
    )
    assert approval.type == "payments.refund_approved"
    assert approval.payload == {
        "request_id": request.id,
        "payment_id": payment.id,
        "order_id": "o-1",
        "user_id": "u-1",
        "actor_id": "staff-1",
        "reason": "Refund request approved",
        "request_reason": "broken",
    }
    assert refund_event.payload["restock"] is False


async def test_an_approval_with_restock_returns_the_units_in_its_refund_event(world: World):
    _, request = await requested(world)

    await world.decide.approve("staff-1", request.id, restock=True)

    [refund_event] = [e for e in world.events if e.type == "payments.refunded"]
    assert refund_event.payload["restock"] is True


async def test_a_decline_keeps_the_payment_and_is_announced_with_actor_and_reason(world: World):
    payment, request = await requested(world)

    declined = await world.decide.decline("staff-2", request.id, "  Used for a month.  ")

    assert declined.status is RefundRequestStatus.DECLINED
    assert (declined.decided_by, declined.decision_reason) == ("staff-2", "Used for a month.")
    assert world.payments.by_id[payment.id].status is PaymentStatus.SUCCEEDED
    assert world.provider.calls["refund"] == 0
    event = world.events[-1]
    assert event.type == "payments.refund_declined"
    assert event.payload == {
        "request_id": request.id,
        "payment_id": payment.id,
        "order_id": "o-1",
        "user_id": "u-1",
        "actor_id": "staff-2",
        "reason": "Used for a month.",
    }


@pytest.mark.parametrize("first", ["approve", "decline"])
@pytest.mark.parametrize("second", ["approve", "decline"])
async def test_a_decided_request_cannot_be_decided_again_and_nothing_is_written(
    world: World, first: str, second: str
):
    _, request = await requested(world)

    async def decide(how: str) -> object:
        if how == "approve":
            return await world.decide.approve("staff-1", request.id)
        return await world.decide.decline("staff-1", request.id, "no")

    await decide(first)
    stored, events, refunds = (
        world.requests.by_id[request.id],
        list(world.events),
        world.provider.calls["refund"],
    )

    with pytest.raises(DomainError) as error:
        await decide(second)

    assert codes(error) == ["REFUND_REQUEST_DECIDED"]
    assert world.requests.by_id[request.id] == stored
    assert world.events == events
    assert world.provider.calls["refund"] == refunds


async def test_concurrent_approvals_refund_once(world: World):
    _, request = await requested(world)

    results = await asyncio.gather(
        *(world.decide.approve(f"staff-{i}", request.id) for i in range(5)), return_exceptions=True
    )

    # Those that joined the approval under way carry on with it and get its outcome.
    approvals = {r[0] for r in results if isinstance(r, tuple)}
    assert len(approvals) == 1
    errors = {p.code for r in results if isinstance(r, DomainError) for p in r.problems}
    assert errors <= {"REFUND_REQUEST_DECIDED"}
    assert world.provider.refunds == 1
    assert [e.type for e in world.events].count("payments.refund_approved") == 1
    assert [e.type for e in world.events].count("payments.refunded") == 1


async def test_an_approval_and_a_decline_at_once_decide_one_way(world: World):
    payment, request = await requested(world)

    results = await asyncio.gather(
        world.decide.approve("staff-1", request.id),
        world.decide.decline("staff-2", request.id, "no"),
        return_exceptions=True,
    )

    [failure] = [r for r in results if isinstance(r, DomainError)]
    assert [p.code for p in failure.problems] == ["REFUND_REQUEST_DECIDED"]
    stored = world.requests.by_id[request.id]
    refunded = world.payments.by_id[payment.id].status is PaymentStatus.REFUNDED
    assert refunded == (stored.status is RefundRequestStatus.APPROVED)


async def test_a_decline_while_an_approval_is_under_way_is_refused(world: World):
    _, request = await requested(world)
    claimed = request.approval_started("staff-1", world.time())
    assert await world.requests.save(claimed)  # an approval whose process died midway

    with pytest.raises(DomainError) as error:
        await world.decide.decline("staff-2", request.id, "no")
    assert codes(error) == ["REFUND_REQUEST_DECIDED"]

    approved, _ = await world.decide.approve("staff-2", request.id)  # carries on with it
    assert approved.status is RefundRequestStatus.APPROVED
    assert world.provider.refunds == 1


async def test_an_approval_during_a_provider_outage_leaves_the_request_open(world: World):
    payment, request = await requested(world)
    world.provider.refunds_down = True

    with pytest.raises(DomainError) as error:
        await world.decide.approve("staff-1", request.id)

    assert codes(error) == ["PROVIDER_UNAVAILABLE"]
    stored = world.requests.by_id[request.id]
    assert (stored.status, stored.approving_by) == (RefundRequestStatus.OPEN, None)
    assert world.payments.by_id[payment.id].status is PaymentStatus.SUCCEEDED

    world.provider.refunds_down = False
    approved, refunded = await world.decide.approve("staff-1", request.id)
    assert (approved.status, refunded.status) == (
        RefundRequestStatus.APPROVED,
        PaymentStatus.REFUNDED,
    )
    assert world.provider.refunds == 1


async def test_a_staff_refund_approves_the_open_request_with_it(world: World):
    payment, request = await requested(world)

    await world.refund("staff-2", payment.id, "by-hand", "Refunded by phone")

    stored = world.requests.by_id[request.id]
    assert (stored.status, stored.decided_by, stored.approving_by) == (
        RefundRequestStatus.APPROVED,
        "staff-2",
        None,
    )
    refund_event, approval = world.events[-2:]
    assert refund_event.type == "payments.refunded"
    assert approval.type == "payments.refund_approved"
    assert {k: approval.payload[k] for k in ("actor_id", "reason", "request_reason")} == {
        "actor_id": "staff-2",
        "reason": "Refunded by phone",
        "request_reason": "broken",
    }
    events = list(world.events)

    await world.refund("staff-2", payment.id, "by-hand", "Refunded by phone")  # retried
    with pytest.raises(DomainError) as error:
        await world.decide.approve("staff-1", request.id)

    assert codes(error) == ["REFUND_REQUEST_DECIDED"]
    assert world.requests.by_id[request.id] == stored
    assert world.events == events
    assert world.provider.refunds == 1


async def test_an_approval_that_finds_the_payment_refunded_approves_the_request(world: World):
    payment, request = await requested(world)
    # The request was stored just after a staff refund looked for an open one.
    del world.requests.by_id[request.id]
    await world.refund("staff-2", payment.id, "by-hand", "Refunded by phone")
    world.requests.by_id[request.id] = request

    approved, refunded = await world.decide.approve("staff-1", request.id)

    assert refunded.status is PaymentStatus.REFUNDED
    assert (approved.status, approved.decided_by) == (RefundRequestStatus.APPROVED, "staff-2")
    assert world.requests.by_id[request.id] == approved
    assert world.provider.refunds == 1
    approval = world.events[-1]
    assert approval.type == "payments.refund_approved"
    assert (approval.payload["actor_id"], approval.payload["reason"]) == (
        "staff-2",
        "Refunded by phone",
    )
    with pytest.raises(DomainError) as again:
        await world.decide.approve("staff-1", request.id)
    assert codes(again) == ["REFUND_REQUEST_DECIDED"]


async def test_an_approval_carried_on_keeps_the_first_approvers_refund(world: World):
    payment, request = await requested(world)
    claimed = request.approval_started("staff-1", world.time())
    assert await world.requests.save(claimed)
    started = payment.start_refund(
        "r-1",
        approval_key(request),
        world.time(),
        world.time() - timedelta(seconds=1),  # its process died: the lease lapsed
        actor_id="staff-1",
        reason="Refund request approved",
    )
    assert await world.payments.save(started)

    approved, _ = await world.decide.approve("staff-2", request.id)

    assert approved.decided_by == "staff-1"  # the refund's actor, who started the approval
    refund_event, approval = world.events[-2:]
    assert refund_event.payload["actor_id"] == approval.payload["actor_id"] == "staff-1"


async def test_the_systems_refund_approves_the_open_request_with_no_actor(world: World):
    payment, request = await requested(world)
    cancelled = Event.create(
        "orders.cancelled",
        {
            "order_id": "o-1",
            "user_id": "u-1",
            "status": "CANCELLED",
            "previous_status": "PAID",
            "order_version": 2,
            "currency": "USD",
            "total": "0.30",
        },
        producer="orders",
        occurred_at=world.time(),
    )

    await world.project(cancelled)  # the charge crossed the cancellation: refunded

    stored = world.requests.by_id[request.id]
    assert (stored.status, stored.decided_by) == (RefundRequestStatus.APPROVED, None)
    approval = world.events[-1]
    assert approval.type == "payments.refund_approved"
    assert (approval.payload["actor_id"], approval.payload["reason"]) == (None, None)
    assert world.payments.by_id[payment.id].status is PaymentStatus.REFUNDED


async def test_a_refund_at_the_provider_approves_the_open_request_once(world: World):
    payment, request = await requested(world)
    world.payments.by_id[payment.id] = replace(
        world.payments.by_id[payment.id], provider_intent="pi_1"
    )
    refunded = ProviderEvent("evt_1", ProviderEventKind.REFUNDED, "pi_1", reference="re_1")

    assert await world.apply_provider_event(refunded)
    assert not await world.apply_provider_event(refunded)  # delivered again

    stored = world.requests.by_id[request.id]
    assert (stored.status, stored.decided_by) == (RefundRequestStatus.APPROVED, None)
    types = [e.type for e in world.events]
    assert (types.count("payments.refunded"), types.count("payments.refund_approved")) == (1, 1)


async def test_unknown_requests_and_reasons(world: World):
    _, request = await requested(world)

    with pytest.raises(DomainError) as unknown:
        await world.decide.approve("staff-1", "nope")
    assert codes(unknown) == ["REFUND_REQUEST_NOT_FOUND"]
    with pytest.raises(DomainError) as blank:
        await world.decide.decline("staff-1", request.id, " ")
    assert codes(blank) == ["REASON_REQUIRED"]
    assert world.requests.by_id[request.id].open


async def test_the_staff_list_is_newest_first_by_status_and_pages(world: World):
    made = []
    for i in range(5):
        world.time.now += timedelta(seconds=1)
        made.append((await requested(world, f"o-{i}", f"k-{i}"))[1])
    await world.decide.decline("staff-1", made[1].id, "no")

    first = await world.read_requests.page(None, 2, None)
    assert [r.id for r in first.requests] == [made[4].id, made[3].id]
    assert first.has_next
    last = first.requests[-1]
    rest = await world.read_requests.page(
        None, 10, RequestCursor(int(last.requested_at.timestamp() * 1000), last.id)
    )
    assert [r.id for r in rest.requests] == [made[2].id, made[1].id, made[0].id]
    assert not rest.has_next
    open_ones = await world.read_requests.page(RefundRequestStatus.OPEN, 10, None)
    assert [r.id for r in open_ones.requests] == [made[4].id, made[3].id, made[2].id, made[0].id]
    queue = await world.read_requests.page(RefundRequestStatus.OPEN, 2, None, oldest_first=True)
    assert [r.id for r in queue.requests] == [made[0].id, made[2].id]
    last = queue.requests[-1]
    after = RequestCursor(int(last.requested_at.timestamp() * 1000), last.id)
    rest = await world.read_requests.page(RefundRequestStatus.OPEN, 10, after, oldest_first=True)
    assert [r.id for r in rest.requests] == [made[3].id, made[4].id]
