"""Change the signed-in user's password; every other session of theirs ends."""

from __future__ import annotations

import asyncio

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError, Problem, raise_if_any
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import passwords as rules_of_passwords
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.session import Revoked
from subgraphs.users.usecase.log_out_everywhere import deny_revoked
from subgraphs.users.usecase.login import RATE_LIMITED
from subgraphs.users.usecase.ports import LoginThrottle, PasswordHasher, UserRepository
from subgraphs.users.usecase.session_ports import (
    PasswordStore,
    SessionDenyList,
    SessionRepository,
)

WRONG_PASSWORD = "WRONG_PASSWORD"  # noqa: S105 (error codes)
WEAK_PASSWORD = "WEAK_PASSWORD"  # noqa: S105


def new_password_problems(password: str) -> list[Problem]:
    """The sign-up password rules, reported as `WEAK_PASSWORD` on `newPassword`."""
    return [
        Problem(WEAK_PASSWORD, p.message, ("newPassword",))
        for p in rules.password_problems(password)
    ]


class ChangePassword:
    """Change your password (the current one is asked again).

    Every other session of yours is revoked, with its access tokens; the one making the
    change stays.
    Wrong current passwords count towards the sign-in limit of the account.
    Emits `users.password_changed`.
    """

    def __init__(
        self,
        users: UserRepository,
        passwords: PasswordStore,
        sessions: SessionRepository,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        clock: Clock,
        deny: SessionDenyList,
    ) -> None:
        self._users = users
        self._passwords = passwords
        self._sessions = sessions
        self._uow = uow
        self._hasher = hasher
        self._throttle = throttle
        self._clock = clock
        self._deny = deny

    async def __call__(
        self, user_id: str, session_id: str | None, current_password: str, new_password: str
    ) -> None:
        raise_if_any(new_password_problems(new_password))
        [user] = await self._users.get_many([user_id])
        if user is None:
            raise DomainError.of("USER_NOT_FOUND", "Your account no longer exists.")
        if not await self._throttle.attempt(user.email):
            raise DomainError.of(RATE_LIMITED, "Too many failed attempts; try again later.")
        valid = not rules.password_problems(current_password) and await asyncio.to_thread(
            self._hasher.verify, user.password_hash, current_password
        )
        if not valid:
            raise _wrong_password()
        await self._throttle.succeeded(user.email)
        new_hash = await asyncio.to_thread(self._hasher.hash, new_password)
        changed = rules_of_passwords.with_new_password(
            user, new_hash, self._clock(), how=rules_of_passwords.CHANGED
        )

        async def work() -> bool:
            now = changed.updated_at
            # Only over the hash just checked: a password changed meanwhile is not overwritten.
            if not await self._passwords.set_password(
                user_id, new_hash, now, expected=user.password_hash
            ):
                return False
            reason = Revoked.PASSWORD_CHANGED
            await self._sessions.revoke_all(user_id, now, reason, keep=session_id)
            await self._passwords.discard_resets(user_id)
            return True

        if not await self._uow(work, recorded=changed):
            raise _wrong_password()
        await deny_revoked(self._sessions, self._deny, user_id, changed.updated_at)


def _wrong_password() -> DomainError:
    return DomainError.of(WRONG_PASSWORD, "Your current password is incorrect.", "currentPassword")
