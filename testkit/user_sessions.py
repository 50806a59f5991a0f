"""In-memory fakes of the users session and password ports.

Like the MongoDB adapters' single writes, they check before they write, so
a refused write changes nothing (the in-memory unit of work cannot roll back).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from subgraphs.users.domain.passwords import PasswordReset
from subgraphs.users.domain.session import Revoked, Session, SessionPolicy
from subgraphs.users.usecase.request_password_reset import ResetPolicy
from testkit.users import InMemoryUsers

SESSION_POLICY = SessionPolicy(lifetime=timedelta(days=7), idle_timeout=timedelta(hours=24))
RESET_POLICY = ResetPolicy("http://localhost:3000/reset-password", timedelta(minutes=30))


class InMemorySessions:
    def __init__(self) -> None:
        self.by_id: dict[str, Session] = {}
        self.token_to_session: dict[str, str] = {}

    async def add(self, session: Session) -> None:
        self.by_id[session.id] = session
        self.token_to_session[session.token_hash] = session.id

    async def by_token(self, token_hash: str) -> Session | None:
        session_id = self.token_to_session.get(token_hash)
        return self.by_id.get(session_id) if session_id else None

    async def rotate(self, rotated: Session, spent_hash: str) -> bool:
        current = self.by_id[rotated.id]
        if current.token_hash != spent_hash or current.revoked_at is not None:
            return False
        self.by_id[rotated.id] = rotated
        self.token_to_session[rotated.token_hash] = rotated.id
        return True

    async def revoke(self, session_id: str, now: datetime, reason: Revoked) -> bool:
        session = self.by_id[session_id]
        if session.revoked_at is not None:
            return False
        self.by_id[session_id] = replace(session, revoked_at=now, revoked_reason=reason)
        return True

    async def revoke_all(
        self, user_id: str, now: datetime, reason: Revoked, *, keep: str | None = None
    ) -> int:
        live = [
            s
            for s in self.by_id.values()
            if s.user_id == user_id
            and s.revoked_at is None
            and s.idle_expires_at > now
            and s.id != keep
        ]
        for s in live:
            self.by_id[s.id] = replace(s, revoked_at=now, revoked_reason=reason)
        return len(live)

    async def revoked_since(self, user_id: str, since: datetime) -> list[str]:
        return [
            s.id
            for s in self.by_id.values()
            if s.user_id == user_id and s.revoked_at is not None and s.revoked_at >= since
        ]


class InMemoryDenyList:
    """The session deny-list: the ids denied, in order (again when denied again)."""

    def __init__(self) -> None:
        self.denied: list[str] = []

    async def deny(self, session_ids: Sequence[str]) -> None:
        self.denied.extend(session_ids)


class InMemoryPasswords:
    """Password hashes live in the users fake; resets here."""

    def __init__(self, users: InMemoryUsers) -> None:
        self._users = users
        self.resets: dict[str, PasswordReset] = {}

    async def set_password(
        self, user_id: str, password_hash: str, now: datetime, *, expected: str | None = None
    ) -> bool:
        user = self._users.by_id.get(user_id)
        if user is None or (expected is not None and user.password_hash != expected):
            return False
        self._users.by_id[user_id] = replace(user, password_hash=password_hash, updated_at=now)
        return True

    async def add_reset(self, reset: PasswordReset) -> None:
        self.resets[reset.token_hash] = replace(reset, events=())

    async def find_reset(self, token_hash: str) -> PasswordReset | None:
        return self.resets.get(token_hash)

    async def consume_reset(self, token_hash: str, now: datetime) -> str | None:
        reset = self.resets.get(token_hash)
        if reset is None or not reset.usable(now):
            return None
        self.resets[token_hash] = replace(reset, used_at=now)
        return reset.user_id

    async def discard_resets(self, user_id: str) -> None:
        self.resets = {h: r for h, r in self.resets.items() if r.user_id != user_id}


class Postponed:
    """The `Later` port that keeps the work until a test runs it (`await drain()`)."""

    def __init__(self) -> None:
        self.waiting: list[tuple[str, Callable[[], Awaitable[None]]]] = []

    def __call__(self, work: Callable[[], Awaitable[None]], *, what: str) -> None:
        self.waiting.append((what, work))

    async def drain(self) -> None:
        while self.waiting:
            _, work = self.waiting.pop(0)
            await work()
