"""Changing the profile: only what is given changes; invalid values keep the old ones."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.usecase.update_profile import ProfileChanges
from tests.unit.users.conftest import World, codes


async def test_update_profile_changes_only_what_is_given(world: World):
    done = await world.sign_up(phone="+14155550123")
    update = world.usecases.update_profile

    renamed = await update(done.user.id, ProfileChanges(name="Ann B"))
    assert (renamed.name, renamed.phone) == ("Ann B", "+14155550123")

    cleared = await update(done.user.id, ProfileChanges(phone=None, set_phone=True))
    assert (cleared.name, cleared.phone) == ("Ann B", None)
    assert [(e.type, e.payload) for e in world.uow.events[2:]] == [
        (
            "users.profile_updated",
            {"user_id": done.user.id, "name": "Ann B", "phone": "+14155550123"},
        ),
        ("users.profile_updated", {"user_id": done.user.id, "name": "Ann B", "phone": None}),
    ]


async def test_update_profile_rejects_invalid_values_and_keeps_the_old_ones(world: World):
    done = await world.sign_up()

    with pytest.raises(DomainError) as error:
        await world.usecases.update_profile(
            done.user.id, ProfileChanges(name="", phone="call me", set_phone=True)
        )

    assert codes(error) == [("NAME_REQUIRED", ("name",)), ("INVALID_PHONE", ("phone",))]
    assert world.users.by_id[done.user.id] == done.user
