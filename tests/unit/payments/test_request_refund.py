"""A customer asks for a refund: a paid order of theirs, within the window, one open at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.payments.domain.refund_request import RefundRequestStatus
from tests.unit.payments.conftest import REFUND_WINDOW, World, pay


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [p.code for p in error.value.problems]


async def paid(world: World, order_id: str = "o-1", key: str = "k-1"):
    world.order(order_id)
    return await world.process("u-1", pay(order_id, key=key))


async def test_a_request_is_stored_open_and_announced(world: World):
    payment = await paid(world)

    request = await world.request_refund("u-1", "o-1", "  The mug arrived broken.  ")

    assert request.status is RefundRequestStatus.OPEN
    assert (request.payment_id, request.order_id, request.user_id) == (payment.id, "o-1", "u-1")
    assert request.reason == "The mug arrived broken."
    assert world.requests.by_id[request.id] == request
    event = world.events[-1]
    assert event.type == "payments.refund_requested"
    assert event.payload == {
        "request_id": request.id,
        "payment_id": payment.id,
        "order_id": "o-1",
        "user_id": "u-1",
        "reason": "The mug arrived broken.",
    }
    assert world.provider.calls["refund"] == 0  # nothing is refunded until staff approve


async def test_a_second_request_while_one_is_open_is_refused(world: World):
    await paid(world)
    await world.request_refund("u-1", "o-1", "broken")

    with pytest.raises(DomainError) as error:
        await world.request_refund("u-1", "o-1", "still broken")

    assert codes(error) == ["REFUND_ALREADY_REQUESTED"]
    assert len(world.requests.by_id) == 1
    assert [e.type for e in world.events].count("payments.refund_requested") == 1


async def test_concurrent_requests_make_one(world: World):
    await paid(world)

    results = await asyncio.gather(
        *(world.request_refund("u-1", "o-1", f"reason {i}") for i in range(5)),
        return_exceptions=True,
    )

    made = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 1
    assert {p.code for e in refused for p in e.problems} == {"REFUND_ALREADY_REQUESTED"}
    assert len(world.requests.by_id) == 1


async def test_a_request_may_be_made_again_once_the_last_was_declined(world: World):
    await paid(world)
    first = await world.request_refund("u-1", "o-1", "broken")
    await world.decide.decline("staff-1", first.id, "Photos show it intact.")
    world.time.now += timedelta(seconds=1)

    second = await world.request_refund("u-1", "o-1", "it is broken, really")

    assert second.status is RefundRequestStatus.OPEN
    [latest] = await world.read_requests.latest_for_orders(["o-1"])
    assert latest == second


async def test_the_window_closes_after_the_setting(world: World):
    await paid(world)
    world.time.now += REFUND_WINDOW  # the last moment still counts

    assert (await world.request_refund("u-1", "o-1", "late")).status is RefundRequestStatus.OPEN


async def test_after_the_window_a_request_is_refused(world: World):
    await paid(world)
    world.time.now += REFUND_WINDOW + timedelta(milliseconds=1)

    with pytest.raises(DomainError) as error:
        await world.request_refund("u-1", "o-1", "too late")

    assert codes(error) == ["REFUND_WINDOW_CLOSED"]
    assert world.requests.by_id == {}


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "REASON_REQUIRED"), ("   ", "REASON_REQUIRED"), ("x" * 501, "REASON_TOO_LONG")],
)
async def test_a_reason_is_required_and_capped(world: World, reason: str, code: str):
    await paid(world)

    with pytest.raises(DomainError) as error:
        await world.request_refund("u-1", "o-1", reason)

    assert codes(error) == [code]
    assert world.requests.by_id == {}


async def test_only_a_paid_order_of_ones_own(world: World):
    world.order("o-unpaid")
    world.order("o-failed")
    await world.process("u-1", pay("o-failed", token="pm_card_declined", key="k-f"))
    await paid(world)

    cases = {
        ("u-1", "o-unknown"): "ORDER_NOT_FOUND",
        ("intruder", "o-1"): "ORDER_NOT_FOUND",  # someone else's answers as none
        ("u-1", "o-unpaid"): "PAYMENT_NOT_REFUNDABLE",
        ("u-1", "o-failed"): "PAYMENT_NOT_REFUNDABLE",
    }
    for (user, order_id), code in cases.items():
        with pytest.raises(DomainError) as error:
            await world.request_refund(user, order_id, "please")
        assert codes(error) == [code], (user, order_id)
    assert world.requests.by_id == {}


async def test_a_refunded_order_cannot_be_asked_again(world: World):
    payment = await paid(world)
    await world.refund("staff-1", payment.id, "r-1", "goodwill")

    with pytest.raises(DomainError) as error:
        await world.request_refund("u-1", "o-1", "please")

    assert codes(error) == ["ALREADY_REFUNDED"]
