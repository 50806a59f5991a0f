"""Email verification: the link mailed at sign-up verifies once; the mail names no one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
from tests.unit.users.conftest import World, code, token_of


def verification_links(world: World) -> list[dict[str, str]]:
    return [
        dict(e.payload) for e in world.uow.events if e.type == "users.email_verification_requested"
    ]


async def test_sign_up_mails_a_link_that_carries_nothing_the_registrant_wrote(world: World):
    done = await world.sign_up()

    [link] = verification_links(world)
    assert set(link) == {"user_id", "email", "verify_url", "expires_at"}  # no name
    assert link["verify_url"].startswith("http://localhost:3000/verify-email?token=")
    assert world.users.by_id[done.user.id].email_verified_at is None


async def test_the_link_verifies_once_and_says_so_with_the_name(world: World):
    done = await world.sign_up()
    token = token_of(verification_links(world)[0]["verify_url"])

    user = await world.usecases.verify_email(token)

    assert user.email_verified_at == world.clock.now
    assert world.users.by_id[done.user.id].email_verified_at == world.clock.now
    [verified] = [e for e in world.uow.events if e.type == "users.email_verified"]
    assert dict(verified.payload) == {
        "user_id": done.user.id,
        "email": done.user.email,
        "name": "Ann",
    }
    with pytest.raises(DomainError) as again:
        await world.usecases.verify_email(token)
    assert code(again) == "INVALID_VERIFICATION_TOKEN"


async def test_an_expired_or_unknown_link_verifies_nothing(world: World):
    done = await world.sign_up()
    token = token_of(verification_links(world)[0]["verify_url"])
    world.clock.now += timedelta(days=2)

    for attempt in (token, "no-such-token"):
        with pytest.raises(DomainError) as refused:
            await world.usecases.verify_email(attempt)
        assert code(refused) == "INVALID_VERIFICATION_TOKEN"
    assert world.users.by_id[done.user.id].email_verified_at is None


async def test_a_new_link_is_mailed_on_request_until_the_address_is_verified(world: World):
    done = await world.sign_up()

    await world.usecases.resend_verification(done.user.id)
    first, second = verification_links(world)
    assert first["verify_url"] != second["verify_url"]

    await world.usecases.verify_email(token_of(second["verify_url"]))
    await world.usecases.resend_verification(done.user.id)
    assert len(verification_links(world)) == 2
