"""Asking for a reset link: answered alike for any email, the link emitted only for a known one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from subgraphs.kernel.core.errors import DomainError
from tests.unit.users.conftest import START, code, reset_events, token_of


async def test_a_reset_request_emits_the_link_only_for_a_known_email(world):
    registered = await world.sign_up()

    await world.forgot(" ANN@example.com ")
    await world.forgot("nobody@example.com")

    [payload] = reset_events(world)
    assert payload == {
        "user_id": registered.user.id,
        "email": "ann@example.com",
        "name": "Ann",
        "reset_url": payload["reset_url"],
        "expires_at": (START + timedelta(minutes=30)).isoformat(),
    }
    assert payload["reset_url"].startswith("http://localhost:3000/reset-password?token=")
    assert len(token_of(payload["reset_url"])) == 43


async def test_a_reset_request_answers_before_looking_the_email_up(world):
    """Known or not, the answer is given before any lookup or write (so in the same time)."""
    await world.sign_up()

    for email in ("ann@example.com", "nobody@example.com"):
        assert await world.usecases.request_password_reset(email) is None
    assert reset_events(world) == []
    assert [what for what, _ in world.later.waiting] == ["password reset request"] * 2

    await world.later.drain()
    assert len(reset_events(world)) == 1


async def test_reset_requests_over_the_limit_are_answered_alike_and_send_nothing(world):
    await world.sign_up()
    for _ in range(5):
        assert await world.usecases.request_password_reset("ann@example.com") is None
    await world.later.drain()
    assert len(reset_events(world)) == 3


async def test_a_malformed_email_is_a_user_error(world):
    with pytest.raises(DomainError) as error:
        await world.forgot("not an email")
    assert code(error) == "INVALID_EMAIL"
