"""Role changes: on the record with actor and reason, in effect at the next refresh."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.usecase.change_staff_role import StaffChange
from tests.unit.users.conftest import World, codes


async def test_a_new_role_is_in_the_token_of_the_next_refresh(world: World):
    admin = await world.make_staff("ada@example.com", Role.ADMIN)
    sam = await world.make_staff("sam@example.com", Role.SUPPORT)
    signed_in = await world.staff_sign_in(sam)
    assert world.tokens.roles[-1] is Role.SUPPORT

    changed = await world.usecases.staff.change_role(
        StaffChange(admin.user.id, sam.user.id, "  moves to  the catalog "), Role.CATALOG
    )

    assert changed.role is Role.CATALOG
    assert world.users.by_id[sam.user.id].role is Role.CATALOG
    assert world.deny_list.denied == []  # the session goes on
    await world.usecases.refresh_session(signed_in.session.refresh_token)
    assert world.tokens.roles[-1] is Role.CATALOG
    event = world.uow.events[-1]
    assert (event.type, dict(event.payload)) == (
        "users.staff_role_changed",
        {
            "user_id": sam.user.id,
            "actor_id": admin.user.id,
            "reason": "moves to the catalog",
            "from": "support",
            "to": "catalog",
        },
    )
    action = world.staff_store.actions[-1]
    assert (action.actor_id, action.reason, dict(action.details)) == (
        admin.user.id,
        "moves to the catalog",
        {"from": "support", "to": "catalog"},
    )


async def test_the_same_role_again_changes_and_records_nothing(world: World):
    admin = await world.make_staff("ada@example.com")
    sam = await world.make_staff("sam@example.com", Role.SUPPORT)
    events = len(world.uow.events)

    same = await world.usecases.staff.change_role(
        StaffChange(admin.user.id, sam.user.id, "no change"), Role.SUPPORT
    )

    assert same.role is Role.SUPPORT
    assert len(world.uow.events) == events


async def test_refusals_write_nothing(world: World):
    admin = await world.make_staff("ada@example.com")
    customer = await world.sign_up("ann@example.com")
    sam = await world.make_staff("sam@example.com", Role.SUPPORT)
    events = len(world.uow.events)
    change = world.usecases.staff.change_role

    async def refusal(user_id: str, role: Role, reason: str = "why not") -> list:
        with pytest.raises(DomainError) as error:
            await change(StaffChange(admin.user.id, user_id, reason), role)
        return codes(error)

    assert await refusal(sam.user.id, Role.ADMIN, "   ") == [("REASON_REQUIRED", ("reason",))]
    assert await refusal(sam.user.id, Role.ADMIN, "x" * 501) == [("REASON_TOO_LONG", ("reason",))]
    assert await refusal(sam.user.id, Role.CUSTOMER) == [("INVALID_ROLE", ("role",))]
    assert await refusal(admin.user.id, Role.SUPPORT) == [("OWN_ACCOUNT", ("userId",))]
    assert await refusal("nobody", Role.SUPPORT) == [("USER_NOT_FOUND", ("userId",))]
    assert await refusal(customer.user.id, Role.SUPPORT) == [("NOT_STAFF", ("userId",))]
    assert len(world.uow.events) == events
    assert world.users.by_id[sam.user.id].role is Role.SUPPORT
