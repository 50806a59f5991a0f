"""In-memory fakes of the notifications ports, with the same rules as the Redis adapters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from subgraphs.notifications.domain.notification import (
    Contact,
    FailureReason,
    Notification,
    Preferences,
    Status,
)
from subgraphs.notifications.usecase.ports import (
    OutgoingMessage,
    Page,
    PageCursor,
    PermanentFailure,
    TemporaryFailure,
)


class InMemoryNotifications:
    def __init__(self) -> None:
        self.by_id: dict[str, Notification] = {}
        self.sent_keys: set[str] = set()
        self.queued: dict[str, datetime] = {}  # the QUEUED list: id -> queued or last seen

    async def create(self, notification: Notification) -> Status | None:
        if notification.id in self.by_id:
            return self.by_id[notification.id].status
        self.by_id[notification.id] = notification
        self.queued[notification.id] = notification.created_at
        return None

    async def get(self, notification_id: str) -> Notification | None:
        return self.by_id.get(notification_id)

    async def page_for_user(self, user_id: str, first: int, after: PageCursor | None) -> Page:
        mine = sorted(
            (n for n in self.by_id.values() if n.user_id == user_id),
            key=lambda n: (n.created_at, n.id),
            reverse=True,
        )
        if after is not None:
            ids = [n.id for n in mine]
            mine = mine[ids.index(after.id) + 1 :] if after.id in ids else []
        return Page(mine[:first], has_next=len(mine) > first)

    async def note_attempt(self, notification_id: str, attempts: int, error: str) -> None:
        n = self.by_id[notification_id]
        if n.status is Status.QUEUED:
            self.by_id[notification_id] = replace(n, attempts=attempts, last_error=error)

    async def mark_sent(self, notification_id: str, now: datetime, receipt: str) -> None:
        self.sent_keys.add(notification_id)
        self.queued.pop(notification_id, None)
        n = self.by_id.get(notification_id)
        if n is not None and n.status is not Status.SENT:
            self.by_id[notification_id] = n.sent(now)

    async def mark_failed(
        self, notification_id: str, reason: FailureReason, attempts: int, detail: str
    ) -> None:
        self.queued.pop(notification_id, None)
        n = self.by_id.get(notification_id)
        if n is not None and n.status is not Status.SENT:
            failed = replace(n.failed(reason), attempts=attempts, last_error=detail)
            self.by_id[notification_id] = failed

    async def was_sent(self, notification_id: str) -> bool:
        return notification_id in self.sent_keys

    async def queued_before(self, cutoff: datetime, limit: int) -> list[str]:
        due = sorted((at, i) for i, at in self.queued.items() if at <= cutoff)
        return [i for _, i in due[:limit]]

    async def seen_queued(self, notification_id: str, now: datetime) -> None:
        if notification_id in self.queued:
            self.queued[notification_id] = now

    async def unlist_queued(self, notification_id: str) -> None:
        self.queued.pop(notification_id, None)


class InMemoryPreferences:
    def __init__(self) -> None:
        self.by_user: dict[str, Preferences] = {}

    async def get(self, user_id: str) -> Preferences:
        return self.by_user.get(user_id, Preferences())

    async def put(self, user_id: str, preferences: Preferences) -> None:
        self.by_user[user_id] = preferences


class InMemoryContacts:
    def __init__(self) -> None:
        self.by_user: dict[str, Contact] = {}
        self.versions: dict[str, int] = {}

    async def get(self, user_id: str) -> Contact | None:
        return self.by_user.get(user_id)

    async def apply(
        self, user_id: str, *, email: str | None, name: str | None, phone: str | None, version: int
    ) -> None:
        current = self.by_user.get(user_id, Contact(user_id))
        if email:
            current = replace(current, email=email)
        if version >= self.versions.get(user_id, -1):
            current = replace(current, name=name, phone=phone)
            self.versions[user_id] = version
        self.by_user[user_id] = current


class InMemoryOrders:
    def __init__(self) -> None:
        self.by_id: dict[str, Mapping[str, Any]] = {}

    async def put(self, order_id: str, summary: Mapping[str, Any]) -> None:
        self.by_id[order_id] = dict(summary)

    async def get(self, order_id: str) -> Mapping[str, Any] | None:
        return self.by_id.get(order_id)


class RecordingQueue:
    """Records enqueued ids; like arq, an id still queued is not queued twice.

    `finish(id)` ends a job (as arq does when it gives up on one, or when it is done);
    `requeued` records (id, attempt) of the jobs `requeue` made.
    """

    def __init__(self) -> None:
        self.enqueued: list[str] = []
        self.finished: set[str] = set()
        self.requeued: list[tuple[str, int]] = []

    async def enqueue(self, notification_id: str) -> None:
        if notification_id not in self.enqueued:
            self.enqueued.append(notification_id)

    def finish(self, notification_id: str) -> None:
        self.finished.add(notification_id)

    async def has_job(self, notification_id: str) -> bool:
        return notification_id in self.enqueued and notification_id not in self.finished

    async def requeue(self, notification_id: str, attempt: int) -> bool:
        if await self.has_job(notification_id):
            return False
        self.finished.discard(notification_id)
        if notification_id not in self.enqueued:
            self.enqueued.append(notification_id)
        self.requeued.append((notification_id, attempt))
        return True


class FakeChannel:
    """Records what it sends; fails first with the queued failures, if any."""

    def __init__(self, *failures: Exception) -> None:
        self.sent: list[OutgoingMessage] = []
        self.failures = list(failures)

    async def send(self, message: OutgoingMessage) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return f"receipt-{message.key}"


def temporary(detail: str = "server down", reason: FailureReason | None = None) -> TemporaryFailure:
    return TemporaryFailure(detail, reason)


def permanent(
    detail: str = "550 no such mailbox", reason: FailureReason = FailureReason.RECIPIENT_REFUSED
) -> PermanentFailure:
    return PermanentFailure(detail, reason)


class Clock:
    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
