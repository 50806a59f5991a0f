"""Ports the notifications use cases depend on; adapters and test fakes implement them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from subgraphs.notifications.domain.notification import (
    Channel,
    Contact,
    DeliveryReport,
    FailureReason,
    Notification,
    Preferences,
    Status,
)


@dataclass(frozen=True, slots=True)
class Page:
    notifications: list[Notification]
    has_next: bool


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Where a page ends: the last notification's creation time (ms) and id."""

    created_ms: int
    id: str


class NotificationStore(Protocol):
    async def create(self, notification: Notification) -> Status | None:
        """Store a new QUEUED notification; if one with its id exists, its status, untouched."""

    async def get(self, notification_id: str) -> Notification | None: ...

    async def page_for_user(self, user_id: str, first: int, after: PageCursor | None) -> Page:
        """The user's notifications, newest first, after `after`."""

    async def for_order(self, order_id: str, limit: int) -> list[Notification]:
        """The notifications about an order, newest first, at most `limit`."""

    async def begin_attempt(self, notification_id: str) -> Notification | None:
        """The notification, with one more attempt counted if it is QUEUED (atomically)."""

    async def note_failure(self, notification_id: str, detail: str) -> None:
        """Keep the detail of a failed attempt that will be retried (it stays QUEUED)."""

    async def mark_sent(self, notification_id: str, now: datetime, receipt: str) -> None:
        """SENT, and the sent key set: from now on nothing sends this notification again."""

    async def mark_failed(self, notification_id: str, reason: FailureReason, detail: str) -> None:
        """FAILED for good: `reason` is shown to clients, `detail` only kept as `last_error`
        (a SENT notification stays SENT)."""

    async def record_report(self, notification_id: str, report: DeliveryReport) -> bool:
        """Apply the provider's report (DELIVERED, or FAILED `undelivered`) unless one was
        applied before; False if it changed nothing. Nothing changes the status after it."""

    async def was_sent(self, notification_id: str) -> bool:
        """True if the sent key is set (it outlives the job's result and the event's age limit)."""

    async def queued_before(self, cutoff: datetime, limit: int) -> list[str]:
        """Ids of QUEUED notifications queued (or last seen with a job) at or before `cutoff`,
        oldest first."""

    async def seen_queued(self, notification_id: str, now: datetime) -> None:
        """Note that a QUEUED notification was checked at `now` (no-op unless it is listed)."""

    async def unlist_queued(self, notification_id: str) -> None:
        """Drop an id from the QUEUED list (its record expired or is no longer QUEUED)."""


class PreferenceStore(Protocol):
    async def get(self, user_id: str) -> Preferences:
        """The user's preferences; the defaults if they never set any."""

    async def put(self, user_id: str, preferences: Preferences) -> None: ...


class ContactStore(Protocol):
    async def get(self, user_id: str) -> Contact | None: ...

    async def apply(
        self,
        user_id: str,
        *,
        email: str | None,
        name: str | None,
        phone: str | None,
        version: int,
    ) -> None:
        """Apply a users event: `email` if given; name and phone unless a newer `version` won."""

    async def mark_verified(self, user_id: str) -> None:
        """The user's address is verified (`users.email_verified`); never undone."""


class OrderSummaries(Protocol):
    """Totals of recent orders, so a receipt can show an amount the payment event lacks."""

    async def put(self, order_id: str, summary: Mapping[str, Any]) -> None: ...

    async def get(self, order_id: str) -> Mapping[str, Any] | None: ...


class DeliveryQueue(Protocol):
    async def enqueue(self, notification_id: str) -> None:
        """Have the notification delivered by a worker; enqueuing it twice runs it once."""

    async def has_job(self, notification_id: str) -> bool:
        """True while a job for the notification is queued, deferred for a retry or running."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to one address. `key` is stable across retries (the notification id)."""

    key: str
    to: str
    subject: str
    text: str


class TemporaryFailure(Exception):
    """The channel could not send now (server down, timeout, 4xx); trying later may work.

    The message is the detail (logged, never shown to clients); `reason` is the category
    recorded if this is the last attempt (by default the channel's "unavailable" one).
    """

    def __init__(self, detail: str, reason: FailureReason | None = None) -> None:
        super().__init__(detail)
        self.reason = reason


class PermanentFailure(Exception):
    """The channel refused the message for good (bad address, 5xx); retrying will not help.

    The message is the detail (logged, never shown to clients); `reason` is the category.
    """

    def __init__(self, detail: str, reason: FailureReason = FailureReason.MESSAGE_REJECTED) -> None:
        super().__init__(detail)
        self.reason = reason


class ChannelSender(Protocol):
    """Sends a message over one channel; raises `TemporaryFailure` or `PermanentFailure`."""

    async def send(self, message: OutgoingMessage) -> str:
        """The provider's receipt (e.g. the Message-ID)."""


Channels = Mapping[Channel, ChannelSender]


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """The one retry policy: attempts per notification, backoff (exponential, capped), and
    how long one attempt (the send included) may take."""

    max_attempts: int = 8
    first_delay_seconds: float = 2.0
    max_delay_seconds: float = 300.0
    attempt_timeout_seconds: float = 25.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return min(self.first_delay_seconds * 2 ** (attempt - 1), self.max_delay_seconds)


@dataclass(frozen=True, kw_only=True)
class Ports:
    """The stores every notifications process uses (Redis adapters, or fakes in tests)."""

    notifications: NotificationStore
    preferences: PreferenceStore
    contacts: ContactStore
    orders: OrderSummaries
