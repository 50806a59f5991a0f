"""Sign-up, sign-in and reset throttles: per address, per account, delays not locks, fail closed."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain.throttling import BackoffPolicy
from subgraphs.users.usecase.register import Registration
from tests.unit.users.conftest import PASSWORD, World, code, signed_in


async def refusal(call: Awaitable[object]) -> tuple[str, bool, str]:
    with pytest.raises(DomainError) as error:
        await call
    [problem] = error.value.problems
    return problem.code, problem.retryable, problem.message


def test_delays_double_past_the_free_failures_up_to_the_cap():
    policy = BackoffPolicy(free_failures=3, base_seconds=30, max_seconds=100, memory_seconds=60)

    assert [policy.delay_after(n) for n in range(1, 7)] == [0, 0, 30, 60, 100, 100]


async def test_failures_slow_an_account_down_but_never_lock_its_owner_out(world: World):
    await world.sign_up()
    log_in = world.usecases.log_in
    for _ in range(3):  # the third failure starts a 30 s wait (testkit BACKOFF)
        with pytest.raises(DomainError):
            await log_in("ann@example.com", "wrong-password", "203.0.113.1")

    refused = await refusal(log_in("ANN@example.com", PASSWORD, "198.51.100.2"))
    assert refused == ("RATE_LIMITED", False, "Too many attempts; try again in 30 seconds.")

    world.clock.now += timedelta(seconds=30)
    with pytest.raises(DomainError):  # one more guess, then twice as long a wait
        await log_in("ann@example.com", "wrong-password", "203.0.113.1")
    world.clock.now += timedelta(seconds=30)
    assert (await refusal(log_in("ann@example.com", PASSWORD)))[0] == "RATE_LIMITED"
    world.clock.now += timedelta(seconds=30)
    assert signed_in(await log_in("ann@example.com", PASSWORD)).user.email == "ann@example.com"


async def test_one_address_cannot_spray_a_password_over_many_accounts(world: World):
    world.limit("sign_in_by_address").limit = 5
    for n in range(5):
        with pytest.raises(DomainError) as error:
            await world.usecases.log_in(f"user{n}@example.com", "Summer2026!", "203.0.113.9")
        assert code(error) == "INVALID_CREDENTIALS"

    refused = await refusal(
        world.usecases.log_in("user5@example.com", "Summer2026!", "203.0.113.9")
    )
    assert refused[0] == "RATE_LIMITED"
    await world.sign_up()  # another address is not affected
    assert await world.usecases.log_in("ann@example.com", PASSWORD, "198.51.100.2")


async def test_sign_ups_are_limited_per_address_and_per_email(world: World):
    world.limit("sign_up_by_address").limit = 2
    world.limit("sign_up_by_email").limit = 1
    register = world.usecases.register
    await register(Registration("a@example.com", PASSWORD, "A"), "203.0.113.9")

    by_email = await refusal(register(Registration("A@example.com", PASSWORD, "A"), "192.0.2.1"))
    await register(Registration("b@example.com", PASSWORD, "B"), "203.0.113.9")
    by_address = await refusal(
        register(Registration("c@example.com", PASSWORD, "C"), "203.0.113.9")
    )

    assert by_email[0] == by_address[0] == "RATE_LIMITED"
    assert sorted(u.email for u in world.users.by_id.values()) == ["a@example.com", "b@example.com"]


async def test_reset_requests_are_limited_per_address(world: World):
    world.limit("reset_by_address").limit = 1
    await world.usecases.request_password_reset("a@example.com", "203.0.113.9")

    refused = await refusal(world.usecases.request_password_reset("b@example.com", "203.0.113.9"))

    assert refused[0] == "RATE_LIMITED"


async def test_sign_in_and_sign_up_fail_closed_and_retryably_when_the_store_is_down(world: World):
    await world.sign_up()
    world.backoff.down = True
    world.limit("sign_up_by_address").down = True

    signing_in = await refusal(world.usecases.log_in("ann@example.com", PASSWORD))
    signing_up = await refusal(
        world.usecases.register(Registration("b@example.com", PASSWORD, "B"))
    )

    assert signing_in[:2] == signing_up[:2] == ("TEMPORARILY_UNAVAILABLE", True)
    assert len(world.users.by_id) == 1
    assert world.tokens.issued == [next(iter(world.users.by_id))]  # only the first sign-up's
