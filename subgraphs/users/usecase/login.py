"""Sign in with email and password and receive a short-lived access token."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import (
    AccessToken,
    LoginThrottle,
    PasswordHasher,
    TokenIssuer,
    UserRepository,
)
from subgraphs.users.usecase.session_ports import IssuedSession
from subgraphs.users.usecase.start_session import StartSession

INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    access_token: AccessToken
    session: IssuedSession


class LogIn:
    """Check the credentials; a wrong email and a wrong password fail the same way.

    After too many failures for one email, sign-in for it is refused for a
    while (`RATE_LIMITED`), whether the email exists or not, right password or not.
    """

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        tokens: TokenIssuer,
        throttle: LoginThrottle,
        start_session: StartSession,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle
        self._start_session = start_session
        self._decoy_hash: str | None = None

    async def __call__(self, email: str, password: str) -> SignedIn:
        key = rules.normalize_email(email)
        # Counted before the check, so parallel guesses cannot all slip under the limit.
        if not await self._throttle.attempt(key):
            raise DomainError.of(RATE_LIMITED, "Too many failed sign-ins; try again later.")
        user = None
        if not rules.password_problems(password):
            user = await self._users.find_by_email(key)
        # Hash even when there is no such user, so timing does not reveal which emails exist.
        stored = user.password_hash if user else await self._decoy()
        valid = await asyncio.to_thread(self._hasher.verify, stored, password)
        if user is None or not valid:
            raise DomainError.of(INVALID_CREDENTIALS, "Email or password is incorrect.")
        await self._throttle.succeeded(key)
        session = await self._start_session(user.id)
        return SignedIn(user, self._tokens.issue(user.id, session.session_id), session)

    async def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = await asyncio.to_thread(self._hasher.hash, "decoy-password")
        return self._decoy_hash
