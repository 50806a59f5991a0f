"""The notifications request context: the caller and the use cases the subgraph serves."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kernel.context import RequestContext
from subgraphs.notifications.usecase.read_notifications import ReadNotifications
from subgraphs.notifications.usecase.update_preferences import UpdatePreferences


@dataclass(frozen=True, kw_only=True)
class NotificationsUseCases:
    read: ReadNotifications
    update_preferences: UpdatePreferences


@dataclass(kw_only=True)
class NotificationsContext(RequestContext):
    usecases: NotificationsUseCases
