"""The Redis key layout of the notifications context (documented in the README).

Every key starts with `notifications:`; arq's queue `notifications:jobs` and
its worker's health key are named in `jobs/arq_queue.py`, arq's own keys
(`arq:job:<id>`, `arq:in-progress:<id>`, `arq:retry:<id>`) sit beside them.
"""

from __future__ import annotations

PREFIX = "notifications:"
# Sorted set: ids of QUEUED notifications, scored by when they were queued (ms), or last seen
# with a live job by the stuck-notification sweep.
QUEUED = f"{PREFIX}queued"


def notification(notification_id: str) -> str:
    """Hash: one notification (status, subject, data JSON, times, attempts)."""
    return f"{PREFIX}n:{notification_id}"


def user_index(user_id: str) -> str:
    """Sorted set: the user's notification ids scored by creation time (ms)."""
    return f"{PREFIX}user:{user_id}"


def order_index(order_id: str) -> str:
    """Sorted set: the ids of the notifications about one order, scored by creation time (ms)."""
    return f"{PREFIX}order-n:{order_id}"


def sent(notification_id: str) -> str:
    """String: set once the notification was sent (value: the channel's receipt)."""
    return f"{PREFIX}sent:{notification_id}"


def preferences(user_id: str) -> str:
    """Hash: `email`, `sms` ("1"/"0") and `updated_at`."""
    return f"{PREFIX}prefs:{user_id}"


def contact(user_id: str) -> str:
    """Hash: `email`, `name`, `phone`, `version` (ms of the newest users event applied)."""
    return f"{PREFIX}contact:{user_id}"


def order(order_id: str) -> str:
    """String: JSON `{total, currency}` of a recent order (for receipts)."""
    return f"{PREFIX}order:{order_id}"
