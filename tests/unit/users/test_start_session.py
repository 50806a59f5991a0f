"""Signing up and signing in each start a session whose refresh token is stored hashed."""

from __future__ import annotations

from datetime import timedelta

from subgraphs.users.domain.session import token_hash
from tests.unit.users.conftest import PASSWORD, START


async def test_sign_up_and_login_each_start_a_session(world):
    registered = await world.sign_up()
    signed_in = await world.usecases.log_in("ann@example.com", PASSWORD)

    assert registered.session.session_id != signed_in.session.session_id
    assert registered.session.expires_at == START + timedelta(days=7)
    assert signed_in.access_token.token.endswith(f"-in-{signed_in.session.session_id}")
    stored = world.sessions[registered.session.session_id]
    assert stored.token_hash == token_hash(registered.session.refresh_token)
    assert registered.session.refresh_token not in str(world.sessions)
