"""Staff sign-ins: the password answers a challenge, a TOTP or recovery code the tokens.

Wrong and replayed codes, the lock after 5 and its end (by the clock, never a wait),
recovery codes once each, challenges once each and short-lived; customers unchanged.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain.second_factor import STEP_SECONDS
from subgraphs.users.usecase.login import SecondFactorRequired, SignedIn
from tests.unit.users.conftest import PASSWORD, World, code, codes


async def verify_refused(world: World, challenge: str, attempt: str) -> DomainError:
    with pytest.raises(DomainError) as error:
        await world.usecases.staff.verify_second_factor(challenge, attempt)
    return error.value


async def test_a_staff_password_answers_a_challenge_and_no_tokens(world: World):
    made = await world.make_staff()

    done = await world.usecases.log_in("sam@example.com", PASSWORD)

    assert isinstance(done, SecondFactorRequired)
    assert done.expires_at == world.clock.now + timedelta(minutes=5)
    assert world.tokens.issued == []
    assert world.sessions == {}
    assert made.user.role is Role.ADMIN


async def test_the_app_code_trades_the_challenge_for_tokens_with_the_role(world: World):
    made = await world.make_staff(role=Role.SUPPORT)
    challenge = await world.challenge()

    done = await world.usecases.staff.verify_second_factor(challenge, world.totp(made))

    assert isinstance(done, SignedIn)
    assert done.user.id == made.user.id
    assert world.tokens.roles == [Role.SUPPORT]
    assert done.session.session_id in world.sessions
    # The challenge worked once.
    problem = await verify_refused(world, challenge, world.totp(made))
    assert [p.code for p in problem.problems] == ["INVALID_CHALLENGE"]


async def test_codes_of_the_step_before_and_after_are_accepted(world: World):
    made = await world.make_staff()
    for offset in (-STEP_SECONDS, STEP_SECONDS):
        world.clock.now += timedelta(minutes=1)  # a fresh step each time
        app_clock = world.clock.now + timedelta(seconds=offset)
        challenge = await world.challenge()
        await world.usecases.staff.verify_second_factor(challenge, world.totp(made, app_clock))


async def test_a_wrong_code_says_how_many_tries_are_left(world: World):
    made = await world.make_staff()
    challenge = await world.challenge()
    wrong = f"{(int(world.totp(made)) + 1) % 1_000_000:06d}"

    error = await verify_refused(world, challenge, wrong)

    [problem] = error.problems
    assert (problem.code, problem.field) == ("INVALID_CODE", ("code",))
    assert "4 tries left" in problem.message
    # The challenge still works with the right code.
    await world.usecases.staff.verify_second_factor(challenge, world.totp(made))


async def test_a_code_is_never_accepted_twice(world: World):
    made = await world.make_staff()
    seen = world.totp(made)
    await world.usecases.staff.verify_second_factor(await world.challenge(), seen)

    error = await verify_refused(world, await world.challenge(), seen)

    assert [p.code for p in error.problems] == ["CODE_ALREADY_USED"]
    # Nor a code of an earlier step once a later one was used.
    earlier = world.totp(made, world.clock.now - timedelta(seconds=STEP_SECONDS))
    error = await verify_refused(world, await world.challenge(), earlier)
    assert [p.code for p in error.problems] == ["CODE_ALREADY_USED"]


async def test_five_wrong_codes_lock_for_15_minutes_then_the_right_code_works(world: World):
    made = await world.make_staff()
    challenge = await world.challenge()
    for _ in range(4):
        await verify_refused(world, challenge, "000000" if world.totp(made) != "000000" else "1")

    fifth = await verify_refused(world, challenge, "not-a-code")
    assert [(p.code, p.message) for p in fifth.problems] == [
        ("SECOND_FACTOR_LOCKED", "Too many wrong codes; try again in 15 minutes.")
    ]
    # Locked: the right code is refused too, and counts nothing.
    world.clock.now += timedelta(minutes=14, seconds=59)
    locked = await verify_refused(world, await world.challenge(), world.totp(made))
    assert [p.code for p in locked.problems] == ["SECOND_FACTOR_LOCKED"]
    assert world.factors.factors[made.user.id].failures == 0

    world.clock.now += timedelta(seconds=1)
    done = await world.usecases.staff.verify_second_factor(
        await world.challenge(), world.totp(made)
    )
    assert done.user.id == made.user.id


async def test_each_recovery_code_works_once_in_any_case(world: World):
    made = await world.make_staff()
    first, second = made.recovery_codes[:2]

    await world.usecases.staff.verify_second_factor(await world.challenge(), first.lower())
    await world.usecases.staff.verify_second_factor(
        await world.challenge(), second.replace("-", "")
    )
    again = await verify_refused(world, await world.challenge(), first)

    assert [p.code for p in again.problems] == ["INVALID_CODE"]
    left = world.factors.factors[made.user.id].recovery_hashes
    assert len(left) == 8


async def test_a_challenge_expires_after_5_minutes(world: World):
    made = await world.make_staff()
    challenge = await world.challenge()
    world.clock.now += timedelta(minutes=5)

    error = await verify_refused(world, challenge, world.totp(made))

    assert [(p.code, p.field) for p in error.problems] == [("INVALID_CHALLENGE", ("challenge",))]


@pytest.mark.parametrize("challenge", ["", "unknown", "x" * 500])
async def test_an_unknown_challenge_is_invalid(world: World, challenge):
    made = await world.make_staff()
    error = await verify_refused(world, challenge, world.totp(made))
    assert [p.code for p in error.problems] == ["INVALID_CHALLENGE"]


async def test_customers_sign_in_as_before(world: World):
    registered = await world.sign_up()

    done = await world.usecases.log_in("ann@example.com", PASSWORD)

    assert isinstance(done, SignedIn)
    assert done.user.id == registered.user.id
    assert world.tokens.roles == [Role.CUSTOMER, Role.CUSTOMER]


async def test_the_password_is_checked_before_any_challenge(world: World):
    await world.make_staff()
    with pytest.raises(DomainError) as error:
        await world.usecases.log_in("sam@example.com", "wrong-password")
    assert codes(error) == [("INVALID_CREDENTIALS", ())]
    assert world.factors.challenges == {}
    assert code(error) == "INVALID_CREDENTIALS"
