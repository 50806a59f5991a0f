"""Trade a refresh token for a new access token and a new refresh token (rotation)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain.session import (
    Revoked,
    Session,
    SessionPolicy,
    State,
    new_token,
    plausible_token,
    token_hash,
)
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import AccessToken, TokenIssuer, UserRepository
from subgraphs.users.usecase.session_ports import (
    IssuedSession,
    SessionDenyList,
    SessionRepository,
    TokenMaker,
)

INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"  # noqa: S105 (an error code)
SESSION_EXPIRED = "SESSION_EXPIRED"
SESSION_REVOKED = "SESSION_REVOKED"
ACCOUNT_DISABLED = "ACCOUNT_DISABLED"


class _Refused(Enum):
    UNKNOWN = INVALID_REFRESH_TOKEN
    EXPIRED = SESSION_EXPIRED
    REVOKED = SESSION_REVOKED
    DISABLED = ACCOUNT_DISABLED


_MESSAGES = {
    _Refused.UNKNOWN: "This refresh token is not valid; sign in again.",
    _Refused.EXPIRED: "Your session has expired; sign in again.",
    _Refused.REVOKED: "Your session has ended; sign in again.",
    _Refused.DISABLED: "This account is disabled.",
}


@dataclass(frozen=True, slots=True)
class Refreshed:
    user: User
    access_token: AccessToken
    session: IssuedSession


class RefreshSession:
    """Spend a refresh token for a new access token and a new refresh token.

    Every token works once. Presenting one that was already spent means the
    session's tokens are in two hands: the whole session is revoked
    (`SESSION_REVOKED`), the newest token included, and its access tokens
    stop working (`deny`). Of two refreshes racing
    with the same token exactly one wins; the other counts as that reuse.

    The new access token carries the account's role as it is now, so a role
    change takes effect at the next refresh; a disabled account's sessions
    are revoked and refused as `ACCOUNT_DISABLED`.

    Each write is atomic on its own, so no transaction is needed: the new
    token's hash is saved first (useless until the session points at it),
    then the session moves to it only if its current token is still the one
    presented, which is where concurrent refreshes are decided.
    """

    def __init__(
        self,
        sessions: SessionRepository,
        users: UserRepository,
        uow: UnitOfWork,
        tokens: TokenIssuer,
        policy: SessionPolicy,
        clock: Clock,
        deny: SessionDenyList,
        make_token: TokenMaker = new_token,
    ) -> None:
        self._sessions = sessions
        self._users = users
        self._uow = uow
        self._tokens = tokens
        self._policy = policy
        self._clock = clock
        self._deny = deny
        self._make_token = make_token

    async def __call__(self, refresh_token: str) -> Refreshed:
        if not plausible_token(refresh_token):
            raise _refused(_Refused.UNKNOWN)
        presented = token_hash(refresh_token)
        fresh = self._make_token()
        result: Session | _Refused = _Refused.UNKNOWN
        revoked: list[str] = []

        async def work() -> None:
            nonlocal result
            result = await self._rotate(presented, token_hash(fresh), revoked)

        await self._uow(work)
        if isinstance(result, _Refused):
            await self._deny.deny(revoked)
            raise _refused(result)  # after the write: a reuse's revocation is kept
        [user] = await self._users.get_many([result.user_id])
        if user is None:
            raise _refused(_Refused.UNKNOWN)
        if user.disabled_at is not None:
            raise _refused(_Refused.DISABLED)
        return Refreshed(
            user,
            self._tokens.issue(user.id, result.id, user.role),
            IssuedSession(result.id, fresh, result.expires_at),
        )

    async def _rotate(
        self, presented: str, fresh_hash: str, revoked: list[str]
    ) -> Session | _Refused:
        """The rotated session, or why not; `revoked` gets the session if it is revoked."""
        now = self._clock()
        session = await self._sessions.by_token(presented)
        if session is None:
            return _Refused.UNKNOWN
        state = session.state(now)
        if state is State.REVOKED:
            revoked.append(session.id)  # denied again: harmless, and it heals a lost write
            if session.revoked_reason is Revoked.ACCOUNT_DISABLED:
                return _Refused.DISABLED
            return _Refused.REVOKED
        if state is State.EXPIRED:
            return _Refused.EXPIRED
        rotated = session.rotated(fresh_hash, now, self._policy)
        if session.token_hash == presented and await self._sessions.rotate(rotated, presented):
            return rotated
        # Spent before, or spent by a concurrent refresh just now: reuse.
        await self._sessions.revoke(session.id, now, Revoked.TOKEN_REUSED)
        revoked.append(session.id)
        return _Refused.REVOKED


def _refused(reason: _Refused) -> DomainError:
    return DomainError.of(reason.value, _MESSAGES[reason], "refreshToken")
