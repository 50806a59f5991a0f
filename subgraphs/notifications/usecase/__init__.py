"""The notifications use cases: those the subgraph serves and those the worker runs too."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.notifications.usecase.deliver import Deliver
from subgraphs.notifications.usecase.ingest_event import IngestEvent
from subgraphs.notifications.usecase.project_contact import ProjectContact
from subgraphs.notifications.usecase.project_order import ProjectOrderSummary
from subgraphs.notifications.usecase.read_notifications import ReadNotifications
from subgraphs.notifications.usecase.record_report import RecordReport
from subgraphs.notifications.usecase.requeue_stuck import RequeueStuck
from subgraphs.notifications.usecase.update_preferences import UpdatePreferences


@dataclass(frozen=True, kw_only=True)
class NotificationsUseCases:
    read: ReadNotifications
    update_preferences: UpdatePreferences
    record_report: RecordReport


@dataclass(frozen=True, kw_only=True)
class WorkerUseCases(NotificationsUseCases):
    """What the worker runs as well: the event handlers, the delivery job and the sweep."""

    project_contact: ProjectContact
    project_order: ProjectOrderSummary
    ingest: IngestEvent
    deliver: Deliver
    requeue_stuck: RequeueStuck
