"""Sign out everywhere: end every session of the signed-in user."""

from __future__ import annotations

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain.session import Revoked
from subgraphs.users.usecase.session_ports import SessionRepository


class LogOutEverywhere:
    """Revoke all of your sessions, this one included; returns how many were live."""

    def __init__(self, sessions: SessionRepository, uow: UnitOfWork, clock: Clock) -> None:
        self._sessions = sessions
        self._uow = uow
        self._clock = clock

    async def __call__(self, user_id: str) -> int:
        revoked = 0

        async def work() -> None:
            nonlocal revoked
            now = self._clock()
            revoked = await self._sessions.revoke_all(user_id, now, Revoked.LOGOUT_EVERYWHERE)

        await self._uow(work)
        return revoked
