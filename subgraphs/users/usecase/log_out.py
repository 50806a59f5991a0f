"""Sign out: end the session a refresh token belongs to."""

from __future__ import annotations

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain.session import Revoked, plausible_token, token_hash
from subgraphs.users.usecase.session_ports import SessionDenyList, SessionRepository


class LogOut:
    """Revoke the session of this refresh token (current or spent); its access tokens stop
    working too (`deny_list`).

    Idempotent: an unknown token, or a session that has ended already, is
    no error (an ended one is denied again, which is harmless).
    """

    def __init__(
        self, sessions: SessionRepository, uow: UnitOfWork, clock: Clock, deny: SessionDenyList
    ) -> None:
        self._sessions = sessions
        self._uow = uow
        self._clock = clock
        self._deny = deny

    async def __call__(self, refresh_token: str) -> None:
        if not plausible_token(refresh_token):
            return
        presented = token_hash(refresh_token)

        ended: list[str] = []

        async def work() -> None:
            session = await self._sessions.by_token(presented)
            if session is not None:
                await self._sessions.revoke(session.id, self._clock(), Revoked.LOGOUT)
                ended.append(session.id)

        await self._uow(work)
        await self._deny.deny(ended)
