"""The payments domain: exact money, the orders projection, the payment's rules and events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.events import MalformedEvent
from subgraphs.kernel.core.money import Money
from subgraphs.payments.domain.order_view import MalformedOrderEvent, OrderState, OrderView
from subgraphs.payments.domain.payment import (
    CARD_DECLINED,
    Payment,
    PaymentRequest,
    PaymentStatus,
    Transaction,
    TransactionKind,
    TransactionStatus,
    event_payload,
    held_by,
    start_payment,
    validate_request,
)
from subgraphs.payments.usecase.read_payments import shown_payment

NOW = datetime(2026, 1, 1, tzinfo=UTC)

CREATED = {
    "order_id": "o-1",
    "user_id": "u-1",
    "status": "PENDING",
    "order_version": 1,
    "currency": "USD",
    "total": "0.30",
    "items": [{"sku": "SKU-STICKER", "name": "Sticker", "quantity": 3, "unit_price": "0.10"}],
}


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.code, p.field) for p in error.value.problems]


def view(status: OrderState = OrderState.PENDING, version: int = 1) -> OrderView:
    return OrderView("o-1", "u-1", Money(Decimal("0.30"), "USD"), status, version, NOW)


def new_payment(status: OrderState = OrderState.PENDING) -> Payment:
    return start_payment(
        payment_id="p-1",
        user_id="u-1",
        request=PaymentRequest("o-1", "pm_card_ok", "k-1"),
        order=view(status),
        now=NOW,
        lease_until=NOW + timedelta(seconds=30),
    )


def charge(status: TransactionStatus = TransactionStatus.SUCCEEDED) -> Transaction:
    return Transaction(
        "t-1", TransactionKind.CHARGE, Money(Decimal("0.30"), "USD"), status, NOW, "ch_1"
    )


def test_three_times_ten_cents_is_exactly_thirty_cents():
    ten = Money(Decimal("0.10"), "USD")
    assert ten + ten + ten == Money(Decimal("0.30"), "USD")
    assert ten.times(3).amount == Decimal("0.30")
    assert str(ten.times(3).amount) == "0.30"
    assert 0.1 + 0.1 + 0.1 != 0.3  # what floats would have done


def test_money_refuses_what_is_not_a_finite_decimal():
    for bad in ("abc", "NaN", "Infinity", 0.3, None):
        with pytest.raises(ValueError, match="not a"):
            Money.parse(bad, "USD")
    with pytest.raises(ValueError, match="cannot add EUR to USD"):
        Money(Decimal("1"), "USD") + Money(Decimal("1"), "EUR")


def test_the_view_of_an_order_comes_from_its_created_event_exactly():
    order = OrderView.from_event(CREATED, NOW)

    assert order == OrderView(
        "o-1", "u-1", Money(Decimal("0.30"), "USD"), OrderState.PENDING, 1, NOW
    )
    assert not order.cancelled


@pytest.mark.parametrize(
    "change",
    [
        {"total": "zero"},
        {"total": "-1.00"},
        {"status": "LOST"},
        {"order_version": "1"},
        {"user_id": None},
        {"currency": ""},
    ],
)
def test_an_unusable_orders_event_is_malformed_and_never_retried(change):
    with pytest.raises(MalformedOrderEvent) as error:
        OrderView.from_event({**CREATED, **change}, NOW)
    assert isinstance(error.value, MalformedEvent)  # the consumer dead-letters it at once


def test_a_view_only_replaces_an_older_one():
    cancelled = view(OrderState.CANCELLED, version=2)
    assert cancelled.supersedes(None)
    assert cancelled.supersedes(view(version=1))
    assert not view(version=1).supersedes(cancelled)
    assert not cancelled.supersedes(cancelled)


def test_a_new_payment_charges_the_order_total_and_holds_the_order():
    payment = new_payment()

    assert payment.status is PaymentStatus.PROCESSING
    assert payment.amount == Money(Decimal("0.30"), "USD")
    assert payment.holds_order
    assert not payment.finished


def test_a_cancelled_order_cannot_be_paid():
    with pytest.raises(DomainError) as error:
        new_payment(OrderState.CANCELLED)
    assert codes(error) == [("ORDER_CANCELLED", ("orderId",))]


def test_every_invalid_input_is_reported():
    with pytest.raises(DomainError) as error:
        validate_request(PaymentRequest("o-1", " ", ""))
    assert codes(error) == [
        ("INVALID_PAYMENT_METHOD", ("paymentMethodToken",)),
        ("INVALID_IDEMPOTENCY_KEY", ("idempotencyKey",)),
    ]


def test_success_and_failure_announce_themselves_with_exact_amounts():
    paid = new_payment().charged(charge(), NOW)
    failed = new_payment().failed(CARD_DECLINED, NOW, charge(TransactionStatus.FAILED))

    assert (paid.status, paid.revision, paid.lease_until) == (PaymentStatus.SUCCEEDED, 2, None)
    assert paid.holds_order
    assert not failed.holds_order  # a failed payment frees the order for another attempt
    assert event_payload(paid) == (
        "payments.succeeded",
        {
            "payment_id": "p-1",
            "order_id": "o-1",
            "user_id": "u-1",
            "amount": "0.30",
            "currency": "USD",
        },
    )
    assert event_payload(failed) == (
        "payments.failed",
        {"payment_id": "p-1", "order_id": "o-1", "user_id": "u-1", "reason": "card_declined"},
    )
    with pytest.raises(ValueError, match="in flight"):
        event_payload(new_payment())


def test_only_a_succeeded_payment_can_be_refunded_and_only_once():
    later = NOW + timedelta(seconds=30)
    paid = new_payment().charged(charge(), NOW)
    refunding = paid.start_refund("r-1", "rk-1", NOW, later)
    refund = Transaction(
        "t-2", TransactionKind.REFUND, paid.amount, TransactionStatus.SUCCEEDED, NOW
    )
    refunded = refunding.refunded(refund, NOW)

    assert refunding.refunding
    assert refunded.status is PaymentStatus.REFUNDED
    assert refunded.holds_order  # a refunded order cannot be paid again
    assert event_payload(refunded)[0] == "payments.refunded"
    cases = [
        (new_payment().failed(CARD_DECLINED, NOW), "PAYMENT_NOT_REFUNDABLE"),
        (refunding, "REFUND_IN_PROGRESS"),
        (refunded, "ALREADY_REFUNDED"),
    ]
    for payment, code in cases:
        with pytest.raises(DomainError) as error:
            payment.start_refund("r-2", "rk-2", NOW, later)
        assert codes(error) == [(code, ("paymentId",))]


def test_a_declined_refund_leaves_the_payment_refundable_with_another_attempt():
    later = NOW + timedelta(seconds=30)
    refunding = new_payment().charged(charge(), NOW).start_refund("r-1", "rk-1", NOW, later)
    declined = Transaction(
        "t-2", TransactionKind.REFUND, refunding.amount, TransactionStatus.FAILED, NOW
    )

    after = refunding.refund_declined("closed_account", declined, NOW)

    assert after.status is PaymentStatus.SUCCEEDED
    assert not after.refunding
    assert after.start_refund("r-2", "rk-2", NOW, later).refunding
    assert refunding.refund_abandoned(NOW).refund is None


def test_a_lapsed_lease_may_be_taken_over():
    payment = new_payment()
    assert not payment.lease_lapsed(NOW)
    assert payment.lease_lapsed(NOW + timedelta(seconds=30))
    taken = payment.renew_lease(NOW, NOW + timedelta(minutes=5))
    assert (taken.revision, taken.lease_lapsed(NOW + timedelta(seconds=30))) == (2, False)


def test_why_an_order_held_by_another_payment_cannot_be_paid():
    assert held_by(new_payment()).problems[0].code == "PAYMENT_IN_PROGRESS"
    assert held_by(new_payment().charged(charge(), NOW)).problems[0].code == "ALREADY_PAID"


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
