"""The Payment aggregate: its rules, its refund, its lease and the events it announces."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.money import Money
from subgraphs.payments.domain.order_view import OrderState
from subgraphs.payments.domain.payment import (
    CARD_DECLINED,
    MAX_PAYMENT_METHOD_LENGTH,
    Payment,
    PaymentRequest,
    PaymentStatus,
    Transaction,
    TransactionKind,
    TransactionStatus,
    event_payload,
    held_by,
    validate_request,
)
from tests.unit.payments.conftest import NOW, charge, new_payment


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.code, p.field) for p in error.value.problems]


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


def test_a_payment_method_token_longer_than_the_bound_is_invalid():
    validate_request(PaymentRequest("o-1", "p" * MAX_PAYMENT_METHOD_LENGTH, "k"))
    with pytest.raises(DomainError) as error:
        validate_request(PaymentRequest("o-1", "p" * (MAX_PAYMENT_METHOD_LENGTH + 1), "k"))
    assert codes(error) == [("INVALID_PAYMENT_METHOD", ("paymentMethodToken",))]


def announced(payment: Payment) -> tuple[str, object]:
    """The type and payload of the event announcing `payment`'s status."""
    spec, payload = event_payload(payment)
    return spec.type, payload


def test_success_and_failure_announce_themselves_with_exact_amounts():
    paid = new_payment().charged(charge(), NOW)
    failed = new_payment().failed(CARD_DECLINED, NOW, charge(TransactionStatus.FAILED))

    assert (paid.status, paid.revision, paid.lease_until) == (PaymentStatus.SUCCEEDED, 2, None)
    assert paid.holds_order
    assert not failed.holds_order  # a failed payment frees the order for another attempt
    assert announced(paid) == (
        "payments.succeeded",
        {
            "payment_id": "p-1",
            "order_id": "o-1",
            "user_id": "u-1",
            "amount": "0.30",
            "currency": "USD",
        },
    )
    assert announced(failed) == (
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
    assert announced(refunded)[0] == "payments.refunded"
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
