"""Reading payments: the one payment each order shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from subgraphs.payments.domain.payment import CARD_DECLINED
from subgraphs.payments.usecase.read_payments import shown_payment
from tests.unit.payments.conftest import NOW, charge, new_payment


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
