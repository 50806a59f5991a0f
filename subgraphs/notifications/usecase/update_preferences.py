"""Switch the signed-in user's notification channels on or off."""

from __future__ import annotations

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.notifications.domain.notification import Preferences
from subgraphs.notifications.usecase.ports import PreferenceStore


class UpdatePreferences:
    """Turn email and/or SMS notifications on or off; an omitted channel stays as it is.

    Applies to notifications queued from then on. SMS needs a phone number on
    the profile as well; without one no SMS is sent.
    """

    def __init__(self, preferences: PreferenceStore, clock: Clock) -> None:
        self._preferences = preferences
        self._clock = clock

    async def __call__(self, user_id: str, *, email: bool | None, sms: bool | None) -> Preferences:
        if email is None and sms is None:
            raise DomainError.of("NOTHING_TO_UPDATE", "Give email, sms or both.")
        current = await self._preferences.get(user_id)
        updated = current.changed(email=email, sms=sms, now=self._clock())
        await self._preferences.put(user_id, updated)
        return updated
