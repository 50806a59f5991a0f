"""Which events ask for which message, and how the messages read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from subgraphs.notifications.domain.messages import (
    SMS_MAX_LENGTH,
    InvalidPayload,
    intent_for,
    render,
    subject_for,
)
from subgraphs.notifications.domain.notification import Channel, Contact, Kind

ORDER = {
    "order_id": "ord-42",
    "user_id": "u-1",
    "status": "PENDING",
    "order_version": 1,
    "currency": "USD",
    "total": "12.30",
    "items": [
        {"sku": "SKU-STICKER", "name": "Sticker", "quantity": 3, "unit_price": "0.10"},
        {"sku": "SKU-MUG", "name": "Stoneware mug", "quantity": 1, "unit_price": "12.00"},
    ],
}


@pytest.mark.parametrize(
    ("event_type", "kind"),
    [
        ("users.email_verified", Kind.WELCOME),
        ("orders.created", Kind.ORDER_CONFIRMATION),
        ("orders.cancelled", Kind.ORDER_CANCELLED),
        ("orders.rejected", Kind.ORDER_REJECTED),
        ("payments.succeeded", Kind.PAYMENT_RECEIPT),
        ("payments.failed", Kind.PAYMENT_FAILED),
        ("payments.refunded", Kind.REFUND),
        ("payments.refund_declined", Kind.REFUND_DECLINED),
    ],
)
def test_each_notified_event_type_asks_for_its_kind(event_type, kind):
    payload = {
        **ORDER,
        "email": "ann@example.com",
        "payment_id": "pay-1",
        "reason": "Used.",
        "short": [],
    }
    intent = intent_for(event_type, payload)
    assert intent is not None
    assert (intent.kind, intent.user_id) == (kind, "u-1")


@pytest.mark.parametrize(
    "event_type",
    [
        "users.registered",
        "users.profile_updated",
        "orders.paid",
        "orders.refunded",
        "payments.refund_requested",
        "payments.refund_approved",
        "other.thing",
    ],
)
def test_other_events_ask_for_no_message(event_type):
    assert intent_for(event_type, ORDER) is None


def test_the_order_confirmation_names_the_order_its_items_and_total():
    intent = intent_for("orders.created", ORDER)
    assert intent is not None
    message = render(intent.kind, intent.data, Channel.EMAIL, "Ann")
    assert message.subject == "Order ord-42 received"
    assert message.text.startswith("Hello Ann,\n")
    assert "3 x Sticker" in message.text
    assert "1 x Stoneware mug" in message.text
    assert "Total: 12.30 USD" in message.text


REJECTED = {
    **ORDER,
    "status": "REJECTED",
    "previous_status": "PENDING",
    "order_version": 2,
    "reason": "out of stock",
    "short": [
        {"sku": "SKU-STICKER", "name": "Sticker", "requested": 3, "available": 2},
        {"sku": "SKU-MUG", "name": "Stoneware mug", "requested": 1, "available": 0},
        {
            "sku": "SKU-OLD",
            "name": "Old lamp",
            "requested": 1,
            "available": 0,
            "reason": "archived",
        },
        {"sku": "SKU-GONE", "name": "Gone", "requested": 2, "available": 0, "reason": "unknown"},
    ],
}


def test_a_rejected_order_mail_names_what_could_not_be_reserved():
    intent = intent_for("orders.rejected", REJECTED)
    assert intent is not None
    assert (intent.kind, intent.user_id) == (Kind.ORDER_REJECTED, "u-1")

    message = render(intent.kind, intent.data, Channel.EMAIL, "Ann")

    assert message.subject == "Order ord-42 could not be accepted"
    assert "Sticker: you asked for 3, only 2 left" in message.text
    assert "Stoneware mug: you asked for 1, sold out" in message.text
    assert "Old lamp: you asked for 1, no longer sold" in message.text
    assert "Gone: you asked for 2, no longer sold" in message.text
    assert "Nothing was charged." in message.text


@pytest.mark.parametrize(
    "short",
    [None, "SKU-MUG", [{"sku": "SKU-MUG", "requested": "many", "available": 0}], [{"name": "x"}]],
)
def test_a_rejection_without_usable_short_lines_is_invalid(short):
    with pytest.raises(InvalidPayload):
        intent_for("orders.rejected", {**REJECTED, "short": short})


def test_an_expired_order_mail_says_it_was_not_paid_in_time():
    expired = {**ORDER, "status": "CANCELLED", "reason": "expired", "actor_id": None}
    by_customer = {**ORDER, "status": "CANCELLED", "reason": None, "actor_id": None}

    texts = []
    for payload in (expired, by_customer):
        intent = intent_for("orders.cancelled", payload)
        assert intent is not None
        texts.append(render(intent.kind, intent.data, Channel.EMAIL, None).text)

    assert "it was not paid in time" in texts[0]
    assert "not paid in time" not in texts[1]


def test_a_receipt_shows_amount_and_payment_reference_when_known():
    intent = intent_for(
        "payments.succeeded",
        {"order_id": "ord-42", "user_id": "u-1", "payment_id": "pay-9", "amount": "5.00"},
    )
    assert intent is not None
    text = render(intent.kind, {**intent.data, "currency": "EUR"}, Channel.EMAIL, None).text
    assert "Amount paid: 5.00 EUR" in text
    assert "Payment reference: pay-9" in text
    assert text.startswith("Hello,\n")


def test_a_failed_payment_says_why():
    intent = intent_for(
        "payments.failed", {"order_id": "o", "user_id": "u", "reason": "card_declined"}
    )
    assert intent is not None
    assert "failed: card declined." in render(intent.kind, intent.data, Channel.EMAIL, None).text


def test_a_declined_refund_request_gives_the_staff_reason_as_written():
    payload = {
        "request_id": "rr-1",
        "payment_id": "pay-1",
        "order_id": "ord-42",
        "user_id": "u-1",
        "actor_id": "staff-1",
        "reason": "The mug_was used for a month.",
    }
    intent = intent_for("payments.refund_declined", payload)
    assert intent is not None
    message = render(intent.kind, intent.data, Channel.EMAIL, "Ann")
    assert message.subject == "Your refund request for order ord-42"
    assert "The reason: The mug_was used for a month." in message.text
    assert "staff-1" not in message.text  # who decided stays on the record, not in the mail


def test_an_sms_is_one_short_line():
    intent = intent_for("orders.created", {**ORDER, "order_id": "x" * 300})
    assert intent is not None
    message = render(intent.kind, intent.data, Channel.SMS, "Ann")
    assert len(message.text) == SMS_MAX_LENGTH
    assert "\n" not in message.text


@pytest.mark.parametrize(
    ("event_type", "payload"),
    [
        ("orders.created", {**ORDER, "user_id": None}),
        ("orders.created", {**ORDER, "items": "three stickers"}),
        ("orders.created", {**ORDER, "items": [{"quantity": 1}]}),
        ("payments.succeeded", {"user_id": "u-1"}),
        ("payments.refund_declined", {"order_id": "o", "user_id": "u-1"}),
        ("users.email_verified", {"email": "a@example.com"}),
        ("users.sign_up_attempted", {"user_id": "u-1"}),
        ("users.email_verification_requested", {"user_id": "u-1", "email": "a@example.com"}),
    ],
)
def test_a_payload_missing_what_its_type_promises_is_invalid(event_type, payload):
    with pytest.raises(InvalidPayload):
        intent_for(event_type, payload)


RESET = {
    "user_id": "u-1",
    "email": "ann@example.com",
    "name": "Ann",
    "reset_url": "http://localhost:3000/reset-password?token=s3cr3t-t0ken",
    "expires_at": "2026-01-01T00:30:00+00:00",
}


def test_a_password_reset_is_a_transactional_email_to_the_address_the_event_names():
    intent = intent_for("users.password_reset_requested", RESET)
    assert intent is not None
    assert (intent.kind, intent.channels, intent.transactional) == (
        Kind.PASSWORD_RESET,
        (Channel.EMAIL,),
        True,
    )
    assert intent.address == "ann@example.com"
    assert intent.expires_at == datetime(2026, 1, 1, 0, 30, tzinfo=UTC)


def test_the_reset_link_is_in_the_mail_body_and_never_in_the_subject():
    intent = intent_for("users.password_reset_requested", RESET)
    assert intent is not None
    message = render(intent.kind, intent.data, Channel.EMAIL, None)
    assert (
        message.subject == subject_for(intent.kind, intent.data) == "Reset your Commerce password"
    )
    assert "s3cr3t-t0ken" not in message.subject
    assert RESET["reset_url"] in message.text.splitlines()
    assert message.text.startswith("Hello,\n")  # no name: the address may be unverified
    assert "until 2026-01-01 00:30 UTC" in message.text


@pytest.mark.parametrize(
    "payload",
    [
        {**RESET, "reset_url": "javascript:alert(1)"},
        {**RESET, "expires_at": "in half an hour"},
        {**RESET, "expires_at": "2026-01-01T00:30:00"},  # no time zone
        {**RESET, "email": ""},
        {k: v for k, v in RESET.items() if k != "reset_url"},
    ],
)
def test_a_password_reset_without_a_usable_link_expiry_or_address_is_invalid(payload):
    with pytest.raises(InvalidPayload):
        intent_for("users.password_reset_requested", payload)


def test_mails_to_an_address_nobody_verified_carry_nothing_the_registrant_wrote():
    lure = "customer. URGENT: your card was charged 950 USD, dispute at http://evil.example/refund"
    contact = Contact("u-1", "stranger@example.com", lure, None)  # registered, never verified
    verify = intent_for(
        "users.email_verification_requested",
        {
            "user_id": "u-1",
            "email": "stranger@example.com",
            "verify_url": "http://localhost:3000/verify-email?token=t0k3n",
            "expires_at": "2026-01-03T00:00:00+00:00",
        },
    )
    order = intent_for("orders.created", ORDER)
    attempt = intent_for(
        "users.sign_up_attempted", {"user_id": "u-1", "email": "stranger@example.com"}
    )

    for intent in (verify, order, attempt):
        assert intent is not None
        message = render(intent.kind, intent.data, Channel.EMAIL, contact.greeting_name)
        assert "evil.example" not in message.text
        assert message.text.startswith("Hello,\n")
    assert verify is not None
    assert verify.transactional
    assert verify.address == "stranger@example.com"
    verified = Contact("u-1", "ann@example.com", "Ann", None, verified=True)
    assert render(
        Kind.ORDER_CONFIRMATION, {}, Channel.EMAIL, verified.greeting_name
    ).text.startswith("Hello Ann,")


INVITATION = {
    "user_id": "u-9",
    "actor_id": "u-1",
    "reason": None,
    "email": "kim@example.com",
    "role": "support",
    "expires_at": "2026-01-04T00:00:00+00:00",
    "invite_url": "http://localhost:3001/accept-invitation?token=t0k3n",
}


def test_a_staff_invitation_is_mailed_with_its_link_and_role_whatever_the_preferences():
    intent = intent_for("users.staff_invited", INVITATION)

    assert intent is not None
    assert (intent.kind, intent.user_id, intent.address) == (
        Kind.STAFF_INVITATION,
        "u-9",
        "kim@example.com",
    )
    assert intent.transactional
    assert intent.channels == (Channel.EMAIL,)
    message = render(intent.kind, intent.data, Channel.EMAIL, None)
    assert message.subject == "You are invited to the Commerce back office"
    assert INVITATION["invite_url"] in message.text.splitlines()
    assert "as support." in message.text
    assert "until 2026-01-04 00:00 UTC" in message.text


@pytest.mark.parametrize(
    "payload",
    [
        {**INVITATION, "role": "customer"},
        {**INVITATION, "invite_url": "ftp://example.com"},
        {k: v for k, v in INVITATION.items() if k != "expires_at"},
    ],
)
def test_an_invitation_without_a_staff_role_or_a_usable_link_is_invalid(payload):
    with pytest.raises(InvalidPayload):
        intent_for("users.staff_invited", payload)
