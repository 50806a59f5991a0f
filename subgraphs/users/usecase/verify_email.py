"""Verify an email address with its one-time link, or have a new link mailed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import verification as rules
from subgraphs.users.domain.session import new_token, token_hash
from subgraphs.users.domain.user import User
from subgraphs.users.usecase.ports import EmailVerifications, UserRepository
from subgraphs.users.usecase.session_ports import TokenMaker
from subgraphs.users.usecase.throttles import Throttles, enforce

INVALID_VERIFICATION_TOKEN = "INVALID_VERIFICATION_TOKEN"  # noqa: S105 (an error code)


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    link_base: str  # the storefront page that verifies; `?token=...` is added
    lifetime: timedelta


class StartVerification:
    """A new verification link for a user's address (the caller saves it and its event)."""

    def __init__(
        self, policy: VerificationPolicy, clock: Clock, make_token: TokenMaker = new_token
    ) -> None:
        self._policy = policy
        self._clock = clock
        self._make_token = make_token

    def __call__(self, user: User) -> rules.EmailVerification:
        token = self._make_token()
        policy = (self._policy.link_base, self._policy.lifetime)
        return rules.request_verification(user, token, token_hash(token), policy, self._clock())


class VerifyEmail:
    """Spend a verification link: the address is verified once, the link works once.

    Records `users.email_verified` (the first time only), which sends the welcome mail.
    No sign-in needed: the link may be opened on another device.
    """

    def __init__(
        self,
        users: UserRepository,
        verifications: EmailVerifications,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._users = users
        self._verifications = verifications
        self._uow = uow
        self._clock = clock

    async def __call__(self, token: str) -> User:
        now = self._clock()
        hashed = token_hash(token)
        link = await self._verifications.find(hashed, now)
        [user] = await self._users.get_many([link.user_id]) if link else [None]
        if link is None or user is None or user.email != link.email:
            raise invalid()
        if user.email_verified_at is not None:
            await self._uow(partial(self._verifications.consume, hashed))
            return user

        async def work() -> bool:
            if not await self._verifications.consume(hashed):
                return False  # spent meanwhile
            await self._verifications.mark_verified(user.id, now)
            return True

        if not await self._uow(work, recorded=rules.verified(user, now)):
            raise invalid()
        return replace(user, email_verified_at=now)


class ResendVerification:
    """Mail a new verification link to the signed-in user's unverified address."""

    def __init__(
        self,
        users: UserRepository,
        verifications: EmailVerifications,
        uow: UnitOfWork,
        start: StartVerification,
        throttles: Throttles,
    ) -> None:
        self._users = users
        self._verifications = verifications
        self._uow = uow
        self._start = start
        self._throttles = throttles

    async def __call__(self, user_id: str) -> None:
        [user] = await self._users.get_many([user_id])
        if user is None or user.email_verified_at is not None:
            return
        await enforce(self._throttles.sign_up_by_email, user.email)
        link = self._start(user)
        await self._uow(partial(self._verifications.add, link), recorded=link)


def invalid() -> DomainError:
    return DomainError.of(
        INVALID_VERIFICATION_TOKEN,
        "This verification link is invalid or has expired; ask for a new one.",
        "token",
    )
