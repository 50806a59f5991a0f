"""Read a user's notifications page by page, those about an order, one notification, and the
user's preferences (who may read them is the transport's check)."""

from __future__ import annotations

from subgraphs.notifications.domain.notification import Notification, Preferences
from subgraphs.notifications.usecase.ports import (
    NotificationStore,
    Page,
    PageCursor,
    PreferenceStore,
)

MAX_PAGE = 100
MAX_PER_ORDER = 50  # far more than an order's life gives rise to (placed, paid, refunded...)


class ReadNotifications:
    def __init__(self, store: NotificationStore, preferences: PreferenceStore) -> None:
        self._store = store
        self._preferences = preferences

    async def page_for_user(self, user_id: str, first: int, after: PageCursor | None) -> Page:
        """Newest first, at most `MAX_PAGE` at once (owner checks are the caller's).

        `first` of 0 or less is an empty page with nothing said to follow (the transport
        refuses a negative one before it gets here).
        """
        if first <= 0:
            return Page([], has_next=False)
        return await self._store.page_for_user(user_id, min(first, MAX_PAGE), after)

    async def for_order(self, order_id: str) -> list[Notification]:
        """The notifications about an order, newest first, at most `MAX_PER_ORDER`."""
        return await self._store.for_order(order_id, MAX_PER_ORDER)

    async def by_id(self, notification_id: str) -> Notification | None:
        return await self._store.get(notification_id)

    async def preferences(self, user_id: str) -> Preferences:
        """The user's channel preferences (email on, SMS off until changed)."""
        return await self._preferences.get(user_id)
