"""The notifications request context: the caller and the use cases."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kernel.context import RequestContext
from subgraphs.notifications.bootstrap import UseCases


@dataclass(kw_only=True)
class NotificationsContext(RequestContext):
    usecases: UseCases
