"""The activity record: every staff action, newest first, page by page."""

from __future__ import annotations

from datetime import timedelta

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.correlation import correlation_id
from subgraphs.users.usecase.change_staff_role import StaffChange
from tests.unit.users.conftest import World


async def test_actions_come_newest_first_with_their_correlation_id(world: World):
    token = correlation_id.set("req-1")
    try:
        admin = await world.make_staff("ada@example.com")
        world.clock.now += timedelta(seconds=1)
        sam = await world.make_staff("sam@example.com", Role.SUPPORT)
        world.clock.now += timedelta(seconds=1)
        await world.usecases.staff.invite(admin.user.id, "kim@example.com", Role.CATALOG)
        world.clock.now += timedelta(seconds=1)
        await world.usecases.staff.change_role(
            StaffChange(admin.user.id, sam.user.id, "promoted"), Role.ADMIN
        )
    finally:
        correlation_id.reset(token)

    first = await world.usecases.staff.read_activity(2)
    rest = await world.usecases.staff.read_activity(
        2, (first.actions[-1].occurred_at, first.actions[-1].id)
    )

    assert [a.action for a in first.actions] == ["users.staff_role_changed", "users.staff_invited"]
    assert first.has_next
    assert [a.action for a in rest.actions] == ["users.staff_created", "users.staff_created"]
    assert not rest.has_next
    assert {a.correlation_id for a in first.actions + rest.actions} == {"req-1"}
