"""Signing out everywhere ends every live session of that user and only theirs."""

from __future__ import annotations

from tests.unit.users.conftest import PASSWORD, refused


async def test_logout_everywhere_counts_the_live_sessions_it_ends(world):
    registered = await world.sign_up()
    await world.usecases.log_in("ann@example.com", PASSWORD)
    ended = await world.usecases.log_in("ann@example.com", PASSWORD)
    await world.usecases.log_out(ended.session.refresh_token)
    bob = await world.sign_up("bob@example.com")

    assert await world.usecases.log_out_everywhere(registered.user.id) == 2
    assert await world.usecases.log_out_everywhere(registered.user.id) == 0
    assert await refused(world, registered.session.refresh_token) == "SESSION_REVOKED"
    await world.usecases.refresh_session(bob.session.refresh_token)  # not Bob's
