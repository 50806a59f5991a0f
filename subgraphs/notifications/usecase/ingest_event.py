"""One event in, the notifications it asks for queued for delivery.

For each channel of the event's intent that the user allows, a QUEUED
notification with the id `<event id>:<channel>` is stored and its delivery
enqueued under the same id. Both steps are idempotent, so an event delivered
again (or handled again after a crash before its acknowledgement) queues
nothing new; a notification already SENT or FAILED is never queued again.

It reads the projections (contacts, order totals) that their own handlers
keep; the worker runs those first for the same event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.events import Event
from subgraphs.notifications.domain.messages import NOTIFYING_EVENTS, intent_for, subject_for
from subgraphs.notifications.domain.notification import (
    Channel,
    Intent,
    Kind,
    Notification,
    Status,
    notification_id,
)
from subgraphs.notifications.usecase.ports import (
    ContactStore,
    DeliveryQueue,
    NotificationStore,
    OrderSummaries,
    PreferenceStore,
)

log = logging.getLogger(__name__)

Skipped = Callable[[str, Channel | None], None]


class IngestEvent:
    """Queue the notifications an event asks for, honouring the user's preferences (a
    transactional one, such as a password reset, goes out whatever they say; one that has
    expired already is not queued)."""

    TYPES = NOTIFYING_EVENTS

    def __init__(
        self,
        *,
        store: NotificationStore,
        preferences: PreferenceStore,
        contacts: ContactStore,
        orders: OrderSummaries,
        queue: DeliveryQueue,
        clock: Clock,
        max_event_age: timedelta,
        on_skipped: Skipped = lambda reason, channel: None,
    ) -> None:
        self._store = store
        self._preferences = preferences
        self._contacts = contacts
        self._orders = orders
        self._queue = queue
        self._clock = clock
        self._max_event_age = max_event_age
        self._on_skipped = on_skipped

    async def __call__(self, event: Event) -> None:
        """Handle one event; a payload that lacks what its type promises is `InvalidPayload`."""
        intent = intent_for(event.type, event.payload)
        if intent is None:
            return
        now = self._clock()
        if now - event.occurred_at > self._max_event_age:
            log.warning(
                "event too old to notify about",
                extra={"event_id": event.id, "type": event.type, "occurred_at": event.occurred_at},
            )
            self._on_skipped("stale_event", None)
            return
        if intent.expires_at is not None and now >= intent.expires_at:
            log.info("event expired before it was handled", extra={"event_id": event.id})
            self._on_skipped("expired", None)
            return
        intent = await self._with_order_total(intent)
        preferences = await self._preferences.get(intent.user_id)
        contact = await self._contacts.get(intent.user_id)
        for channel in intent.channels:
            if not intent.transactional and not preferences.allows(channel):
                self._on_skipped("preference_off", channel)
                continue
            if channel is Channel.SMS and (contact is None or not contact.phone):
                self._on_skipped("no_phone", channel)
                continue
            notification = Notification(
                id=notification_id(event.id, channel),
                user_id=intent.user_id,
                event_id=event.id,
                channel=channel,
                kind=intent.kind,
                subject=subject_for(intent.kind, intent.data),
                status=Status.QUEUED,
                data=intent.data,
                created_at=now,
                address=intent.address,
                expires_at=intent.expires_at,
            )
            existing = await self._store.create(notification)
            if existing is None or existing is Status.QUEUED:
                await self._queue.enqueue(notification.id)

    async def _with_order_total(self, intent: Intent) -> Intent:
        """A receipt or refund without an amount gets the order's total, if it is known."""
        if intent.kind not in (Kind.PAYMENT_RECEIPT, Kind.REFUND) or intent.data.get("amount"):
            return intent
        summary = await self._orders.get(str(intent.data["order_id"]))
        if summary is None:
            return intent
        data = {**intent.data, "amount": summary["total"], "currency": summary["currency"]}
        return Intent(intent.kind, intent.user_id, data, intent.channels)
