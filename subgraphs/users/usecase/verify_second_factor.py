"""Finish a staff sign-in: the challenge `login` answered, and a TOTP or recovery code."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

from subgraphs.kernel.core.clock import Clock
from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain import second_factor as rules
from subgraphs.users.domain.second_factor import Check, SecondFactor, SecondFactorPolicy
from subgraphs.users.domain.session import plausible_token, token_hash
from subgraphs.users.usecase.login import SignedIn, disabled
from subgraphs.users.usecase.ports import TokenIssuer, UserRepository
from subgraphs.users.usecase.staff_ports import SecondFactors
from subgraphs.users.usecase.start_session import StartSession

INVALID_CHALLENGE = "INVALID_CHALLENGE"
INVALID_CODE = "INVALID_CODE"
CODE_ALREADY_USED = "CODE_ALREADY_USED"
SECOND_FACTOR_LOCKED = "SECOND_FACTOR_LOCKED"


class VerifySecondFactor:
    """Trade a sign-in challenge and a code for tokens (as `login` answers a customer).

    The code is the authenticator app's six digits (the current 30-second step
    or one either side, each step once: `CODE_ALREADY_USED`) or one of the
    recovery codes (each once). A wrong code is `INVALID_CODE`, saying how many
    tries are left; the `max_failures`-th wrong one locks the second factor for
    `lock` (`SECOND_FACTOR_LOCKED`, saying how long), right codes included. The
    challenge works until it expires or a code was accepted with it
    (`INVALID_CHALLENGE`).
    """

    def __init__(
        self,
        users: UserRepository,
        factors: SecondFactors,
        tokens: TokenIssuer,
        start_session: StartSession,
        policy: SecondFactorPolicy,
        clock: Clock,
    ) -> None:
        self._users = users
        self._factors = factors
        self._tokens = tokens
        self._start_session = start_session
        self._policy = policy
        self._clock = clock

    async def __call__(self, challenge: str, code: str) -> SignedIn:
        now = self._clock()
        hashed = token_hash(challenge) if plausible_token(challenge) else None
        pending = await self._factors.find_challenge(hashed) if hashed else None
        if hashed is None or pending is None or not pending.usable(now):
            raise _invalid_challenge()
        factor = await self._factors.get(pending.user_id)
        [user] = await self._users.get_many([pending.user_id])
        if factor is None or user is None:
            raise _invalid_challenge()
        if factor.locked(now):
            raise _locked(factor, now)
        if not await self._accepted(factor, code.strip()):
            raise await self._failed(factor, code.strip())
        if factor.failures:
            await self._factors.save_failures(replace(factor, failures=0))
        if not await self._factors.consume_challenge(hashed):
            raise _invalid_challenge()  # spent by a concurrent verification
        if user.disabled_at is not None:
            raise disabled()
        user, session = await self._start_session(user)
        return SignedIn(user, self._tokens.issue(user.id, session.session_id, user.role), session)

    async def _accepted(self, factor: SecondFactor, code: str) -> bool:
        if rules.looks_like_totp(code):
            check, step = rules.check_code(factor, code, self._clock())
            return check is Check.ACCEPTED and await self._factors.use_step(factor.user_id, step)
        if not code or len(code) > 64:
            return False
        return await self._factors.use_recovery_code(factor.user_id, rules.recovery_hash(code))

    async def _failed(self, factor: SecondFactor, code: str) -> DomainError:
        """Count the failure; the error to answer."""
        now = self._clock()
        replayed = (
            rules.looks_like_totp(code) and rules.check_code(factor, code, now)[0] is Check.REPLAYED
        )
        counted = factor.after_failure(now, self._policy)
        await self._factors.save_failures(counted)
        if counted.locked(now):
            return _locked(counted, now)
        left = self._policy.max_failures - counted.failures
        if replayed:
            message = f"This code was used already; wait for the next one ({left} tries left)."
            return DomainError.of(CODE_ALREADY_USED, message, "code")
        message = f"The code is not right ({left} tries left)."
        return DomainError.of(INVALID_CODE, message, "code")


def _locked(factor: SecondFactor, now: datetime) -> DomainError:
    until = factor.locked_until or now
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    message = f"Too many wrong codes; try again in {minutes} minutes."
    return DomainError.of(SECOND_FACTOR_LOCKED, message, "code")


def _invalid_challenge() -> DomainError:
    return DomainError.of(
        INVALID_CHALLENGE, "This sign-in has expired or was used; sign in again.", "challenge"
    )
