"""Changing the password: other sessions end; a refusal or a lost race changes nothing."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain.session import Revoked
from tests.unit.users.conftest import PASSWORD, code, codes, refused


async def test_change_password_keeps_the_callers_session_only(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)
    me = registered.session.session_id

    await world.usecases.change_password(registered.user.id, me, PASSWORD, "new-password")

    assert (world.uow.events[-1].type, world.uow.events[-1].payload) == (
        "users.password_changed",
        {"user_id": registered.user.id, "how": "change"},
    )

    await world.usecases.refresh_session(registered.session.refresh_token)
    assert await refused(world, other.session.refresh_token) == "SESSION_REVOKED"
    assert world.sessions[other.session.session_id].revoked_reason is Revoked.PASSWORD_CHANGED
    await world.usecases.log_in("ann@example.com", "new-password")


@pytest.mark.parametrize(
    ("current", "new", "expected"),
    [
        ("wrong-password", "new-password", ("WRONG_PASSWORD", ("currentPassword",))),
        (PASSWORD, "short", ("WEAK_PASSWORD", ("newPassword",))),
        (PASSWORD, "x" * 129, ("WEAK_PASSWORD", ("newPassword",))),
    ],
)
async def test_change_password_refusals_change_nothing(world, current, new, expected):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)
    before = world.users.by_id[registered.user.id]

    with pytest.raises(DomainError) as error:
        await world.usecases.change_password(registered.user.id, None, current, new)

    assert codes(error) == [expected]
    assert world.users.by_id[registered.user.id] == before
    assert [e.type for e in world.uow.events] == [
        "users.registered",
        "users.email_verification_requested",
    ]
    await world.usecases.refresh_session(other.session.refresh_token)


async def test_wrong_current_passwords_count_towards_the_sign_in_limit(world):
    registered = await world.sign_up()
    for _ in range(3):
        with pytest.raises(DomainError):
            await world.usecases.change_password(registered.user.id, None, "wrong-1", "new-pass")

    with pytest.raises(DomainError) as error:
        await world.usecases.change_password(registered.user.id, None, PASSWORD, "new-pass")
    assert code(error) == "RATE_LIMITED"


async def test_a_password_changed_meanwhile_is_not_overwritten(world):
    """The hash checked is stale: our write is refused, sessions stay (nothing half-done)."""
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)
    change = world.usecases.change_password
    passwords = world.password_store
    write = passwords.set_password

    async def someone_else_first(user_id, password_hash, now, *, expected=None):
        await write(user_id, "rev$rehto", now)
        return await write(user_id, password_hash, now, expected=expected)

    passwords.set_password = someone_else_first
    with pytest.raises(DomainError) as error:
        await change(registered.user.id, None, PASSWORD, "new-password")
    passwords.set_password = write

    assert code(error) == "WRONG_PASSWORD"
    assert world.users.by_id[registered.user.id].password_hash == "rev$rehto"  # theirs stands
    await world.usecases.refresh_session(other.session.refresh_token)
