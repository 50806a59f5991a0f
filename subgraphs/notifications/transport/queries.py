"""Notifications queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.graphql.types import query_root
from subgraphs.notifications.transport.context import NotificationsContext
from subgraphs.notifications.transport.types import Notification


@query_root
class Query:
    @strawberry.field(description="One of your notifications; null if there is no such one.")
    async def notification(
        self,
        info: Info[NotificationsContext, None],
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The notification's identifier.")
        ],
    ) -> Notification | None:
        principal = await info.context.auth.require()
        found = await info.context.usecases.read.by_id(str(id))
        if found is None or found.user_id != principal.user_id:
            return None  # someone else's answers as none does
        return Notification.from_model(found)
