"""Provider calls: retried with exponential backoff, never past the deadline."""

from __future__ import annotations

import asyncio

import pytest

from subgraphs.payments.usecase.ports import ProviderUnavailable
from subgraphs.payments.usecase.provider_calls import RetryPolicy, call_provider
from testkit.kernel import FakeTime


def flaky(failures: int):
    calls: list[int] = []

    async def call() -> str:
        calls.append(len(calls) + 1)
        if len(calls) <= failures:
            raise ProviderUnavailable("down")
        return "ok"

    return call, calls


async def test_an_outage_shorter_than_the_budget_is_ridden_out_with_backoff():
    time = FakeTime()
    call, calls = flaky(failures=2)
    policy = RetryPolicy(max_attempts=4, first_delay=0.25, multiplier=2, max_delay=5, deadline=10)

    assert await call_provider(call, policy, clock=time, sleep=time.sleep, operation="t") == "ok"
    assert calls == [1, 2, 3]
    assert time.sleeps == [0.25, 0.5]


async def test_attempts_are_bounded_and_delays_capped():
    time = FakeTime()
    call, calls = flaky(failures=100)
    policy = RetryPolicy(max_attempts=5, first_delay=1, multiplier=3, max_delay=2, deadline=60)

    with pytest.raises(ProviderUnavailable):
        await call_provider(call, policy, clock=time, sleep=time.sleep, operation="t")
    assert len(calls) == 5
    assert time.sleeps == [1, 2, 2, 2]


async def test_no_wait_runs_past_the_deadline():
    time = FakeTime()
    call, calls = flaky(failures=100)
    policy = RetryPolicy(max_attempts=50, first_delay=1, multiplier=2, max_delay=8, deadline=10)

    with pytest.raises(ProviderUnavailable):
        await call_provider(call, policy, clock=time, sleep=time.sleep, operation="t")
    assert time.sleeps == [1, 2, 4]  # the next wait (8 s) would end past 10 s
    assert sum(time.sleeps) <= policy.deadline
    assert len(calls) == 4


async def test_an_attempt_that_hangs_times_out_and_counts_as_unavailable():
    time = FakeTime()
    attempts: list[int] = []

    async def hangs() -> str:
        attempts.append(1)
        await asyncio.sleep(60)
        return "never"

    policy = RetryPolicy(max_attempts=3, first_delay=0, attempt_timeout=0.01, deadline=1)
    with pytest.raises(ProviderUnavailable):
        await call_provider(hangs, policy, clock=time, sleep=time.sleep, operation="t")
    assert len(attempts) == 3


def test_a_policy_needs_a_positive_budget():
    with pytest.raises(ValueError, match="retry policy"):
        RetryPolicy(max_attempts=0)
