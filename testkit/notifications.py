"""In-memory fakes of the notifications ports, with the same rules as the Redis adapters, and
`Context`: the context wired on them by `bootstrap`, as the worker wires it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from subgraphs.kernel.core.events import Event
from subgraphs.notifications.bootstrap import Delivery, bootstrap
from subgraphs.notifications.domain.notification import (
    Channel,
    Contact,
    DeliveryReport,
    FailureReason,
    Notification,
    Preferences,
    Status,
)
from subgraphs.notifications.usecase import WorkerUseCases
from subgraphs.notifications.usecase.events_read import EVENTS_READ
from subgraphs.notifications.usecase.ports import (
    ChannelSender,
    DeliveryPolicy,
    OutgoingMessage,
    Page,
    PageCursor,
    PermanentFailure,
    Ports,
    TemporaryFailure,
)
from subgraphs.notifications.worker import event_handlers
from testkit.kernel import FakeTime


class InMemoryNotifications:
    def __init__(self) -> None:
        self.by_id: dict[str, Notification] = {}
        self.sent_keys: set[str] = set()
        self.queued: dict[str, datetime] = {}  # the QUEUED list: id -> queued or last seen
        self.reported: set[str] = set()  # ids with a provider's report applied

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

    async def for_order(self, order_id: str, limit: int) -> list[Notification]:
        about = [n for n in self.by_id.values() if n.order_id == order_id]
        return sorted(about, key=lambda n: (n.created_at, n.id), reverse=True)[: max(limit, 0)]

    async def begin_attempt(self, notification_id: str) -> Notification | None:
        n = self.by_id.get(notification_id)
        if n is not None and n.status is Status.QUEUED:
            n = self.by_id[notification_id] = replace(n, attempts=n.attempts + 1)
        return n

    async def note_failure(self, notification_id: str, detail: str) -> None:
        n = self.by_id[notification_id]
        if n.status is Status.QUEUED:
            self.by_id[notification_id] = replace(n, last_error=detail)

    async def mark_sent(self, notification_id: str, now: datetime, receipt: str) -> None:
        self.sent_keys.add(notification_id)
        self.queued.pop(notification_id, None)
        n = self.by_id.get(notification_id)
        if n is not None and n.status is not Status.SENT and n.id not in self.reported:
            self.by_id[notification_id] = n.sent(now)

    async def mark_failed(self, notification_id: str, reason: FailureReason, detail: str) -> None:
        self.queued.pop(notification_id, None)
        n = self.by_id.get(notification_id)
        if n is not None and n.status is not Status.SENT and n.id not in self.reported:
            self.by_id[notification_id] = replace(n.failed(reason), last_error=detail)

    async def record_report(self, notification_id: str, report: DeliveryReport) -> bool:
        n = self.by_id.get(notification_id)
        if n is None or notification_id in self.reported:
            return False
        self.reported.add(notification_id)
        self.sent_keys.add(notification_id)
        self.queued.pop(notification_id, None)
        self.by_id[notification_id] = replace(
            n,
            status=report.status,
            sent_at=n.sent_at or report.at,
            failure_reason=report.failure_reason,
            last_error=report.detail if report.failure_reason else n.last_error,
        )
        return True

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

    async def mark_verified(self, user_id: str) -> None:
        current = self.by_user.get(user_id, Contact(user_id))
        self.by_user[user_id] = replace(current, verified=True)


class InMemoryOrders:
    def __init__(self) -> None:
        self.by_id: dict[str, Mapping[str, Any]] = {}

    async def put(self, order_id: str, summary: Mapping[str, Any]) -> None:
        self.by_id[order_id] = dict(summary)

    async def get(self, order_id: str) -> Mapping[str, Any] | None:
        return self.by_id.get(order_id)


class RecordingQueue:
    """Records enqueued ids; like arq, an id with a live job is not queued twice.

    `finish(id)` ends a job (as arq does when it is done, or when it drops one).
    """

    def __init__(self) -> None:
        self.enqueued: list[str] = []
        self.live: set[str] = set()

    async def enqueue(self, notification_id: str) -> None:
        if notification_id not in self.live:
            self.enqueued.append(notification_id)
            self.live.add(notification_id)

    def finish(self, notification_id: str) -> None:
        self.live.discard(notification_id)

    async def has_job(self, notification_id: str) -> bool:
        return notification_id in self.live


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


POLICY = DeliveryPolicy(
    max_attempts=3, first_delay_seconds=2, max_delay_seconds=5, attempt_timeout_seconds=0.5
)


class Context:
    """The notifications context on in-memory ports, wired by `bootstrap` as the worker wires
    it, and its events routed by the worker's own `event_handlers`."""

    def __init__(
        self,
        *,
        store: InMemoryNotifications | None = None,
        contacts: InMemoryContacts | None = None,
        channels: dict[Channel, ChannelSender] | None = None,
        policy: DeliveryPolicy = POLICY,
    ) -> None:
        self.clock = FakeTime()
        self.store = store or InMemoryNotifications()
        self.preferences = InMemoryPreferences()
        self.contacts = contacts or InMemoryContacts()
        self.orders = InMemoryOrders()
        self.queue = RecordingQueue()
        self.email = FakeChannel()
        self.observed: list[str] = []
        self.skipped: list[tuple[str, Channel | None]] = []
        self.usecases: WorkerUseCases = bootstrap(
            Ports(
                notifications=self.store,
                preferences=self.preferences,
                contacts=self.contacts,
                orders=self.orders,
            ),
            clock=self.clock,
            delivery=Delivery(
                queue=self.queue,
                channels={Channel.EMAIL: self.email} if channels is None else channels,
                policy=policy,
                max_event_age=timedelta(days=7),
                stuck_after=timedelta(seconds=60),
                observe=lambda n, outcome: self.observed.append(outcome),
                on_skipped=lambda reason, channel: self.skipped.append((reason, channel)),
            ),
        )
        self._handlers = event_handlers(self.usecases)

    async def handle(self, event: Event) -> None:
        """What the worker's stream consumer does with an event: its handlers get the fields
        the worker declares reading (`EVENTS_READ`); nothing for other types."""
        handler = self._handlers.get(event.type)
        if handler is not None:
            await handler(EVENTS_READ.project(event))

    def event(self, type_: str, payload: dict[str, Any], **age: float) -> Event:
        return Event.create(
            type_,
            payload,
            producer=type_.split(".")[0],
            occurred_at=self.clock() - timedelta(**age),
        )
