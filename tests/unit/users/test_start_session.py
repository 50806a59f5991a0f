"""Signing up and signing in each start a session whose refresh token is stored hashed."""

from __future__ import annotations

from datetime import timedelta

from subgraphs.users.domain.session import token_hash
from tests.unit.users.conftest import PASSWORD, START, signed_in


async def test_sign_up_and_login_each_start_a_session(world):
    registered = await world.sign_up()
    signed_in = await world.usecases.log_in("ann@example.com", PASSWORD)

    assert registered.session.session_id != signed_in.session.session_id
    assert registered.session.expires_at == START + timedelta(days=7)
    assert signed_in.access_token.token.endswith(f"-in-{signed_in.session.session_id}")
    stored = world.sessions[registered.session.session_id]
    assert stored.token_hash == token_hash(registered.session.refresh_token)
    assert registered.session.refresh_token not in str(world.sessions)


async def test_a_sign_in_whose_time_cannot_be_written_still_succeeds(world, caplog):
    await world.sign_up()
    world.users.sign_in_failure = ConnectionError("the store went away")

    done = signed_in(await world.usecases.log_in("ann@example.com", PASSWORD))

    assert done.session.session_id in world.sessions
    assert "could not record the sign-in time" in caplog.text


async def test_a_staff_sign_in_whose_time_cannot_be_written_still_succeeds(world):
    made = await world.make_staff()
    world.users.sign_in_failure = ConnectionError("the store went away")

    done = await world.staff_sign_in(made)

    assert done.session.session_id in world.sessions
    assert world.users.by_id[made.user.id].last_sign_in_at is None
