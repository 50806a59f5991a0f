"""Notifications mutations: an input object in, a payload with `userErrors` out."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.graphql.types import MutationPayload, mutation_root, user_errors
from subgraphs.notifications.transport.context import NotificationsContext
from subgraphs.notifications.transport.types import NotificationPreferences


@strawberry.input(description="Preference changes; an omitted channel stays as it is.")
class UpdateNotificationPreferencesInput:
    email: bool | None = strawberry.field(default=None, description="Email on or off.")
    sms: bool | None = strawberry.field(default=None, description="SMS on or off.")


@strawberry.type(description="The result of `updateNotificationPreferences`.")
class UpdateNotificationPreferencesPayload(MutationPayload):
    preferences: NotificationPreferences | None = strawberry.field(
        default=None, description="The preferences now; null on userErrors."
    )


@mutation_root
class Mutation:
    @strawberry.mutation(
        description="Turn email and/or SMS notifications on or off; an omitted one stays as it is."
    )
    async def update_notification_preferences(
        self,
        info: Info[NotificationsContext, None],
        input: Annotated[
            UpdateNotificationPreferencesInput, strawberry.argument(description="The changes.")
        ],
    ) -> UpdateNotificationPreferencesPayload:
        principal = await info.context.auth.require()
        try:
            preferences = await info.context.usecases.update_preferences(
                principal.user_id, email=input.email, sms=input.sms
            )
        except DomainError as error:
            return UpdateNotificationPreferencesPayload(user_errors=user_errors(error))
        return UpdateNotificationPreferencesPayload(
            preferences=NotificationPreferences.from_model(preferences)
        )
