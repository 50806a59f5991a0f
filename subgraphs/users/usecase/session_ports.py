"""Ports of the session and password use cases; adapters and test fakes implement them.

Writes run inside the kernel's unit of work (the MongoDB adapters join its
transaction); each write below is also atomic on its own, and the order the
use cases write in leaves nothing usable behind if a process dies between
two of them (see `refresh_session`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from subgraphs.users.domain.passwords import PasswordReset
from subgraphs.users.domain.session import Revoked, Session

TokenMaker = Callable[[], str]


class Later(Protocol):
    def __call__(self, work: Callable[[], Awaitable[None]], *, what: str) -> None:
        """Start `work` without waiting for it; its failures are logged, never raised."""


class SessionRepository(Protocol):
    async def add(self, session: Session) -> None:
        """Save a new session and its current token."""

    async def by_token(self, token_hash: str) -> Session | None:
        """The session this token was issued for (current or spent), None if unknown."""

    async def rotate(self, rotated: Session, spent_hash: str) -> bool:
        """Save `rotated` only if the session's current token is still `spent_hash` and it is
        not revoked; False otherwise (another refresh won, or it was revoked)."""

    async def revoke(self, session_id: str, now: datetime, reason: Revoked) -> bool:
        """Revoke one session; False if it was revoked already."""

    async def revoke_all(
        self, user_id: str, now: datetime, reason: Revoked, *, keep: str | None = None
    ) -> int:
        """Revoke every live session of the user but `keep`; how many were revoked."""

    async def revoked_since(self, user_id: str, since: datetime) -> list[str]:
        """The ids of the user's sessions revoked at `since` or later."""


class SessionDenyList(Protocol):
    """Where verifiers learn that a session ended, so its access tokens stop working."""

    async def deny(self, session_ids: Sequence[str]) -> None:
        """Make every verifier refuse these sessions' access tokens within a second, for as
        long as one could live. Never raises: a write that fails is retried in the background
        (and logged) until it succeeds or the tokens would have expired anyway."""


class PasswordStore(Protocol):
    async def set_password(
        self, user_id: str, password_hash: str, now: datetime, *, expected: str | None = None
    ) -> bool:
        """Replace the password hash (only if it is still `expected`, when given);
        False if there is no such user or the hash changed meanwhile."""

    async def add_reset(self, reset: PasswordReset) -> None: ...

    async def find_reset(self, token_hash: str) -> PasswordReset | None: ...

    async def consume_reset(self, token_hash: str, now: datetime) -> str | None:
        """Mark an unused, unexpired reset used; its user id, or None if it was not usable."""

    async def discard_resets(self, user_id: str) -> None:
        """Forget every outstanding reset of the user."""


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """What a client keeps to stay signed in."""

    session_id: str
    refresh_token: str
    expires_at: datetime  # the session's absolute end
