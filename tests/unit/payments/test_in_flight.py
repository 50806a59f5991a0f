"""Work in flight: waited for while its holder lives, taken over once its lease lapsed."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.payments.domain.payment import Payment, PaymentStatus
from subgraphs.payments.usecase.in_flight import InFlight, Timing
from testkit.kernel import FakeTime
from testkit.payments import InMemoryPayments
from tests.unit.payments.conftest import NOW, RETRY, charge, new_payment

TIMING = Timing(retry=RETRY, lease_seconds=30, wait_seconds=15, poll_seconds=0.05)
LEASE_END = NOW + timedelta(seconds=30)  # new_payment()'s lease


@pytest.fixture
def time() -> FakeTime:
    return FakeTime(NOW)


@pytest.fixture
def payments() -> InMemoryPayments:
    return InMemoryPayments()


@pytest.fixture
def in_flight(payments: InMemoryPayments, time: FakeTime) -> InFlight:
    return InFlight(payments, clock=time, sleep=time.sleep, timing=TIMING)


def charging(payment: Payment) -> bool:
    return payment.status is PaymentStatus.PROCESSING


def still_charging() -> DomainError:
    return DomainError.of("PAYMENT_IN_PROGRESS", "A payment of this order is in progress.")


class Charger:
    """Resumes a charge as the recovered holder would: charges it and stores the outcome."""

    def __init__(self, payments: InMemoryPayments, time: FakeTime) -> None:
        self.payments, self.time = payments, time
        self.charged: list[str] = []  # the charges made on taking over

    async def __call__(self, payment: Payment) -> Payment:
        done = payment.charged(charge(), self.time())
        assert await self.payments.save(done)
        self.charged.append(payment.id)
        return done


async def test_a_payment_not_in_flight_is_returned_at_once(in_flight, payments, time):
    paid = new_payment().charged(charge(), NOW)
    await payments.add(paid)

    settled = await in_flight.settle(
        paid, busy=charging, resume=Charger(payments, time), in_progress=still_charging
    )

    assert settled == paid
    assert time.sleeps == []


async def test_a_live_holder_is_waited_for_until_it_has_finished(payments, time):
    payment = new_payment()
    await payments.add(payment)

    async def sleep_while_the_holder_charges(seconds: float) -> None:
        await time.sleep(seconds)
        if len(time.sleeps) == 3:  # the holder finishes during the third poll
            assert await payments.save(payment.charged(charge(), time()))

    in_flight = InFlight(payments, clock=time, sleep=sleep_while_the_holder_charges, timing=TIMING)
    taker = Charger(payments, time)

    settled = await in_flight.settle(
        payment, busy=charging, resume=taker, in_progress=still_charging
    )

    assert (settled.status, settled.revision) == (PaymentStatus.SUCCEEDED, 2)
    assert time.sleeps == [TIMING.poll_seconds] * 3
    assert taker.charged == []  # the holder's charge, not a second one


async def test_a_holder_still_busy_after_the_wait_leaves_it_in_progress(in_flight, payments, time):
    payment = new_payment()
    await payments.add(payment)

    with pytest.raises(DomainError) as error:
        await in_flight.settle(
            payment, busy=charging, resume=Charger(payments, time), in_progress=still_charging
        )

    assert [p.code for p in error.value.problems] == ["PAYMENT_IN_PROGRESS"]
    assert 15 <= sum(time.sleeps) < 15.1  # `wait_seconds`, no longer
    assert payments.by_id[payment.id] == payment


async def test_without_waiting_a_busy_payment_is_in_progress_at_once(in_flight, payments, time):
    payment = new_payment()
    await payments.add(payment)

    with pytest.raises(DomainError):
        await in_flight.settle(
            payment,
            busy=charging,
            resume=Charger(payments, time),
            in_progress=still_charging,
            wait=False,
        )

    assert time.sleeps == []


async def test_a_lapsed_lease_is_renewed_and_the_work_finished_here(in_flight, payments, time):
    payment = new_payment()
    await payments.add(payment)
    time.now = LEASE_END  # its holder died
    taker = Charger(payments, time)

    settled = await in_flight.settle(
        payment, busy=charging, resume=taker, in_progress=still_charging
    )

    assert settled.status is PaymentStatus.SUCCEEDED
    assert taker.charged == [payment.id]
    assert time.sleeps == []


async def test_a_taken_over_lease_runs_for_the_lease_time_from_the_takeover(
    in_flight, payments, time
):
    payment = new_payment()
    await payments.add(payment)
    time.now = LEASE_END + timedelta(minutes=5)
    leases: list[Payment] = []

    async def keep(taken: Payment) -> Payment:
        leases.append(taken)
        return taken

    await in_flight.settle(payment, busy=charging, resume=keep, in_progress=still_charging)

    [taken] = leases
    assert taken.lease_until == time.now + timedelta(seconds=TIMING.lease_seconds)
    assert payments.by_id[payment.id] == taken  # stored before the work resumes
    assert not taken.lease_lapsed(time.now)


async def test_two_takers_of_one_lapsed_lease_finish_the_work_once(in_flight, payments, time):
    payment = new_payment()
    await payments.add(payment)
    time.now = LEASE_END
    taker = Charger(payments, time)

    def settle() -> Coroutine[Any, Any, Payment]:
        return in_flight.settle(payment, busy=charging, resume=taker, in_progress=still_charging)

    first, second = await asyncio.gather(settle(), settle())

    assert first == second
    assert first.status is PaymentStatus.SUCCEEDED
    assert taker.charged == [payment.id]


def test_the_lease_must_outlast_the_provider_retry_deadline():
    with pytest.raises(ValueError, match="outlast"):
        Timing(retry=RETRY, lease_seconds=RETRY.deadline)
    assert Timing(retry=RETRY, lease_seconds=RETRY.deadline + 1).lease_seconds > RETRY.deadline
