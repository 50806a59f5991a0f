"""The throttles of sign-up, sign-in and password-reset requests, and how a refusal reads.

Each request is counted per client address and per account, in the use case
itself: a request with several aliased `login` fields counts several times,
whatever gateway is in front. A throttle whose store is down refuses the
request with a retryable error (fails closed).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Awaitable
from dataclasses import dataclass

from subgraphs.kernel.core.errors import DomainError, retryable
from subgraphs.users.usecase.ports import RateLimit, SignInBackoff, ThrottleUnavailable

RATE_LIMITED = "RATE_LIMITED"
THROTTLE_UNAVAILABLE = "TEMPORARILY_UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class Throttles:
    sign_in_by_address: RateLimit
    sign_in_by_account: SignInBackoff
    sign_up_by_address: RateLimit
    sign_up_by_email: RateLimit
    reset_by_address: RateLimit
    reset_by_email: RateLimit


def rate_limited(seconds: int) -> DomainError:
    """`RATE_LIMITED`, saying how long to wait (at least a second)."""
    wait = max(1, math.ceil(seconds))
    return DomainError.of(RATE_LIMITED, f"Too many attempts; try again in {wait} seconds.")


async def waited(check: Awaitable[int]) -> int:
    """The seconds a throttle asks to wait; a retryable error when its store is down."""
    try:
        return await check
    except ThrottleUnavailable:
        raise retryable(
            THROTTLE_UNAVAILABLE, "This is unavailable for a moment; try again shortly."
        ) from None


async def enforce(limit: RateLimit, key: str) -> None:
    """Count a request against `limit`; `RATE_LIMITED` when over it."""
    if wait := await waited(limit.hit(key)):
        raise rate_limited(wait)


class BackoffGate:
    """The `LoginThrottle` port (yes/no) over a `SignInBackoff`, for `changePassword`.

    An attempt that must wait, or whose count cannot be kept, is refused.
    """

    def __init__(self, backoff: SignInBackoff) -> None:
        self._backoff = backoff

    async def attempt(self, key: str) -> bool:
        try:
            return await self._backoff.admit(key) == 0
        except ThrottleUnavailable:
            return False

    async def succeeded(self, key: str) -> None:
        with contextlib.suppress(ThrottleUnavailable):
            await self._backoff.succeeded(key)
