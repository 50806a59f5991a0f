"""Deliver one notification: render it, send it through its channel, record the outcome.

Run by a job queue that may run it again (retries, a worker that died
mid-job, an event delivered twice). In effect it sends once:

1. A notification that is SENT or FAILED, or whose sent key is set, is not
   sent again (the sent key outlives both the job's result and the oldest
   event that is still notified about).
2. The message carries a key that is the same on every attempt (the
   notification id; the email channel makes its Message-ID from it), so a
   receiver can recognise the one resend that remains possible: a crash
   after the channel accepted the message and before `mark_sent` (one
   Redis round trip) ran.

A temporary failure raises `TryLater` with the backoff of the retry policy
until the last attempt, which marks the notification FAILED instead; a
permanent failure marks it FAILED at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from enum import StrEnum

from subgraphs.notifications.domain.messages import render
from subgraphs.notifications.domain.notification import Notification
from subgraphs.notifications.usecase.ports import (
    Channels,
    Clock,
    ContactStore,
    DeliveryPolicy,
    NotificationStore,
    OutgoingMessage,
    PermanentFailure,
    TemporaryFailure,
)

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY_DONE = "already_done"
    FAILED = "failed"
    MISSING = "missing"


class TryLater(Exception):
    """Run this delivery again in `delay_seconds`."""

    def __init__(self, delay_seconds: float, reason: str) -> None:
        super().__init__(reason)
        self.delay_seconds = delay_seconds
        self.reason = reason


Observer = Callable[[Notification, str], None]


class Deliver:
    """Send a queued notification once; `attempt` counts from 1 (the job's try)."""

    def __init__(
        self,
        *,
        store: NotificationStore,
        contacts: ContactStore,
        channels: Channels,
        clock: Clock,
        policy: DeliveryPolicy,
        observe: Observer = lambda notification, what: None,
    ) -> None:
        self._store = store
        self._contacts = contacts
        self._channels = channels
        self._clock = clock
        self._policy = policy
        self._observe = observe

    async def __call__(self, notification_id: str, attempt: int) -> Outcome:
        notification = await self._store.get(notification_id)
        if notification is None:
            log.warning("no such notification", extra={"notification_id": notification_id})
            return Outcome.MISSING
        if notification.done:
            return Outcome.ALREADY_DONE
        if await self._store.was_sent(notification_id):
            # Sent before, but the record missed it: repair the record, send nothing.
            await self._store.mark_sent(notification_id, self._clock(), "")
            return Outcome.ALREADY_DONE
        sender = self._channels.get(notification.channel)
        if sender is None:
            return await self._fail(notification, attempt, f"no {notification.channel} channel")
        contact = await self._contacts.get(notification.user_id)
        address = contact.address(notification.channel) if contact else None
        if address is None:
            # The users event with the address may not have been projected yet.
            return await self._temporary(notification, attempt, "no address known for the user")
        message = render(
            notification.kind,
            notification.data,
            notification.channel,
            contact.name if contact else None,
        )
        outgoing = OutgoingMessage(notification.id, address, message.subject, message.text)
        try:
            async with asyncio.timeout(self._policy.send_timeout_seconds):
                receipt = await sender.send(outgoing)
        except TimeoutError:
            timeout = self._policy.send_timeout_seconds
            return await self._temporary(notification, attempt, f"no answer within {timeout:g}s")
        except TemporaryFailure as exc:
            return await self._temporary(notification, attempt, str(exc))
        except PermanentFailure as exc:
            return await self._fail(notification, attempt, str(exc))
        await self._store.mark_sent(notification.id, self._clock(), receipt)
        self._observe(notification, "sent")
        return Outcome.SENT

    async def _temporary(self, notification: Notification, attempt: int, reason: str) -> Outcome:
        if attempt >= self._policy.max_attempts:
            return await self._fail(
                notification, attempt, f"gave up after {attempt} attempts: {reason}"
            )
        await self._store.note_attempt(notification.id, attempt, reason)
        self._observe(notification, "retried")
        delay = self._policy.delay(attempt)
        log.info(
            "delivery will be retried",
            extra={"notification_id": notification.id, "attempt": attempt, "reason": reason},
        )
        raise TryLater(delay, reason)

    async def _fail(self, notification: Notification, attempt: int, reason: str) -> Outcome:
        log.warning(
            "delivery failed for good",
            extra={"notification_id": notification.id, "attempt": attempt, "reason": reason},
        )
        await self._store.mark_failed(notification.id, reason[:500], attempt)
        self._observe(notification, "failed")
        return Outcome.FAILED
