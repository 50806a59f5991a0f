"""Set a new password with the token from a reset link; every session ends."""

from __future__ import annotations

import asyncio

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError, raise_if_any
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import passwords
from subgraphs.users.domain.session import Revoked, plausible_token, token_hash
from subgraphs.users.usecase.change_password import new_password_problems
from subgraphs.users.usecase.log_out_everywhere import deny_revoked
from subgraphs.users.usecase.ports import PasswordHasher, UserRepository
from subgraphs.users.usecase.session_ports import (
    PasswordStore,
    SessionDenyList,
    SessionRepository,
)

INVALID_RESET_TOKEN = "INVALID_RESET_TOKEN"  # noqa: S105 (an error code)


class ResetPassword:
    """Choose a new password with a reset link's token (works once, for a short time).

    Every session of the account is revoked, with its access tokens: whoever
    held one must sign in again with the new password. Emits `users.password_changed`.
    """

    def __init__(
        self,
        users: UserRepository,
        passwords: PasswordStore,
        sessions: SessionRepository,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        clock: Clock,
        deny: SessionDenyList,
    ) -> None:
        self._users = users
        self._passwords = passwords
        self._sessions = sessions
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._deny = deny

    async def __call__(self, token: str, new_password: str) -> None:
        raise_if_any(new_password_problems(new_password))
        if not plausible_token(token):
            raise _invalid()
        presented = token_hash(token)
        # Checked before the (slow) hashing, so made-up tokens cost little; consumed below.
        reset = await self._passwords.find_reset(presented)
        if reset is None or not reset.usable(self._clock()):
            raise _invalid()
        [user] = await self._users.get_many([reset.user_id])
        if user is None:
            raise _invalid()
        new_hash = await asyncio.to_thread(self._hasher.hash, new_password)
        changed = passwords.with_new_password(user, new_hash, self._clock(), how=passwords.RESET)

        async def work() -> bool:
            now = changed.updated_at
            # Consumed first: of two resets with one token, one gets here (the other aborts).
            if await self._passwords.consume_reset(presented, now) is None:
                return False
            if not await self._passwords.set_password(user.id, new_hash, now):
                return False
            await self._sessions.revoke_all(user.id, now, Revoked.PASSWORD_RESET)
            await self._passwords.discard_resets(user.id)
            return True

        if not await self._uow(work, recorded=changed):
            raise _invalid()
        await deny_revoked(self._sessions, self._deny, user.id, changed.updated_at)


def _invalid() -> DomainError:
    return DomainError.of(
        INVALID_RESET_TOKEN,
        "This reset link is invalid or has expired; ask for a new one.",
        "token",
    )
