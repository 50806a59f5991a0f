"""Signing in: any email case, failures alike whatever went wrong (throttles: test_throttles)."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.errors import DomainError
from tests.unit.users.conftest import PASSWORD, World, codes, signed_in


async def test_login_succeeds_with_the_right_password_in_any_email_case(world: World):
    done = await world.sign_up()

    done_in = signed_in(await world.usecases.log_in("ANN@EXAMPLE.com", PASSWORD))

    assert done_in.user.id == done.user.id
    assert done_in.access_token.token == f"token-for-{done.user.id}-in-{done_in.session.session_id}"
    assert world.tokens.roles[-1] is Role.CUSTOMER


async def test_login_fails_alike_for_wrong_password_and_unknown_email(world: World):
    await world.sign_up()

    with pytest.raises(DomainError) as wrong_password:
        await world.usecases.log_in("ann@example.com", "password-2")
    with pytest.raises(DomainError) as unknown_email:
        await world.usecases.log_in("bob@example.com", PASSWORD)

    assert wrong_password.value.problems == unknown_email.value.problems
    assert codes(wrong_password) == [("INVALID_CREDENTIALS", ())]


async def test_a_successful_login_resets_the_failure_count(world: World):
    await world.sign_up()
    with pytest.raises(DomainError):
        await world.usecases.log_in("ann@example.com", "wrong-password")

    await world.usecases.log_in("ann@example.com", PASSWORD)

    assert world.backoff.failures == {}
