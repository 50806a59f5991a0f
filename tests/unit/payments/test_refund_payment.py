"""Refunds against in-memory fakes: once per payment, idempotent, safe across outages."""

from __future__ import annotations

import asyncio

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.payments.domain.payment import PaymentStatus, TransactionKind
from tests.unit.payments.conftest import World, pay

REASON = "goodwill"


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [p.code for p in error.value.problems]


async def paid(world: World, order_id: str = "o-1", key: str = "k-1"):
    world.order(order_id)
    return await world.process("u-1", pay(order_id, key=key))


async def test_a_staff_refund_returns_the_exact_amount_and_is_announced_with_its_actor(
    world: World,
):
    payment = await paid(world)

    refunded = await world.refund("staff-1", payment.id, "r-1", REASON)

    assert refunded.status is PaymentStatus.REFUNDED
    assert [(t.kind, t.amount) for t in refunded.transactions] == [
        (TransactionKind.CHARGE, payment.amount),
        (TransactionKind.REFUND, payment.amount),
    ]
    event = world.events[-1]
    assert event.type == "payments.refunded"
    assert event.payload == {
        "payment_id": payment.id,
        "order_id": "o-1",
        "user_id": "u-1",
        "amount": "0.30",
        "currency": "USD",
        "actor_id": "staff-1",
        "reason": REASON,
        "restock": False,
    }


async def test_a_refund_with_restock_says_so_in_its_event(world: World):
    payment = await paid(world)

    await world.refund("staff-1", payment.id, "r-1", REASON, restock=True)
    await world.refund("staff-1", payment.id, "r-1", REASON, restock=True)  # sent again

    [event] = [e for e in world.events if e.type == "payments.refunded"]
    assert (event.payload["restock"], event.payload["actor_id"]) == (True, "staff-1")
    stored = world.payments.by_id[payment.id]
    assert stored.refund is not None
    assert stored.refund.restock


async def test_the_same_refund_key_refunds_once(world: World):
    payment = await paid(world)

    results = await asyncio.gather(
        *(world.refund("staff-1", payment.id, "r-1", REASON) for _ in range(10))
    )

    assert {r.status for r in results} == {PaymentStatus.REFUNDED}
    assert world.provider.refunds == 1
    assert world.provider.calls["refund"] == 1
    assert [e.type for e in world.events].count("payments.refunded") == 1


async def test_another_key_cannot_refund_twice(world: World):
    payment = await paid(world)
    await world.refund("staff-1", payment.id, "r-1", REASON)

    with pytest.raises(DomainError) as error:
        await world.refund("staff-1", payment.id, "r-2", REASON)
    assert codes(error) == ["ALREADY_REFUNDED"]


async def test_a_refund_key_belongs_to_one_payment(world: World):
    first = await paid(world, "o-1", "k-1")
    second = await paid(world, "o-2", "k-2")
    await world.refund("staff-1", first.id, "r-1", REASON)

    with pytest.raises(DomainError) as error:
        await world.refund("staff-1", second.id, "r-1", REASON)
    assert codes(error) == ["IDEMPOTENCY_KEY_REUSED"]
    assert world.payments.by_id[second.id].status is PaymentStatus.SUCCEEDED


async def test_a_failed_payment_cannot_be_refunded(world: World):
    world.order()
    failed = await world.process("u-1", pay(token="pm_card_declined"))

    with pytest.raises(DomainError) as error:
        await world.refund("staff-1", failed.id, "r-1", REASON)
    assert codes(error) == ["PAYMENT_NOT_REFUNDABLE"]


async def test_an_unknown_payment(world: World):
    with pytest.raises(DomainError) as error:
        await world.refund("staff-1", "nope", "r-1", REASON)
    assert codes(error) == ["PAYMENT_NOT_FOUND"]
    assert world.provider.calls["refund"] == 0


@pytest.mark.parametrize(
    ("reason", "code"), [("  ", "REASON_REQUIRED"), ("x" * 501, "REASON_TOO_LONG")]
)
async def test_a_staff_refund_needs_a_reason(world: World, reason: str, code: str):
    payment = await paid(world)

    with pytest.raises(DomainError) as error:
        await world.refund("staff-1", payment.id, "r-1", reason)

    assert codes(error) == [code]
    assert world.payments.by_id[payment.id].status is PaymentStatus.SUCCEEDED
    assert world.provider.calls["refund"] == 0


async def test_a_refund_during_an_outage_changes_nothing_and_can_be_asked_again(world: World):
    payment = await paid(world)
    world.provider.refunds_down = True

    with pytest.raises(DomainError) as error:
        await world.refund("staff-1", payment.id, "r-1", REASON)
    assert codes(error) == ["PROVIDER_UNAVAILABLE"]
    stored = world.payments.by_id[payment.id]
    assert (stored.status, stored.refund) == (PaymentStatus.SUCCEEDED, None)

    world.provider.refunds_down = False
    refunded = await world.refund("staff-1", payment.id, "r-1", REASON)

    assert refunded.status is PaymentStatus.REFUNDED
    # Every attempt used the same provider key: had the first reached it, no second payout.
    refund_keys = {k for k in world.provider.keys if k.startswith("refund")}
    assert refund_keys == {f"refund-{payment.id}-0"}
    assert world.provider.refunds == 1
