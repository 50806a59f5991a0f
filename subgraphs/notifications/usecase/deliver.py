"""Deliver one notification: one attempt to render it, send it and record the outcome.

This use case owns the retry policy (`DeliveryPolicy`). Each attempt is
counted in the notification's record before anything is sent, so the count
survives crashes and lost jobs. A failure that may pass (the server is
down, no address yet, a Redis error, a bug, an attempt over its time limit)
raises `TryLater` with the policy's backoff until the last attempt, which
records FAILED; a failure that cannot pass (SMTP 5xx) records FAILED at
once. An attempt that finds the count already past the last one (the last
attempt never finished: the worker died) records FAILED too.

Sent once in effect: a notification that is SENT or FAILED, or whose sent
key is set, is never sent again, nor is one past its `expires_at` (FAILED,
`expired`); every attempt sends the same key (the
email's Message-ID), so the one resend left possible (a crash between the
server's acceptance and `mark_sent`) is recognisable as the same message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from subgraphs.kernel.core.clock import Clock
from subgraphs.notifications.domain.messages import render
from subgraphs.notifications.domain.notification import FailureReason, Notification
from subgraphs.notifications.usecase.ports import (
    Channels,
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
    """Run this delivery again in `delay_seconds`; the message is the failure's detail."""

    def __init__(self, delay_seconds: float, reason: FailureReason, detail: str) -> None:
        super().__init__(detail)
        self.delay_seconds = delay_seconds
        self.reason = reason


Observer = Callable[[Notification, str], None]

MAX_DETAIL = 500


@dataclass(slots=True)
class _Attempt:
    notification_id: str
    notification: Notification | None = None  # once counted
    sending: bool = False

    @property
    def number(self) -> int:
        return self.notification.attempts if self.notification else 0


class Deliver:
    """Make one delivery attempt of a queued notification."""

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

    async def __call__(self, notification_id: str) -> Outcome:
        """The outcome, or `TryLater`; nothing else escapes (cancellation aside)."""
        current = _Attempt(notification_id)
        limit = self._policy.attempt_timeout_seconds
        deadline = asyncio.timeout(limit)
        try:
            async with deadline:
                return await self._attempt(current)
        except TryLater:
            raise
        except Exception as exc:
            if deadline.expired() and current.sending and current.notification is not None:
                unavailable = FailureReason.unavailable(current.notification.channel)
                failure = (unavailable, f"no answer within {limit:g}s")
            elif deadline.expired():
                failure = (FailureReason.INTERNAL_ERROR, f"the attempt took longer than {limit:g}s")
            else:
                failure = (FailureReason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")
                log.warning(
                    "delivery attempt failed unexpectedly",
                    exc_info=exc,
                    extra={"notification_id": notification_id, "attempt": current.number},
                )
            try:
                return await self._retry_or_fail(current, *failure)
            except TryLater:
                raise
            except Exception as record_error:  # Redis may be what failed: try again later
                log.warning(
                    "could not record the attempt's outcome",
                    exc_info=record_error,
                    extra={"notification_id": notification_id},
                )
                delay = self._policy.delay(max(current.number, 1))
                raise TryLater(
                    delay, FailureReason.INTERNAL_ERROR, repr(record_error)
                ) from record_error

    async def _attempt(self, current: _Attempt) -> Outcome:
        notification = await self._store.begin_attempt(current.notification_id)
        if notification is None:
            log.warning("no such notification", extra={"notification_id": current.notification_id})
            return Outcome.MISSING
        current.notification = notification
        if notification.done:
            return Outcome.ALREADY_DONE
        if await self._store.was_sent(notification.id):
            # Sent before, but the record missed it: repair the record, send nothing.
            await self._store.mark_sent(notification.id, self._clock(), "")
            return Outcome.ALREADY_DONE
        if notification.attempts > self._policy.max_attempts:
            detail = f"attempt {notification.attempts - 1} never finished"
            return await self._fail(current, FailureReason.INTERNAL_ERROR, detail)
        if notification.expired(self._clock()):
            detail = f"expired at {notification.expires_at:%Y-%m-%dT%H:%M:%SZ} before it was sent"
            return await self._fail(current, FailureReason.EXPIRED, detail)
        sender = self._channels.get(notification.channel)
        if sender is None:
            detail = f"no {notification.channel} channel"
            return await self._fail(current, FailureReason.NO_CHANNEL, detail)
        contact = await self._contacts.get(notification.user_id)
        address = notification.address or (
            contact.address(notification.channel) if contact else None
        )
        if address is None:
            # The users event with the address may not have been projected yet.
            detail = "no address known for the user"
            return await self._retry_or_fail(current, FailureReason.NO_CONTACT, detail)
        name = contact.greeting_name if contact else None
        message = render(notification.kind, notification.data, notification.channel, name)
        outgoing = OutgoingMessage(notification.id, address, message.subject, message.text)
        current.sending = True  # a time-out from here on is the channel's (no answer)
        try:
            receipt = await sender.send(outgoing)
        except (TemporaryFailure, PermanentFailure) as exc:
            current.sending = False
            if isinstance(exc, PermanentFailure):
                return await self._fail(current, exc.reason, str(exc))
            reason = exc.reason or FailureReason.unavailable(notification.channel)
            return await self._retry_or_fail(current, reason, str(exc))
        current.sending = False
        await self._store.mark_sent(notification.id, self._clock(), receipt)
        self._observe(notification, "sent")
        return Outcome.SENT

    async def _retry_or_fail(
        self, current: _Attempt, reason: FailureReason, detail: str
    ) -> Outcome:
        """`TryLater` with the backoff, or FAILED if this was the last attempt."""
        attempt = current.number
        if attempt >= self._policy.max_attempts:
            return await self._fail(current, reason, f"gave up after {attempt} attempts: {detail}")
        delay = self._policy.delay(max(attempt, 1))
        await self._store.note_failure(current.notification_id, detail[:MAX_DETAIL])
        if current.notification is not None:
            self._observe(current.notification, "retried")
        log.info(
            "delivery will be retried",
            extra={
                "notification_id": current.notification_id,
                "attempt": attempt,
                "reason": reason.value,
                "detail": detail,
                "retry_in_seconds": delay,
            },
        )
        raise TryLater(delay, reason, detail)

    async def _fail(self, current: _Attempt, reason: FailureReason, detail: str) -> Outcome:
        log.warning(
            "delivery failed for good",
            extra={
                "notification_id": current.notification_id,
                "attempt": current.number,
                "reason": reason.value,
                "detail": detail,
            },
        )
        await self._store.mark_failed(current.notification_id, reason, detail[:MAX_DETAIL])
        if current.notification is not None:
            self._observe(current.notification, "failed")
        return Outcome.FAILED
