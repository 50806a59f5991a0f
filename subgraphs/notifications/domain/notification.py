"""A notification: one message of one kind to one user over one channel, and its life.

A notification is born from an event (`event_id`) and a channel; that pair is
its identity, so the same event delivered twice is the same notification.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class Status(StrEnum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    # The provider reported it delivered (SMS through Twilio; mail servers report nothing).
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


class Kind(StrEnum):
    WELCOME = "WELCOME"
    ORDER_CONFIRMATION = "ORDER_CONFIRMATION"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    ORDER_REJECTED = "ORDER_REJECTED"
    PAYMENT_RECEIPT = "PAYMENT_RECEIPT"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    REFUND = "REFUND"
    REFUND_DECLINED = "REFUND_DECLINED"
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 (a kind of message)
    VERIFY_EMAIL = "VERIFY_EMAIL"
    SIGN_UP_ATTEMPT = "SIGN_UP_ATTEMPT"
    STAFF_INVITATION = "STAFF_INVITATION"


class FailureReason(StrEnum):
    """Why a notification FAILED: a short category, the only failure text clients see.

    The detail (server replies, host names, exception text) stays in the logs
    and in the record's unexposed `last_error`.
    """

    # At once: the channel refused this message for good.
    RECIPIENT_REFUSED = "recipient_refused"  # the address was refused (SMTP 5xx to RCPT TO)
    MESSAGE_REJECTED = "message_rejected"  # the message was refused (another SMTP 5xx)
    NO_CHANNEL = "no_channel"  # the worker has no sender for this channel
    EXPIRED = "expired"  # what it carries expired before it could be sent (a reset link)
    # After the last attempt: the category of the last temporary failure.
    NO_CONTACT = "no_contact"  # no address was known for the user
    SMTP_UNAVAILABLE = "smtp_unavailable"  # mail server unreachable, silent, 4xx, login refused
    GAVE_UP = "gave_up"  # another channel kept failing (SMS provider); also older records
    # After it was sent: the provider reported that it could not be delivered.
    UNDELIVERED = "undelivered"
    INTERNAL_ERROR = "internal_error"  # an unexpected error in the worker (Redis, a bug, time)

    @classmethod
    def parse(cls, stored: str) -> FailureReason:
        """The category stored; free text written before categories existed reads as GAVE_UP."""
        try:
            return cls(stored)
        except ValueError:
            return cls.GAVE_UP

    @classmethod
    def unavailable(cls, channel: Channel) -> FailureReason:
        """The category of a channel's temporary failure (unreachable, no answer in time)."""
        return cls.SMTP_UNAVAILABLE if channel is Channel.EMAIL else cls.GAVE_UP


def notification_id(event_id: str, channel: Channel) -> str:
    """The id of the notification an event gives rise to on a channel (also its job id)."""
    return f"{event_id}:{channel.value.lower()}"


@dataclass(frozen=True, slots=True)
class Preferences:
    """Which channels a user accepts. Email is on and SMS off until the user says otherwise."""

    email: bool = True
    sms: bool = False
    updated_at: datetime | None = None

    def allows(self, channel: Channel) -> bool:
        return self.email if channel is Channel.EMAIL else self.sms

    def changed(self, *, email: bool | None, sms: bool | None, now: datetime) -> Preferences:
        """These preferences with the given channels switched; None leaves a channel as it is."""
        return Preferences(
            email=self.email if email is None else email,
            sms=self.sms if sms is None else sms,
            updated_at=now,
        )


@dataclass(frozen=True, slots=True)
class Contact:
    """What the notifications context knows of how to reach a user (from users events)."""

    user_id: str
    email: str | None = None
    name: str | None = None
    phone: str | None = None
    verified: bool = False  # the address's owner opened its verification link

    @property
    def greeting_name(self) -> str | None:
        """The name mails may show: none before the address is verified, since until then
        the name is whatever someone typed next to a possibly stranger's address."""
        return self.name if self.verified else None

    def address(self, channel: Channel) -> str | None:
        return self.email if channel is Channel.EMAIL else self.phone


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    user_id: str
    event_id: str
    channel: Channel
    kind: Kind
    subject: str
    status: Status
    # What the message is rendered from (order id, amounts...), JSON-compatible.
    data: Mapping[str, Any]
    created_at: datetime
    sent_at: datetime | None = None
    failure_reason: FailureReason | None = None
    attempts: int = 0
    last_error: str | None = None
    # The recipient, when the event named it (otherwise the contact projection's address).
    address: str | None = None
    # Never sent from then on (what it carries, e.g. a reset link, is no longer valid).
    expires_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.status is not Status.QUEUED

    @property
    def order_id(self) -> str | None:
        """The order it is about (confirmation, receipt, refund...), if any."""
        order_id = self.data.get("order_id")
        return order_id if isinstance(order_id, str) and order_id else None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def sent(self, now: datetime) -> Notification:
        return replace(self, status=Status.SENT, sent_at=now, failure_reason=None)

    def failed(self, reason: FailureReason) -> Notification:
        return replace(self, status=Status.FAILED, failure_reason=reason)


@dataclass(frozen=True, slots=True)
class Intent:
    """What an event asks for: a message of `kind` to `user_id`, on any allowed channel.

    A `transactional` message (a password reset) goes out whatever the user's preferences
    say; `address` names its recipient; nothing is sent at or after `expires_at`.
    """

    kind: Kind
    user_id: str
    data: Mapping[str, Any] = field(default_factory=dict)
    channels: tuple[Channel, ...] = (Channel.EMAIL, Channel.SMS)
    transactional: bool = False
    address: str | None = None
    expires_at: datetime | None = None


# A provider's final statuses (Twilio's words); the ones before them (queued, sending, sent...)
# record nothing.
_FINAL = {"delivered": Status.DELIVERED, "undelivered": Status.FAILED, "failed": Status.FAILED}


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """A provider's final word on a message it accepted (an SMS status callback)."""

    provider_status: str  # delivered, undelivered or failed
    receipt: str  # the provider's id of the message (Twilio's MessageSid)
    at: datetime
    detail: str = ""  # the provider's error code, if any (logged, never shown to clients)

    @classmethod
    def final(
        cls, provider_status: str, receipt: str, at: datetime, detail: str = ""
    ) -> DeliveryReport | None:
        """The report if `provider_status` is final; None for the steps before it."""
        status = provider_status.strip().lower()
        return cls(status, receipt, at, detail) if status in _FINAL else None

    @property
    def status(self) -> Status:
        return _FINAL[self.provider_status]

    @property
    def failure_reason(self) -> FailureReason | None:
        return FailureReason.UNDELIVERED if self.status is Status.FAILED else None
