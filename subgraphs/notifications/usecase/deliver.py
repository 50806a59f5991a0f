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
permanent failure marks it FAILED at once. Anything unexpected (Redis
unreachable, a bug, an attempt that outlives `attempt_timeout_seconds`) is
treated as temporary: logged with the notification id, retried with the
same backoff, and FAILED with `internal_error` on the last attempt. So
`Deliver` itself only ever returns an `Outcome` or raises `TryLater` (or is
cancelled).

Clients see only a `FailureReason` category; the detail (server replies,
host names, exception text) goes to the logs and to the unexposed
`last_error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from subgraphs.notifications.domain.messages import render
from subgraphs.notifications.domain.notification import FailureReason, Notification
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

MAX_DETAIL = 500


@dataclass(slots=True)
class _Attempt:
    notification_id: str
    number: int
    notification: Notification | None = None  # once loaded


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

    def retry_delay(self, attempt: int) -> float:
        """Seconds to wait before the attempt after `attempt` (the policy's backoff)."""
        return self._policy.delay(attempt)

    async def __call__(self, notification_id: str, attempt: int) -> Outcome:
        current = _Attempt(notification_id, attempt)
        deadline = asyncio.timeout(self._policy.attempt_timeout_seconds)
        try:
            async with deadline:
                return await self._attempt(current)
        except TryLater:
            raise
        except Exception as exc:
            if deadline.expired():
                limit = self._policy.attempt_timeout_seconds
                detail = f"the attempt took longer than {limit:g}s"
            else:
                detail = f"{type(exc).__name__}: {exc}"
            return await self._unexpected(current, detail, exc)

    async def _attempt(self, current: _Attempt) -> Outcome:
        notification_id, attempt = current.notification_id, current.number
        notification = await self._store.get(notification_id)
        if notification is None:
            log.warning("no such notification", extra={"notification_id": notification_id})
            return Outcome.MISSING
        current.notification = notification
        if notification.done:
            return Outcome.ALREADY_DONE
        if await self._store.was_sent(notification_id):
            # Sent before, but the record missed it: repair the record, send nothing.
            await self._store.mark_sent(notification_id, self._clock(), "")
            return Outcome.ALREADY_DONE
        sender = self._channels.get(notification.channel)
        if sender is None:
            detail = f"no {notification.channel} channel"
            return await self._fail(notification, attempt, FailureReason.NO_CHANNEL, detail)
        contact = await self._contacts.get(notification.user_id)
        address = contact.address(notification.channel) if contact else None
        if address is None:
            # The users event with the address may not have been projected yet.
            return await self._temporary(
                notification, attempt, FailureReason.NO_CONTACT, "no address known for the user"
            )
        message = render(
            notification.kind,
            notification.data,
            notification.channel,
            contact.name if contact else None,
        )
        outgoing = OutgoingMessage(notification.id, address, message.subject, message.text)
        unavailable = FailureReason.unavailable(notification.channel)
        try:
            async with asyncio.timeout(self._policy.send_timeout_seconds):
                receipt = await sender.send(outgoing)
        except TimeoutError:
            timeout = self._policy.send_timeout_seconds
            detail = f"no answer within {timeout:g}s"
            return await self._temporary(notification, attempt, unavailable, detail)
        except TemporaryFailure as exc:
            reason = exc.reason or unavailable
            return await self._temporary(notification, attempt, reason, str(exc))
        except PermanentFailure as exc:
            return await self._fail(notification, attempt, exc.reason, str(exc))
        await self._store.mark_sent(notification.id, self._clock(), receipt)
        self._observe(notification, "sent")
        return Outcome.SENT

    async def _temporary(
        self, notification: Notification, attempt: int, reason: FailureReason, detail: str
    ) -> Outcome:
        if attempt >= self._policy.max_attempts:
            detail = f"gave up after {attempt} attempts: {detail}"
            return await self._fail(notification, attempt, reason, detail)
        await self._store.note_attempt(notification.id, attempt, detail[:MAX_DETAIL])
        self._observe(notification, "retried")
        delay = self._policy.delay(attempt)
        log.info(
            "delivery will be retried",
            extra={
                "notification_id": notification.id,
                "attempt": attempt,
                "reason": reason.value,
                "detail": detail,
            },
        )
        raise TryLater(delay, detail)

    async def _fail(
        self, notification: Notification, attempt: int, reason: FailureReason, detail: str
    ) -> Outcome:
        log.warning(
            "delivery failed for good",
            extra={
                "notification_id": notification.id,
                "attempt": attempt,
                "reason": reason.value,
                "detail": detail,
            },
        )
        await self._store.mark_failed(notification.id, reason, attempt, detail[:MAX_DETAIL])
        self._observe(notification, "failed")
        return Outcome.FAILED

    async def _unexpected(self, current: _Attempt, detail: str, exc: Exception) -> Outcome:
        """An attempt that failed in an unexpected way: retried, FAILED on the last attempt."""
        notification_id, attempt = current.notification_id, current.number
        context = {"notification_id": notification_id, "attempt": attempt, "detail": detail}
        delay = self._policy.delay(attempt)
        if attempt < self._policy.max_attempts:
            log.warning(
                "delivery attempt failed unexpectedly; will be retried",
                exc_info=exc,
                extra={**context, "retry_in_seconds": delay},
            )
            with contextlib.suppress(Exception):  # Redis may be what failed
                await self._store.note_attempt(
                    notification_id, attempt, f"unexpected: {detail}"[:MAX_DETAIL]
                )
            if current.notification is not None:
                self._observe(current.notification, "retried")
            raise TryLater(delay, FailureReason.INTERNAL_ERROR.value) from exc
        log.error("delivery failed for good after an unexpected error", exc_info=exc, extra=context)
        try:
            await self._store.mark_failed(
                notification_id,
                FailureReason.INTERNAL_ERROR,
                attempt,
                f"gave up after {attempt} attempts: unexpected: {detail}"[:MAX_DETAIL],
            )
        except Exception as record_error:
            # The job has spare tries for this; beyond them the stuck-notification sweep.
            log.error(
                "could not record the failure; will try again",
                exc_info=record_error,
                extra=context,
            )
            raise TryLater(delay, FailureReason.INTERNAL_ERROR.value) from record_error
        if current.notification is not None:
            self._observe(current.notification, "failed")
        return Outcome.FAILED
