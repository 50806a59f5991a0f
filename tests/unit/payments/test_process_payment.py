"""Paying orders against in-memory fakes: outcomes, idempotency, at most one charge."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.payments.domain.order_view import OrderState
from subgraphs.payments.domain.payment import (
    PaymentStatus,
    TransactionKind,
    TransactionStatus,
    start_payment,
)
from tests.unit.payments.conftest import RETRY, World, pay


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [p.code for p in error.value.problems]


async def test_a_good_card_pays_the_exact_order_total(world: World):
    world.order(total="0.30")  # 3 x 0.10

    payment = await world.process("u-1", pay())

    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount.amount == Decimal("0.30")
    [charge] = payment.transactions
    assert (charge.kind, charge.status, charge.amount) == (
        TransactionKind.CHARGE,
        TransactionStatus.SUCCEEDED,
        payment.amount,
    )
    assert world.payments.by_id[payment.id] == payment
    [event] = world.events
    assert (event.type, event.producer) == ("payments.succeeded", "payments")
    assert event.payload == {
        "payment_id": payment.id,
        "order_id": "o-1",
        "user_id": "u-1",
        "amount": "0.30",
        "currency": "USD",
    }
    assert world.provider.charges == 1
    assert world.provider.keys == [f"charge-{payment.id}"]  # the call carries the idempotency key


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("pm_card_declined", "card_declined"),
        ("pm_card_insufficient_funds", "insufficient_funds"),
        ("pm_unknown", "invalid_payment_method"),
    ],
)
async def test_a_declined_card_is_a_failed_payment_with_its_reason(world: World, token, reason):
    world.order()

    payment = await world.process("u-1", pay(token=token))

    assert (payment.status, payment.failure_reason) == (PaymentStatus.FAILED, reason)
    [decline] = payment.transactions
    assert decline.status is TransactionStatus.FAILED
    [event] = world.events
    assert (event.type, event.payload["reason"]) == ("payments.failed", reason)
    assert world.provider.charges == 0


async def test_after_a_decline_another_attempt_may_pay_the_order(world: World):
    world.order()
    failed = await world.process("u-1", pay(token="pm_card_declined", key="k-1"))

    paid = await world.process("u-1", pay(token="pm_card_ok", key="k-2"))

    assert failed.status is PaymentStatus.FAILED
    assert paid.status is PaymentStatus.SUCCEEDED
    assert [e.type for e in world.events] == ["payments.failed", "payments.succeeded"]


async def test_a_provider_outage_is_retried_then_fails_cleanly_without_a_charge(world: World):
    world.order()

    payment = await world.process("u-1", pay(token="pm_provider_down"))

    assert (payment.status, payment.failure_reason) == (
        PaymentStatus.FAILED,
        "provider_unavailable",
    )
    assert payment.transactions == ()
    assert world.provider.calls["charge"] == RETRY.max_attempts
    assert world.time.sleeps == [0.25, 0.5, 1.0]  # backoff, capped at max_delay
    assert world.provider.charges == 0
    assert [e.payload["reason"] for e in world.events] == ["provider_unavailable"]
    assert not payment.holds_order  # the order can be paid again


async def test_the_same_key_and_input_returns_the_same_payment_and_charges_once(world: World):
    world.order()

    first = await world.process("u-1", pay())
    again = await world.process("u-1", pay())

    assert again == first
    assert world.provider.charges == 1
    assert len(world.events) == 1


async def test_a_replayed_decline_stays_a_decline(world: World):
    world.order()
    first = await world.process("u-1", pay(token="pm_card_declined"))

    assert await world.process("u-1", pay(token="pm_card_declined")) == first
    assert world.provider.calls["charge"] == 1


async def test_twenty_concurrent_duplicates_make_one_charge(world: World):
    world.order()

    results = await asyncio.gather(*(world.process("u-1", pay()) for _ in range(20)))

    assert {r.id for r in results} == {results[0].id}
    assert {r.status for r in results} == {PaymentStatus.SUCCEEDED}
    assert world.provider.calls["charge"] == 1
    assert len(world.payments.by_id) == 1
    assert len(world.events) == 1


async def test_the_same_key_with_another_input_is_a_conflict(world: World):
    world.order("o-1")
    world.order("o-2")
    await world.process("u-1", pay("o-1", key="k-1"))

    for other in (pay("o-2", key="k-1"), pay("o-1", token="pm_card_declined", key="k-1")):
        with pytest.raises(DomainError) as error:
            await world.process("u-1", other)
        assert codes(error) == ["IDEMPOTENCY_KEY_REUSED"]
    assert world.provider.calls["charge"] == 1


async def test_keys_belong_to_their_user(world: World):
    world.order("o-1", user_id="u-1")
    world.order("o-2", user_id="u-2")

    mine = await world.process("u-1", pay("o-1", key="same"))
    theirs = await world.process("u-2", pay("o-2", key="same"))

    assert mine.id != theirs.id
    assert world.provider.charges == 2


async def test_an_order_payments_has_not_seen_yet_is_a_retryable_error(world: World):
    with pytest.raises(DomainError) as error:
        await world.process("u-1", pay("o-unknown"))

    assert codes(error) == ["ORDER_NOT_FOUND_YET"]
    assert error.value.problems[0].field == ("orderId",)
    assert world.payments.by_id == {}

    world.order("o-unknown")  # orders.created arrives
    assert (await world.process("u-1", pay("o-unknown"))).status is PaymentStatus.SUCCEEDED


async def test_someone_elses_order_answers_as_an_unknown_one(world: World):
    world.order(user_id="owner")

    with pytest.raises(DomainError) as error:
        await world.process("intruder", pay())
    assert codes(error) == ["ORDER_NOT_FOUND_YET"]
    assert world.provider.calls["charge"] == 0


async def test_a_cancelled_order_is_refused(world: World):
    world.order(status=OrderState.CANCELLED, version=2)

    with pytest.raises(DomainError) as error:
        await world.process("u-1", pay())
    assert codes(error) == ["ORDER_CANCELLED"]
    assert world.provider.calls["charge"] == 0


async def test_a_paid_order_is_not_paid_again(world: World):
    world.order()
    await world.process("u-1", pay(key="k-1"))

    with pytest.raises(DomainError) as error:
        await world.process("u-1", pay(key="k-2"))
    assert codes(error) == ["ALREADY_PAID"]
    assert world.provider.charges == 1


async def test_a_duplicate_waits_for_the_payment_in_flight_then_says_so(world: World):
    order = world.order()
    now = world.time()
    stuck = start_payment(
        payment_id="p-stuck",
        user_id="u-1",
        request=pay(),
        order=order,
        now=now,
        lease_until=now + timedelta(seconds=30),
    )
    await world.payments.add(stuck)

    with pytest.raises(DomainError) as error:
        await world.process("u-1", pay())
    assert codes(error) == ["PAYMENT_IN_PROGRESS"]
    assert 15 <= sum(world.time.sleeps) < 15.1  # waited `wait_seconds`, no longer
    with pytest.raises(DomainError) as other_key:
        await world.process("u-1", pay(key="k-2"))
    assert codes(other_key) == ["PAYMENT_IN_PROGRESS"]


async def test_a_payment_whose_process_died_is_finished_by_the_next_duplicate(world: World):
    await world.abandoned_charge()

    payment = await world.process("u-1", pay())

    assert (payment.id, payment.status) == ("p-dead", PaymentStatus.SUCCEEDED)
    assert world.provider.keys == ["charge-p-dead"]
    assert len(world.events) == 1


async def test_a_charge_that_raced_a_cancellation_is_refunded(world: World):
    world.order()
    # The order is cancelled while the provider is charging.
    world.provider.on_charge.append(lambda: world.order(status=OrderState.CANCELLED, version=2))

    payment = await world.process("u-1", pay())

    assert payment.status is PaymentStatus.REFUNDED
    assert world.provider.charges == 1
    assert world.provider.refunds == 1
    assert [e.type for e in world.events] == ["payments.succeeded", "payments.refunded"]
