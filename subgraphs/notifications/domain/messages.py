"""Which events ask for which message, and how each message reads.

`intent_for` maps an event (type and payload) to an `Intent`; `subject_for`
and `render` turn an intent's kind and data into the text that is sent.
Rendering is pure, so a message re-rendered for a retry is the same message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from subgraphs.kernel.core.events import MalformedEvent
from subgraphs.notifications.domain.notification import Channel, Intent, Kind

REGISTERED = "users.registered"
PROFILE_UPDATED = "users.profile_updated"
ORDER_CREATED = "orders.created"
ORDER_CANCELLED = "orders.cancelled"
ORDER_REJECTED = "orders.rejected"
NO_LONGER_SOLD = frozenset({"archived", "unknown"})  # a short line's reasons, as the catalog gave
PAYMENT_SUCCEEDED = "payments.succeeded"
PAYMENT_FAILED = "payments.failed"
PAYMENT_REFUNDED = "payments.refunded"
REFUND_DECLINED = "payments.refund_declined"
PASSWORD_RESET_REQUESTED = "users.password_reset_requested"  # noqa: S105 (an event type)
EMAIL_VERIFICATION_REQUESTED = "users.email_verification_requested"
EMAIL_VERIFIED = "users.email_verified"
SIGN_UP_ATTEMPTED = "users.sign_up_attempted"
STAFF_INVITED = "users.staff_invited"
STAFF_ROLES = frozenset({"support", "catalog", "admin"})

SMS_MAX_LENGTH = 160
MAX_ITEMS_LISTED = 20


class InvalidPayload(MalformedEvent):
    """An event whose payload lacks what its type promises; no retry can help it (the stream
    consumer dead-letters it at once)."""


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    text: str


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidPayload(f"payload has no {key!r}")
    if not isinstance(value, str | int | float):
        raise InvalidPayload(f"payload field {key!r} is not a scalar")
    return str(value)


def _optional(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return None if value is None or value == "" else str(value)


def _items(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = payload.get("items") or []
    if not isinstance(raw, list):
        raise InvalidPayload("payload field 'items' is not a list")
    items = []
    for item in raw[:MAX_ITEMS_LISTED]:
        if not isinstance(item, dict):
            raise InvalidPayload("an item is not an object")
        items.append({"name": _text(item, "name"), "quantity": int(_text(item, "quantity"))})
    return items


def _welcome(p: Mapping[str, Any]) -> Intent:
    return Intent(Kind.WELCOME, _text(p, "user_id"), {"name": _optional(p, "name")})


def _order_created(p: Mapping[str, Any]) -> Intent:
    data = {
        "order_id": _text(p, "order_id"),
        "total": _text(p, "total"),
        "currency": _text(p, "currency"),
        "items": _items(p),
    }
    return Intent(Kind.ORDER_CONFIRMATION, _text(p, "user_id"), data)


def _order_cancelled(p: Mapping[str, Any]) -> Intent:
    data = {"order_id": _text(p, "order_id"), "expired": _optional(p, "reason") == "expired"}
    return Intent(Kind.ORDER_CANCELLED, _text(p, "user_id"), data)


def _short_lines(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = payload.get("short")
    if not isinstance(raw, list):
        raise InvalidPayload("payload field 'short' is not a list")
    lines = []
    for line in raw[:MAX_ITEMS_LISTED]:
        if not isinstance(line, dict):
            raise InvalidPayload("a short line is not an object")
        try:
            requested, available = int(_text(line, "requested")), int(_text(line, "available"))
        except ValueError:
            raise InvalidPayload("a short line's quantities are not numbers") from None
        name = _optional(line, "name") or _text(line, "sku")
        reason = _optional(line, "reason") or "out_of_stock"
        lines.append(
            {"name": name, "requested": requested, "available": available, "reason": reason}
        )
    return lines


def _order_rejected(p: Mapping[str, Any]) -> Intent:
    data = {"order_id": _text(p, "order_id"), "short": _short_lines(p)}
    return Intent(Kind.ORDER_REJECTED, _text(p, "user_id"), data)


def _payment(kind: Kind) -> Callable[[Mapping[str, Any]], Intent]:
    def intent(p: Mapping[str, Any]) -> Intent:
        data = {
            "order_id": _text(p, "order_id"),
            "payment_id": _optional(p, "payment_id"),
            "amount": _optional(p, "amount"),
            "currency": _optional(p, "currency"),
            "reason": _optional(p, "reason"),
        }
        return Intent(kind, _text(p, "user_id"), data)

    return intent


def _refund_declined(p: Mapping[str, Any]) -> Intent:
    data = {"order_id": _text(p, "order_id"), "reason": _text(p, "reason")}
    return Intent(Kind.REFUND_DECLINED, _text(p, "user_id"), data)


def _link(kind: Kind, url_key: str) -> Callable[[Mapping[str, Any]], Intent]:
    """A mail with a one-time link to the event's address (no name: the address may be
    unverified, and the name is the registrant's)."""

    def intent(p: Mapping[str, Any]) -> Intent:
        url = _text(p, url_key)
        if not url.startswith(("https://", "http://")):
            raise InvalidPayload(f"payload field {url_key!r} is not an http(s) URL")
        try:
            expires_at = datetime.fromisoformat(_text(p, "expires_at"))
        except ValueError:
            raise InvalidPayload("payload field 'expires_at' is not an ISO-8601 time") from None
        if expires_at.tzinfo is None:
            raise InvalidPayload("payload field 'expires_at' has no time zone")
        return Intent(
            kind,
            _text(p, "user_id"),
            {url_key: url, "expires_at": expires_at.isoformat()},
            channels=(Channel.EMAIL,),
            transactional=True,
            address=_text(p, "email"),
            expires_at=expires_at,
        )

    return intent


def _sign_up_attempt(p: Mapping[str, Any]) -> Intent:
    return Intent(
        Kind.SIGN_UP_ATTEMPT,
        _text(p, "user_id"),
        {},
        channels=(Channel.EMAIL,),
        transactional=True,
        address=_text(p, "email"),
    )


def _staff_invitation(p: Mapping[str, Any]) -> Intent:
    """The invitation link, and the role it is for (one of the staff roles, nothing else)."""
    intent = _link(Kind.STAFF_INVITATION, "invite_url")(p)
    role = _text(p, "role")
    if role not in STAFF_ROLES:
        raise InvalidPayload("payload field 'role' is not a staff role")
    return replace(intent, data={**intent.data, "role": role})


_INTENTS: Mapping[str, Callable[[Mapping[str, Any]], Intent]] = {
    EMAIL_VERIFIED: _welcome,
    EMAIL_VERIFICATION_REQUESTED: _link(Kind.VERIFY_EMAIL, "verify_url"),
    SIGN_UP_ATTEMPTED: _sign_up_attempt,
    ORDER_CREATED: _order_created,
    ORDER_CANCELLED: _order_cancelled,
    ORDER_REJECTED: _order_rejected,
    PAYMENT_SUCCEEDED: _payment(Kind.PAYMENT_RECEIPT),
    PAYMENT_FAILED: _payment(Kind.PAYMENT_FAILED),
    PAYMENT_REFUNDED: _payment(Kind.REFUND),
    REFUND_DECLINED: _refund_declined,
    PASSWORD_RESET_REQUESTED: _link(Kind.PASSWORD_RESET, "reset_url"),
    STAFF_INVITED: _staff_invitation,
}

# The event types that ask for a message.
NOTIFYING_EVENTS = frozenset(_INTENTS)


def intent_for(event_type: str, payload: Mapping[str, Any]) -> Intent | None:
    """The message an event asks for, None for events that ask for none.

    Raises `InvalidPayload` when the payload lacks what the type promises.
    """
    make = _INTENTS.get(event_type)
    return make(payload) if make is not None else None


def subject_for(kind: Kind, data: Mapping[str, Any]) -> str:
    order = data.get("order_id", "")
    subjects = {
        Kind.WELCOME: "Welcome to Commerce",
        Kind.ORDER_CONFIRMATION: f"Order {order} received",
        Kind.ORDER_CANCELLED: f"Order {order} cancelled",
        Kind.ORDER_REJECTED: f"Order {order} could not be accepted",
        Kind.PAYMENT_RECEIPT: f"Receipt for order {order}",
        Kind.PAYMENT_FAILED: f"Payment failed for order {order}",
        Kind.REFUND: f"Refund for order {order}",
        Kind.REFUND_DECLINED: f"Your refund request for order {order}",
        Kind.PASSWORD_RESET: "Reset your Commerce password",
        Kind.VERIFY_EMAIL: "Confirm your email address for Commerce",
        Kind.SIGN_UP_ATTEMPT: "Someone tried to sign up with your address",
        Kind.STAFF_INVITATION: "You are invited to the Commerce back office",
    }
    return subjects[kind]


def _money(data: Mapping[str, Any], amount_key: str = "amount") -> str | None:
    amount, currency = data.get(amount_key), data.get("currency")
    if amount is None:
        return None
    return f"{amount} {currency}" if currency else str(amount)


def _reason(data: Mapping[str, Any]) -> str:
    reason = data.get("reason")
    return str(reason).replace("_", " ") if reason else "the payment was not accepted"


def _body(kind: Kind, data: Mapping[str, Any]) -> list[str]:
    order = data.get("order_id", "")
    payment = data.get("payment_id")
    amount = _money(data)
    if kind is Kind.WELCOME:
        return ["Your account is ready. Happy shopping!"]
    if kind is Kind.ORDER_CONFIRMATION:
        lines = [f"We have received your order {order}."]
        lines += [f"  {item['quantity']} x {item['name']}" for item in data.get("items", [])]
        lines.append(f"Total: {_money(data, 'total')}")
        lines.append("We will let you know once it is paid.")
        return lines
    if kind is Kind.ORDER_CANCELLED:
        if data.get("expired"):
            return [
                f"Your order {order} has been cancelled: it was not paid in time.",
                "The products we held for it are available to others again.",
            ]
        return [f"Your order {order} has been cancelled."]
    if kind is Kind.ORDER_REJECTED:
        lines = [f"We are sorry: we could not accept your order {order}, as we cannot"]
        lines.append("supply these products:")
        for line in data.get("short", []):
            if line.get("reason") in NO_LONGER_SOLD:
                left = "no longer sold"
            elif line["available"] > 0:
                left = f"only {line['available']} left"
            else:
                left = "sold out"
            lines.append(f"  {line['name']}: you asked for {line['requested']}, {left}")
        lines.append("Nothing was charged. You are welcome to order again.")
        return lines
    if kind is Kind.PAYMENT_RECEIPT:
        lines = [f"Thank you: we received your payment for order {order}."]
        if amount:
            lines.append(f"Amount paid: {amount}")
        if payment:
            lines.append(f"Payment reference: {payment}")
        return lines
    if kind is Kind.PASSWORD_RESET:
        until = datetime.fromisoformat(str(data["expires_at"])).astimezone(UTC)
        return [
            "Someone (we hope you) asked to reset the password of your Commerce account.",
            f"Choose a new password here, until {until:%Y-%m-%d %H:%M} UTC:",
            "",
            str(data["reset_url"]),
            "",
            "If it was not you, ignore this mail: your password stays as it is.",
        ]
    if kind is Kind.VERIFY_EMAIL:
        until = datetime.fromisoformat(str(data["expires_at"])).astimezone(UTC)
        return [
            "Someone (we hope you) created a Commerce account with this address.",
            f"Confirm that it is yours here, until {until:%Y-%m-%d %H:%M} UTC:",
            "",
            str(data["verify_url"]),
            "",
            "If it was not you, ignore this mail.",
        ]
    if kind is Kind.STAFF_INVITATION:
        until = datetime.fromisoformat(str(data["expires_at"])).astimezone(UTC)
        return [
            f"You are invited to join the Commerce staff as {data['role']}.",
            f"Set your password and sign-in codes here, until {until:%Y-%m-%d %H:%M} UTC:",
            "",
            str(data["invite_url"]),
            "",
            "The link works once. If you did not expect this, ignore this mail.",
        ]
    if kind is Kind.SIGN_UP_ATTEMPT:
        return [
            "Someone tried to create a Commerce account with this address, which has one.",
            "If it was you, sign in, or reset your password if you forgot it.",
            "If it was not you, ignore this mail: nothing changed.",
        ]
    if kind is Kind.REFUND_DECLINED:
        return [
            f"We looked at your refund request for order {order} and cannot refund it.",
            f"The reason: {data.get('reason', '')}",
            "Reply to this mail if you would like us to look at it again.",
        ]
    if kind is Kind.PAYMENT_FAILED:
        return [
            f"The payment for order {order} failed: {_reason(data)}.",
            "Your order is kept; you can try another payment method.",
        ]
    lines = [f"We refunded your payment for order {order}."]
    if amount:
        lines.append(f"Amount refunded: {amount}")
    if payment:
        lines.append(f"Payment reference: {payment}")
    return lines


def render(kind: Kind, data: Mapping[str, Any], channel: Channel, name: str | None) -> Message:
    """The message as sent: a full email, or one short SMS.

    `name` is the contact's once its address is verified (`Contact.greeting_name`); the
    welcome mail, sent upon verification, may also use its event's.
    """
    subject = subject_for(kind, data)
    if kind is Kind.WELCOME:
        name = name or data.get("name")
    if channel is Channel.SMS:
        return Message(subject, f"Commerce: {subject}."[:SMS_MAX_LENGTH])
    greeting = f"Hello {name}," if name else "Hello,"
    text = "\n".join([greeting, "", *_body(kind, data), "", "-- Commerce"]) + "\n"
    return Message(subject, text)
