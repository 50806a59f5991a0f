"""Reading users by id: in the order asked, None where there is none."""

from __future__ import annotations

from tests.unit.users.conftest import World


async def test_users_come_back_in_the_order_asked_with_none_for_unknown_ids(world: World):
    ann = (await world.sign_up("ann@example.com")).user
    bob = (await world.sign_up("bob@example.com")).user

    users = await world.usecases.read_users([bob.id, "no-such-user", ann.id, bob.id])

    assert users == [bob, None, ann, bob]


async def test_no_ids_read_no_users(world: World):
    await world.sign_up()

    assert await world.usecases.read_users([]) == []
