"""Ports the notifications use cases depend on; adapters and test fakes implement them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from subgraphs.notifications.domain.notification import (
    Channel,
    Contact,
    Notification,
    Preferences,
    Status,
)

Clock = Callable[[], datetime]


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

    async def note_attempt(self, notification_id: str, attempts: int, error: str) -> None:
        """Record a failed attempt that will be retried (the notification stays QUEUED)."""

    async def mark_sent(self, notification_id: str, now: datetime, receipt: str) -> None:
        """SENT, and the sent key set: from now on nothing sends this notification again."""

    async def mark_failed(self, notification_id: str, reason: str, attempts: int) -> None:
        """FAILED for good, with a reason (a SENT notification stays SENT)."""

    async def was_sent(self, notification_id: str) -> bool:
        """True if the sent key is set (it outlives the job's result and the event's age limit)."""


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


class OrderSummaries(Protocol):
    """Totals of recent orders, so a receipt can show an amount the payment event lacks."""

    async def put(self, order_id: str, summary: Mapping[str, Any]) -> None: ...

    async def get(self, order_id: str) -> Mapping[str, Any] | None: ...


class DeliveryQueue(Protocol):
    async def enqueue(self, notification_id: str) -> None:
        """Have the notification delivered by a worker; enqueuing it twice runs it once."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to one address. `key` is stable across retries (the notification id)."""

    key: str
    to: str
    subject: str
    text: str


class TemporaryFailure(Exception):
    """The channel could not send now (server down, timeout, 4xx); trying later may work."""


class PermanentFailure(Exception):
    """The channel refused the message for good (bad address, 5xx); retrying will not help."""


class ChannelSender(Protocol):
    """Sends a message over one channel; raises `TemporaryFailure` or `PermanentFailure`."""

    async def send(self, message: OutgoingMessage) -> str:
        """The provider's receipt (e.g. the Message-ID)."""


Channels = Mapping[Channel, ChannelSender]


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How long one send may take, attempts per notification, backoff (exponential, capped)."""

    send_timeout_seconds: float = 20.0
    max_attempts: int = 8
    first_delay_seconds: float = 2.0
    max_delay_seconds: float = 300.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return min(self.first_delay_seconds * 2 ** (attempt - 1), self.max_delay_seconds)
