"""The recovery loop: charges whose process died are finished by someone else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from subgraphs.payments.domain.payment import PaymentStatus, start_payment
from tests.unit.payments.conftest import World, pay


async def test_the_recovery_loop_finishes_abandoned_payments(world: World):
    order = world.order()
    now = world.time()
    abandoned = start_payment(
        payment_id="p-dead",
        user_id="u-1",
        request=pay(),
        order=order,
        now=now - timedelta(minutes=5),
        lease_until=now - timedelta(minutes=4),
    )
    await world.payments.add(abandoned)
    live = replace(abandoned, id="p-live", order_id="o-2", idempotency_key="k-2", lease_until=now)
    await world.payments.add(replace(live, lease_until=now + timedelta(seconds=30)))

    assert await world.resume.run_once() == 1
    assert await world.resume.run_once() == 0

    assert world.payments.by_id["p-dead"].status is PaymentStatus.SUCCEEDED
    assert world.payments.by_id["p-live"].status is PaymentStatus.PROCESSING  # its holder lives
