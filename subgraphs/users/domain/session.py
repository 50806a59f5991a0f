"""Sessions: what a refresh token keeps alive, and the rules that end one.

A session starts at sign-in (register, login). Its refresh token is rotated
on every use: the session holds the hash of the one current token, so a
token that was current once but is no longer (spent) can be told apart from
one that was never issued. Presenting a spent token means two parties hold
the session's tokens (the session leaked): the whole session is revoked.

A session ends at its absolute end (`expires_at`, lifetime from its start),
when it was not used for the idle timeout (`idle_expires_at`), or when it is
revoked (logout, logout everywhere, password changed or reset, reuse, the
account disabled).

Only hashes of tokens are stored. Tokens carry 256 random bits, so a plain
SHA-256 suffices (no salt or slow hash: there is nothing to guess).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from subgraphs.kernel.core.clock import to_milliseconds


class Revoked(Enum):
    """Why a session was revoked."""

    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (names, not secrets)
    PASSWORD_RESET = "password_reset"  # noqa: S105
    TOKEN_REUSED = "token_reused"  # noqa: S105
    ACCOUNT_DISABLED = "account_disabled"


class State(Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a session lasts: `lifetime` from its start, `idle_timeout` since its last use."""

    lifetime: timedelta
    idle_timeout: timedelta


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: str
    token_hash: str  # the hash of the one current refresh token
    created_at: datetime
    expires_at: datetime  # absolute end
    last_used_at: datetime
    idle_expires_at: datetime  # ends here unless used before
    revoked_at: datetime | None = None
    revoked_reason: Revoked | None = None

    @classmethod
    def start(
        cls, id: str, user_id: str, token_hash: str, now: datetime, policy: SessionPolicy
    ) -> Session:
        now = to_milliseconds(now)
        expires_at = now + policy.lifetime
        return cls(
            id=id,
            user_id=user_id,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires_at,
            last_used_at=now,
            idle_expires_at=min(now + policy.idle_timeout, expires_at),
        )

    def state(self, now: datetime) -> State:
        if self.revoked_at is not None:
            return State.REVOKED
        if now >= self.expires_at or now >= self.idle_expires_at:
            return State.EXPIRED
        return State.ACTIVE

    def rotated(self, new_token_hash: str, now: datetime, policy: SessionPolicy) -> Session:
        """The session after its current token was spent for `new_token_hash`."""
        now = to_milliseconds(now)
        return replace(
            self,
            token_hash=new_token_hash,
            last_used_at=now,
            idle_expires_at=min(now + policy.idle_timeout, self.expires_at),
        )


def new_token() -> str:
    """A fresh refresh or reset token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of a refresh or reset token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


# Random tokens are URL-safe base64 of 32 bytes (43 characters); anything far from that
# is refused before a lookup.
TOKEN_MAX_LENGTH = 128


def plausible_token(token: str) -> bool:
    return 0 < len(token) <= TOKEN_MAX_LENGTH
