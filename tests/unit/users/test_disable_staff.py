"""Disabling a staff account: its sessions end and are denied, sign-in and refresh refused."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.domain.session import Revoked
from subgraphs.users.usecase.change_staff_role import StaffChange
from tests.unit.users.conftest import PASSWORD, World, codes, refused


async def test_disabling_revokes_and_denies_every_session_and_refuses_refresh(world: World):
    admin = await world.make_staff("ada@example.com")
    sam = await world.make_staff("sam@example.com", Role.SUPPORT)
    first = await world.staff_sign_in(sam)
    second = await world.staff_sign_in(sam)

    done = await world.usecases.staff.disable(
        StaffChange(admin.user.id, sam.user.id, "left the company")
    )

    assert done.revoked_sessions == 2
    assert done.user.disabled_at is not None
    assert sorted(world.deny_list.denied) == sorted(
        [first.session.session_id, second.session.session_id]
    )
    for signed_in in (first, second):
        session = world.sessions[signed_in.session.session_id]
        assert session.revoked_reason is Revoked.ACCOUNT_DISABLED
        assert await refused(world, signed_in.session.refresh_token) == "ACCOUNT_DISABLED"
    event = world.uow.events[-1]
    assert (event.type, event.payload["actor_id"], event.payload["reason"]) == (
        "users.staff_disabled",
        admin.user.id,
        "left the company",
    )
    assert world.staff_store.actions[-1].action == "users.staff_disabled"


async def test_a_disabled_account_cannot_sign_in_even_with_a_pending_challenge(world: World):
    admin = await world.make_staff("ada@example.com")
    sam = await world.make_staff("sam@example.com", Role.SUPPORT)
    challenge = await world.challenge("sam@example.com")
    await world.usecases.staff.disable(StaffChange(admin.user.id, sam.user.id, "left"))

    with pytest.raises(DomainError) as login:
        await world.usecases.log_in("sam@example.com", PASSWORD)
    with pytest.raises(DomainError) as second_step:
        await world.usecases.staff.verify_second_factor(challenge, world.totp(sam))

    assert codes(login) == [("ACCOUNT_DISABLED", ())]
    assert codes(second_step) == [("ACCOUNT_DISABLED", ())]


async def test_disabling_twice_or_oneself_is_refused(world: World):
    admin = await world.make_staff("ada@example.com")
    sam = await world.make_staff("sam@example.com", Role.SUPPORT)
    await world.usecases.staff.disable(StaffChange(admin.user.id, sam.user.id, "left"))
    events = len(world.uow.events)

    with pytest.raises(DomainError) as twice:
        await world.usecases.staff.disable(StaffChange(admin.user.id, sam.user.id, "again"))
    with pytest.raises(DomainError) as own:
        await world.usecases.staff.disable(StaffChange(admin.user.id, admin.user.id, "me"))
    with pytest.raises(DomainError) as no_reason:
        await world.usecases.staff.disable(StaffChange(admin.user.id, sam.user.id, ""))

    assert codes(twice) == [("ACCOUNT_DISABLED", ("userId",))]
    assert codes(own) == [("OWN_ACCOUNT", ("userId",))]
    assert codes(no_reason) == [("REASON_REQUIRED", ("reason",))]
    assert len(world.uow.events) == events
