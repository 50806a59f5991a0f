"""The command line's staff accounts: verified, enrolled, on the record; never a customer's."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.errors import DomainError
from tests.unit.users.conftest import PASSWORD, World, codes


async def test_a_staff_account_is_verified_enrolled_and_recorded(world: World):
    made = await world.make_staff("  Sam@Example.com ", Role.ADMIN)

    user = world.users.by_id[made.user.id]
    assert (user.email, user.role, user.email_verified_at) == (
        "sam@example.com",
        Role.ADMIN,
        user.created_at,
    )
    assert made.enrolment_uri.startswith("otpauth://totp/Commerce:sam%40example.com?")
    assert len(made.recovery_codes) == 10
    assert made.user.id in world.factors.factors
    [event] = world.uow.events
    assert (event.type, event.payload["user_id"], event.payload["actor_id"]) == (
        "users.staff_created",
        made.user.id,
        None,
    )
    assert event.payload["role"] == "admin"
    [action] = world.staff_store.actions
    assert (action.action, action.subject_id, action.details["role"]) == (
        "users.staff_created",
        made.user.id,
        "admin",
    )


async def test_bad_input_and_a_taken_email_write_nothing(world: World):
    await world.sign_up("ann@example.com")
    events = len(world.uow.events)

    with pytest.raises(DomainError) as bad:
        await world.usecases.staff.create("not-an-email", "short", " ", Role.CUSTOMER)
    with pytest.raises(DomainError) as taken:
        await world.usecases.staff.create("ann@example.com", PASSWORD, "Ann", Role.SUPPORT)

    assert codes(bad) == [("INVALID_EMAIL", ("email",)), ("INVALID_ROLE", ("role",))]
    assert codes(taken) == [("EMAIL_TAKEN", ("email",))]
    assert len(world.uow.events) == events
    assert world.staff_store.actions == []
