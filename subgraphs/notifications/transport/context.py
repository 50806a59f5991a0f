"""The notifications request context: the caller and the use cases the subgraph serves."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kernel.graphql.context import RequestContext
from subgraphs.notifications.usecase import NotificationsUseCases


@dataclass(kw_only=True)
class NotificationsContext(RequestContext):
    usecases: NotificationsUseCases
