"""Resetting the password with a link: once, within thirty minutes, every session ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
from tests.unit.users.conftest import PASSWORD, code, codes, refused, reset_events, token_of


async def test_reset_password_works_once_and_ends_every_session(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)
    await world.forgot("ann@example.com")
    await world.forgot("ann@example.com")
    first, second = (token_of(p["reset_url"]) for p in reset_events(world))

    await world.usecases.reset_password(second, "brand-new-1")

    assert (world.uow.events[-1].type, world.uow.events[-1].payload) == (
        "users.password_changed",
        {"user_id": registered.user.id, "how": "reset"},
    )

    for token in (second, first):  # used; and the other outstanding link is void too
        with pytest.raises(DomainError) as error:
            await world.usecases.reset_password(token, "brand-new-2")
        assert code(error) == "INVALID_RESET_TOKEN"
    for session in (registered.session, other.session):
        assert await refused(world, session.refresh_token) == "SESSION_REVOKED"
    await world.usecases.log_in("ann@example.com", "brand-new-1")


async def test_a_reset_link_expires_after_thirty_minutes(world):
    await world.sign_up()
    await world.forgot("ann@example.com")
    [payload] = reset_events(world)
    world.clock.now += timedelta(minutes=30)

    with pytest.raises(DomainError) as error:
        await world.usecases.reset_password(token_of(payload["reset_url"]), "brand-new-1")
    assert code(error) == "INVALID_RESET_TOKEN"
    await world.usecases.log_in("ann@example.com", PASSWORD)


async def test_a_weak_new_password_does_not_spend_the_link(world):
    await world.sign_up()
    await world.forgot("ann@example.com")
    token = token_of(reset_events(world)[0]["reset_url"])

    with pytest.raises(DomainError) as error:
        await world.usecases.reset_password(token, "short")
    assert codes(error) == [("WEAK_PASSWORD", ("newPassword",))]
    await world.usecases.reset_password(token, "brand-new-1")
