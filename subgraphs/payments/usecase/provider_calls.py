"""Calling the provider: retried with exponential backoff, always inside a bounded time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from subgraphs.kernel.core.clock import Clock
from subgraphs.payments.usecase.ports import ProviderUnavailable, Sleep

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long a provider call may take, retries and waits included.

    Attempt n waits `first_delay * multiplier**(n-1)` (at most `max_delay`)
    before attempt n+1; each attempt gets at most `attempt_timeout`; no
    attempt starts or runs past `deadline` seconds after the first one.
    """

    max_attempts: int = 4
    first_delay: float = 0.25
    multiplier: float = 2.0
    max_delay: float = 2.0
    attempt_timeout: float = 5.0
    deadline: float = 10.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.deadline <= 0 or self.attempt_timeout <= 0:
            raise ValueError("a retry policy needs an attempt, a deadline and an attempt timeout")


async def call_provider(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    clock: Clock,
    sleep: Sleep,
    operation: str,
) -> T:
    """`call()`, retried while the provider is unavailable; `ProviderUnavailable` once out of time.

    Retrying is safe because every call carries the same idempotency key.
    """
    started = clock()
    delay = policy.first_delay
    last: Exception | None = None
    for attempt in range(1, policy.max_attempts + 1):
        remaining = policy.deadline - (clock() - started).total_seconds()
        if remaining <= 0:
            break
        try:
            async with asyncio.timeout(min(policy.attempt_timeout, remaining)):
                return await call()
        except (ProviderUnavailable, TimeoutError) as exc:
            last = exc
        elapsed = (clock() - started).total_seconds()
        if attempt == policy.max_attempts or elapsed + delay >= policy.deadline:
            break
        log.warning(
            "payment provider unavailable; retrying",
            extra={"operation": operation, "attempt": attempt, "retry_in": delay},
        )
        await sleep(delay)
        delay = min(delay * policy.multiplier, policy.max_delay)
    raise ProviderUnavailable(f"{operation}: provider unavailable") from last
