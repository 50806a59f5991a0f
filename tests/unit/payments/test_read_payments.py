"""Reading payments: by id, and the one payment each order shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from subgraphs.payments.domain.payment import CARD_DECLINED
from subgraphs.payments.usecase.read_payments import shown_payment
from tests.unit.payments.conftest import NOW, World, charge, new_payment, pay


def test_an_order_shows_its_succeeded_payment_else_its_latest_failed_one():
    failed = new_payment().failed(CARD_DECLINED, NOW)
    later = NOW + timedelta(minutes=1)
    failed_later = replace(failed, id="p-2", created_at=later)
    paid = new_payment().charged(charge(), NOW)
    in_flight = new_payment()

    assert shown_payment([]) is None
    assert shown_payment([in_flight]) is None
    assert shown_payment([failed, failed_later]) == failed_later
    assert shown_payment([failed_later, paid, failed]) == paid


async def test_payments_come_back_in_the_order_asked_with_none_for_unknown_ids(world: World):
    world.order("o-1")
    world.order("o-2")
    first = await world.process("u-1", pay("o-1", key="k-1"))
    second = await world.process("u-1", pay("o-2", key="k-2"))

    payments = await world.read.by_ids([second.id, "no-such-payment", first.id])

    assert payments == [second, None, first]


async def test_each_order_shows_its_paid_payment_after_a_decline_and_none_before_any(
    world: World,
):
    world.order("o-1")
    world.order("o-2")
    await world.process("u-1", pay("o-1", token="pm_card_declined", key="k-1"))
    paid = await world.process("u-1", pay("o-1", key="k-2"))
    only_declined = await world.process("u-1", pay("o-2", token="pm_card_declined", key="k-3"))

    shown = await world.read.for_orders(["o-1", "o-2", "o-3"])

    assert [p.id if p else None for p in shown] == [paid.id, only_declined.id, None]
