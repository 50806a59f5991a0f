"""The recovery loop: charges and refunds whose process died are finished by someone else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
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


async def test_a_charge_through_an_intent_stays_in_progress_until_the_provider_answers(
    world: World,
):
    """With a provider that opens intents (Stripe), the intent is stored before the charge;
    a charge whose answer is lost stays PROCESSING, and resuming asks that intent."""
    world.provider.opens_intents = True
    world.provider.charges_down = True
    world.order()

    with pytest.raises(DomainError) as error:
        await world.process("u-1", pay())

    assert error.value.problems[0].code == "PAYMENT_IN_PROGRESS"
    [held] = world.payments.by_id.values()
    assert (held.status, held.provider_intent) == (PaymentStatus.PROCESSING, "pi_1")
    assert world.events == []

    world.provider.charges_down = False
    await world.time.sleep(31)  # its lease lapses
    assert await world.resume.run_once() == 1

    assert world.payments.by_id[held.id].status is PaymentStatus.SUCCEEDED
    assert world.provider.opened == ["pi_1"]  # asked again, never opened again
    assert [e.type for e in world.events] == ["payments.succeeded"]
