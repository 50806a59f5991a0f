"""Sign out everywhere: end every session of the signed-in user."""

from __future__ import annotations

from datetime import datetime, timedelta

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain.session import Revoked
from subgraphs.users.usecase.session_ports import SessionDenyList, SessionRepository


class LogOutEverywhere:
    """Revoke all of your sessions, this one included, and their access tokens; returns how
    many were live."""

    def __init__(
        self, sessions: SessionRepository, uow: UnitOfWork, clock: Clock, deny: SessionDenyList
    ) -> None:
        self._sessions = sessions
        self._uow = uow
        self._clock = clock
        self._deny = deny

    async def __call__(self, user_id: str) -> int:
        revoked = 0
        now = self._clock()

        async def work() -> None:
            nonlocal revoked
            revoked = await self._sessions.revoke_all(user_id, now, Revoked.LOGOUT_EVERYWHERE)

        await self._uow(work)
        await deny_revoked(self._sessions, self._deny, user_id, now)
        return revoked


async def deny_revoked(
    sessions: SessionRepository, deny: SessionDenyList, user_id: str, now: datetime
) -> None:
    """Deny the user's sessions revoked at `now` (stores keep milliseconds) or later."""
    await deny.deny(await sessions.revoked_since(user_id, now - timedelta(milliseconds=1)))
