"""Start a session at sign-in: its first refresh token, stored hashed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.ids import NewId
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain.session import Session, SessionPolicy, new_token, token_hash
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import UserRepository
from subgraphs.users.usecase.session_ports import IssuedSession, SessionRepository, TokenMaker

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Opening:
    """A session about to be saved, and what its client gets once it is."""

    session: Session
    issued: IssuedSession


class StartSession:
    """Open a session for a user who has just proven who they are (register, login)."""

    def __init__(
        self,
        users: UserRepository,
        sessions: SessionRepository,
        uow: UnitOfWork,
        policy: SessionPolicy,
        clock: Clock,
        new_id: NewId,
        make_token: TokenMaker = new_token,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._uow = uow
        self._policy = policy
        self._clock = clock
        self._new_id = new_id
        self._make_token = make_token

    def prepare(self, user_id: str) -> Opening:
        """A new session for `user_id`; `save` it (alone, or inside a caller's unit of work)."""
        token = self._make_token()
        session = Session.start(
            self._new_id(), user_id, token_hash(token), self._clock(), self._policy
        )
        return Opening(session, IssuedSession(session.id, token, session.expires_at))

    async def save(self, opening: Opening) -> None:
        await self._sessions.add(opening.session)

    async def __call__(self, user: User) -> tuple[User, IssuedSession]:
        """A sign-in completed (login, or a staff member's second factor): the session, then
        the account's `last_sign_in_at` (a later write never moves it back). Answers the
        account as of this sign-in.

        The time is best effort: the session exists (and a TOTP step is spent) once it is
        saved, so a failed write of the time is logged and the sign-in still succeeds."""
        opening = self.prepare(user.id)
        await self._uow(lambda: self.save(opening))
        at = opening.session.created_at
        try:
            await self._users.record_sign_in(user.id, at)
        except Exception as exc:
            log.warning(
                "could not record the sign-in time",
                exc_info=exc,
                extra={"user_id": user.id, "session_id": opening.session.id},
            )
            return user, opening.issued
        return replace(user, last_sign_in_at=at), opening.issued
