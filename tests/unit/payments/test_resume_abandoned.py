"""The recovery loop: charges and refunds whose process died are finished by someone else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from subgraphs.payments.domain.payment import Payment, PaymentStatus
from tests.unit.payments.conftest import World, pay

REASON = "goodwill"


async def refund_abandoned_by_a_dead_process(world: World) -> Payment:
    """A paid order whose refund was started 5 minutes ago by a process that died."""
    world.order()
    paid = await world.process("u-1", pay())
    now = world.time()
    refunding = paid.start_refund("r-1", "rk-1", now - timedelta(minutes=5), now)
    assert await world.payments.save(refunding)
    return refunding


async def test_the_recovery_loop_finishes_abandoned_payments(world: World):
    now = world.time()
    abandoned = await world.abandoned_charge()
    live = replace(abandoned, id="p-live", order_id="o-2", idempotency_key="k-2", lease_until=now)
    await world.payments.add(replace(live, lease_until=now + timedelta(seconds=30)))

    assert await world.resume.run_once() == 1
    assert await world.resume.run_once() == 0

    assert world.payments.by_id["p-dead"].status is PaymentStatus.SUCCEEDED
    assert world.payments.by_id["p-live"].status is PaymentStatus.PROCESSING  # its holder lives


async def test_an_abandoned_refund_is_finished_once_and_announced(world: World):
    payment = await refund_abandoned_by_a_dead_process(world)

    assert await world.resume.run_once() == 1
    assert await world.resume.run_once() == 0

    assert world.payments.by_id[payment.id].status is PaymentStatus.REFUNDED
    assert world.provider.refunds == 1
    assert [e.type for e in world.events] == ["payments.succeeded", "payments.refunded"]


async def test_a_refund_the_provider_still_cannot_take_is_dropped_and_may_be_asked_again(
    world: World,
):
    payment = await refund_abandoned_by_a_dead_process(world)
    world.provider.refunds_down = True

    assert await world.resume.run_once() == 1  # tried, not finished

    stored = world.payments.by_id[payment.id]
    assert (stored.status, stored.refund) == (PaymentStatus.SUCCEEDED, None)
    assert await world.resume.run_once() == 0  # nothing left in flight
    world.provider.refunds_down = False
    refunded = await world.refund("staff-1", payment.id, "rk-2", REASON)
    assert refunded.status is PaymentStatus.REFUNDED
    assert world.provider.refunds == 1
