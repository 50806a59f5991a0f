"""Sign in with email and password and receive a short-lived access token."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.second_factor import SecondFactorPolicy, SignInChallenge
from subgraphs.users.domain.session import new_token, token_hash
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import (
    AccessToken,
    PasswordHasher,
    ThrottleUnavailable,
    TokenIssuer,
    UserRepository,
)
from subgraphs.users.usecase.session_ports import IssuedSession, TokenMaker
from subgraphs.users.usecase.staff_ports import SecondFactors
from subgraphs.users.usecase.start_session import StartSession
from subgraphs.users.usecase.throttles import (
    RATE_LIMITED,
    Throttles,
    enforce,
    rate_limited,
    waited,
)

INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
__all__ = [
    "ACCOUNT_DISABLED",
    "INVALID_CREDENTIALS",
    "RATE_LIMITED",
    "LogIn",
    "SecondFactorRequired",
    "SignedIn",
]


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    access_token: AccessToken
    session: IssuedSession


@dataclass(frozen=True, slots=True)
class SecondFactorRequired:
    """A staff member's password was right: `challenge` goes with the code to
    `verify_second_factor`, which answers the tokens."""

    challenge: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SecondFactorGate:
    """What staff sign-ins need: the pending challenges, how long one lasts, the clock."""

    factors: SecondFactors
    policy: SecondFactorPolicy
    clock: Clock
    make_token: TokenMaker = new_token

    async def challenge(self, user: User) -> SecondFactorRequired:
        token = self.make_token()
        now = self.clock()
        expires_at = now + self.policy.challenge_lifetime
        await self.factors.add_challenge(
            SignInChallenge(token_hash(token), user.id, now, expires_at)
        )
        return SecondFactorRequired(token, expires_at)


def disabled() -> DomainError:
    return DomainError.of(ACCOUNT_DISABLED, "This account is disabled.")


class LogIn:
    """Check the credentials; a wrong email and a wrong password fail the same way.

    Attempts are counted per client address (too many: `RATE_LIMITED`, which
    stops one address trying a password on many accounts) and per email: after
    repeated failures each attempt must wait a growing delay (`RATE_LIMITED`
    saying how long), whether the email exists or not, right password or not;
    once the delay has passed, the right password signs in as usual.

    Staff get no tokens yet: a one-time challenge (`SecondFactorRequired`) that
    `verify_second_factor` trades with a code for them. A disabled account is
    `ACCOUNT_DISABLED` (once the password is right).
    """

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        tokens: TokenIssuer,
        throttles: Throttles,
        start_session: StartSession,
        second_factor: SecondFactorGate,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._tokens = tokens
        self._throttles = throttles
        self._start_session = start_session
        self._second_factor = second_factor
        self._decoy_hash: str | None = None

    async def __call__(
        self, email: str, password: str, client: str = "unknown"
    ) -> SignedIn | SecondFactorRequired:
        key = rules.normalize_email(email)
        await enforce(self._throttles.sign_in_by_address, client)
        # Counted before the check, so parallel guesses cannot all slip under the limit.
        if wait := await waited(self._throttles.sign_in_by_account.admit(key)):
            raise rate_limited(wait)
        user = None
        if not rules.password_problems(password):
            user = await self._users.find_by_email(key)
        # Hash even when there is no such user, so timing does not reveal which emails exist.
        stored = user.password_hash if user else await self._decoy()
        valid = await asyncio.to_thread(self._hasher.verify, stored, password)
        if user is None or not valid:
            raise DomainError.of(INVALID_CREDENTIALS, "Email or password is incorrect.")
        with contextlib.suppress(ThrottleUnavailable):  # signed in; the count expires anyway
            await self._throttles.sign_in_by_account.succeeded(key)
        if user.disabled_at is not None:
            raise disabled()
        if user.role.is_staff:
            return await self._second_factor.challenge(user)
        user, session = await self._start_session(user)
        return SignedIn(user, self._tokens.issue(user.id, session.session_id, user.role), session)

    async def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = await asyncio.to_thread(self._hasher.hash, "decoy-password")
        return self._decoy_hash
