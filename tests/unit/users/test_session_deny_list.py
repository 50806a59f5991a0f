"""Every flow that revokes sessions also denies them, so their access tokens stop working."""

from __future__ import annotations

from tests.unit.users.conftest import PASSWORD, refused, reset_events, token_of


async def test_logout_denies_its_session_only(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)

    await world.usecases.log_out(registered.session.refresh_token)

    assert world.deny_list.denied == [registered.session.session_id]
    assert other.session.session_id not in world.deny_list.denied


async def test_logout_everywhere_denies_every_session(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)

    await world.usecases.log_out_everywhere(registered.user.id)

    assert sorted(world.deny_list.denied) == sorted(
        [registered.session.session_id, other.session.session_id]
    )


async def test_a_password_change_denies_every_session_but_the_current_one(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)

    await world.usecases.change_password(
        registered.user.id, registered.session.session_id, PASSWORD, "brand-new-1"
    )

    assert world.deny_list.denied == [other.session.session_id]


async def test_a_password_reset_denies_every_session(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)
    await world.forgot("ann@example.com")
    [payload] = reset_events(world)

    await world.usecases.reset_password(token_of(payload["reset_url"]), "brand-new-1")

    assert sorted(world.deny_list.denied) == sorted(
        [registered.session.session_id, other.session.session_id]
    )


async def test_refresh_token_reuse_denies_the_session(world):
    registered = await world.sign_up()
    await world.usecases.refresh_session(registered.session.refresh_token)

    assert await refused(world, registered.session.refresh_token) == "SESSION_REVOKED"

    assert world.deny_list.denied == [registered.session.session_id]


async def test_an_unknown_token_denies_nothing(world):
    await world.sign_up()
    await world.usecases.log_out("not-a-token")
    assert await refused(world, "not-a-token") == "INVALID_REFRESH_TOKEN"
    assert world.deny_list.denied == []
