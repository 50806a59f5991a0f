"""Passwords: changing one, and resetting a forgotten one with a mailed link.

A reset link carries a one-time token that works for a short time (30 min).
Only the token's hash is stored. The token itself travels once, inside the
link of the `users.password_reset_requested` event that the notifications
context mails; once used or expired it is worth nothing.

A changed or reset password records `users.password_changed`, so the
account's owner can be told (and the change commits with its event).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from subgraphs.kernel.core.clock import to_milliseconds
from subgraphs.kernel.core.events import DomainEvent
from subgraphs.users.domain import events as produced
from subgraphs.users.domain.user import User

PASSWORD_RESET_REQUESTED = produced.PASSWORD_RESET_REQUESTED.type
PASSWORD_CHANGED = produced.PASSWORD_CHANGED.type

CHANGED = "change"  # how: by the signed-in user, knowing the current password
RESET = "reset"  # how: with a reset link


@dataclass(frozen=True, slots=True)
class PasswordReset:
    token_hash: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    events: tuple[DomainEvent, ...] = field(default=(), compare=False, repr=False)

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


def request_reset(
    user: User, *, token: str, token_hash: str, link_base: str, lifetime: timedelta, now: datetime
) -> PasswordReset:
    """A reset for `user`; records `users.password_reset_requested` with the link to mail."""
    now = to_milliseconds(now)
    expires_at = now + lifetime
    payload: produced.PasswordResetRequested = {
        "user_id": user.id,
        "email": user.email,
        "name": user.name,
        "reset_url": reset_link(link_base, token),
        "expires_at": expires_at.isoformat(),
    }
    event = produced.PASSWORD_RESET_REQUESTED(payload, now)
    return PasswordReset(token_hash, user.id, now, expires_at, events=(event,))


def reset_link(base_url: str, token: str) -> str:
    """`base_url` with `token=<token>` added to its query."""
    parts = urlsplit(base_url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=query + urlencode({"token": token})))


def with_new_password(user: User, password_hash: str, now: datetime, *, how: str) -> User:
    """`user` with a new password hash; records `users.password_changed {user_id, how}`."""
    now = to_milliseconds(now)
    event = produced.PASSWORD_CHANGED({"user_id": user.id, "how": how}, now)
    return replace(user, password_hash=password_hash, updated_at=now, events=(event,))
