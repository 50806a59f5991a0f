"""Forgot password: mail a one-time reset link to the account's address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import raise_if_any
from subgraphs.kernel.core.unit_of_work import UnitOfWork
from subgraphs.users.domain import passwords
from subgraphs.users.domain import user as rules
from subgraphs.users.domain.session import new_token, token_hash
from subgraphs.users.usecase.ports import ThrottleUnavailable, UserRepository
from subgraphs.users.usecase.session_ports import Later, PasswordStore, TokenMaker
from subgraphs.users.usecase.throttles import Throttles, enforce


@dataclass(frozen=True, slots=True)
class ResetPolicy:
    link_base: str  # the page that asks for the new password; `?token=...` is added
    lifetime: timedelta


class RequestPasswordReset:
    """Ask for a password reset link by email.

    The answer is the same whether an account has this email or not, and
    also when requests for it are throttled: only the mailbox's owner learns
    anything. Requests are also counted per client address, and past that
    limit answered `RATE_LIMITED` (it says nothing about any account). When
    the account exists (and the email is not throttled),
    `users.password_reset_requested` carries the link to mail.

    Only the address's form is checked before answering; the throttle, the
    lookup and the write run after (`later`), so the answer also takes the
    same time either way (recording a reset costs a transaction, which would
    otherwise tell existing accounts apart).
    """

    def __init__(
        self,
        users: UserRepository,
        passwords: PasswordStore,
        uow: UnitOfWork,
        throttles: Throttles,
        later: Later,
        policy: ResetPolicy,
        clock: Clock,
        make_token: TokenMaker = new_token,
    ) -> None:
        self._users = users
        self._passwords = passwords
        self._uow = uow
        self._throttles = throttles
        self._later = later
        self._policy = policy
        self._clock = clock
        self._make_token = make_token

    async def __call__(self, email: str, client: str = "unknown") -> None:
        key = rules.normalize_email(email)
        raise_if_any(rules.email_problems(key))
        await enforce(self._throttles.reset_by_address, client)
        self._later(partial(self._issue, key), what="password reset request")

    async def _issue(self, key: str) -> None:
        try:
            if await self._throttles.reset_by_email.hit(key):
                return
        except ThrottleUnavailable:  # fail closed: no count, no mail
            return
        user = await self._users.find_by_email(key)
        if user is None:
            return
        token = self._make_token()
        reset = passwords.request_reset(
            user,
            token=token,
            token_hash=token_hash(token),
            link_base=self._policy.link_base,
            lifetime=self._policy.lifetime,
            now=self._clock(),
        )
        await self._uow(partial(self._passwords.add_reset, reset), recorded=reset)
