"""The one place the notifications use cases are wired: ports, clock and policy in, use cases out.

`app.py` (the subgraph), `worker.py` (the worker process) and the unit tests
all call `bootstrap`; only the ports differ (Redis adapters or in-memory
fakes). The subgraph gives no `Delivery` (it neither queues nor sends) and
gets the read side and the providers' delivery reports only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import overload

from subgraphs.kernel.core.clock import Clock
from subgraphs.notifications.domain.notification import Channel, Notification
from subgraphs.notifications.usecase import NotificationsUseCases, WorkerUseCases
from subgraphs.notifications.usecase.deliver import Deliver
from subgraphs.notifications.usecase.ingest_event import IngestEvent
from subgraphs.notifications.usecase.ports import Channels, DeliveryPolicy, DeliveryQueue, Ports
from subgraphs.notifications.usecase.project_contact import ProjectContact
from subgraphs.notifications.usecase.project_order import ProjectOrderSummary
from subgraphs.notifications.usecase.read_notifications import ReadNotifications
from subgraphs.notifications.usecase.record_report import RecordReport
from subgraphs.notifications.usecase.requeue_stuck import RequeueStuck
from subgraphs.notifications.usecase.update_preferences import UpdatePreferences


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """What only the worker has: the job queue, the channels, the retry policy, its hooks."""

    queue: DeliveryQueue
    channels: Channels
    policy: DeliveryPolicy
    max_event_age: timedelta
    stuck_after: timedelta
    observe: Callable[[Notification, str], None] = lambda notification, outcome: None
    on_skipped: Callable[[str, Channel | None], None] = lambda reason, channel: None


@overload
def bootstrap(ports: Ports, *, clock: Clock) -> NotificationsUseCases: ...
@overload
def bootstrap(ports: Ports, *, clock: Clock, delivery: Delivery) -> WorkerUseCases: ...
def bootstrap(
    ports: Ports, *, clock: Clock, delivery: Delivery | None = None
) -> NotificationsUseCases:
    read = ReadNotifications(ports.notifications, ports.preferences)
    update_preferences = UpdatePreferences(ports.preferences, clock)
    record_report = RecordReport(ports.notifications, clock)
    if delivery is None:
        return NotificationsUseCases(
            read=read, update_preferences=update_preferences, record_report=record_report
        )
    return WorkerUseCases(
        read=read,
        update_preferences=update_preferences,
        record_report=record_report,
        project_contact=ProjectContact(ports.contacts),
        project_order=ProjectOrderSummary(ports.orders),
        ingest=IngestEvent(
            store=ports.notifications,
            preferences=ports.preferences,
            contacts=ports.contacts,
            orders=ports.orders,
            queue=delivery.queue,
            clock=clock,
            max_event_age=delivery.max_event_age,
            on_skipped=delivery.on_skipped,
        ),
        deliver=Deliver(
            store=ports.notifications,
            contacts=ports.contacts,
            channels=delivery.channels,
            clock=clock,
            policy=delivery.policy,
            observe=delivery.observe,
        ),
        requeue_stuck=RequeueStuck(
            store=ports.notifications,
            queue=delivery.queue,
            clock=clock,
            stuck_after=delivery.stuck_after,
        ),
    )
