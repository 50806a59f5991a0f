"""Signing out ends the session of that refresh token and no other."""

from __future__ import annotations

from tests.unit.users.conftest import PASSWORD, refused


async def test_logout_ends_only_that_session_and_is_idempotent(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)

    await world.usecases.log_out(registered.session.refresh_token)
    await world.usecases.log_out(registered.session.refresh_token)
    await world.usecases.log_out("never-issued")

    assert await refused(world, registered.session.refresh_token) == "SESSION_REVOKED"
    await world.usecases.refresh_session(other.session.refresh_token)
