"""The contact projection: how to reach each user, from the users events, newest version wins."""

from __future__ import annotations

from datetime import timedelta

import pytest

from subgraphs.notifications.domain.messages import InvalidPayload
from subgraphs.notifications.domain.notification import Contact
from testkit.notifications import Context as World
from tests.unit.notifications.conftest import registered


async def test_a_registration_records_the_address_name_and_phone(world: World):
    await world.usecases.project_contact(registered(world, phone="+14155550123"))

    assert await world.contacts.get("u-1") == Contact(
        "u-1", email="u-1@example.com", name="Ann", phone="+14155550123"
    )
    assert await world.contacts.get("u-2") is None


async def test_a_profile_update_keeps_the_address_and_clears_a_blank_phone(world: World):
    await world.usecases.project_contact(registered(world, phone="+14155550123"))
    world.clock.now += timedelta(seconds=1)

    await world.usecases.project_contact(
        world.event("users.profile_updated", {"user_id": "u-1", "name": "Bo", "phone": ""})
    )

    assert await world.contacts.get("u-1") == Contact("u-1", email="u-1@example.com", name="Bo")


async def test_a_registration_redelivered_after_a_newer_update_only_adds_the_address(world: World):
    older = registered(world, phone="+14155550123")
    world.clock.now += timedelta(seconds=1)
    newer = world.event("users.profile_updated", {"user_id": "u-1", "name": "Bo", "phone": None})

    await world.usecases.project_contact(newer)
    await world.usecases.project_contact(older)

    assert await world.contacts.get("u-1") == Contact("u-1", email="u-1@example.com", name="Bo")


async def test_profile_updates_apply_in_version_order(world):
    await world.handle(registered(world, phone="+14155550123"))
    newer = world.event("users.profile_updated", {"user_id": "u-1", "name": "Bo", "phone": None})
    older = world.event(
        "users.profile_updated", {"user_id": "u-1", "name": "Old", "phone": "+1"}, minutes=5
    )
    await world.handle(newer)
    await world.handle(older)
    contact = await world.contacts.get("u-1")
    assert contact is not None
    assert (contact.email, contact.name, contact.phone) == ("u-1@example.com", "Bo", None)


@pytest.mark.parametrize(
    ("type_", "payload"),
    [
        ("users.registered", {"user_id": "u-1", "name": "Ann"}),
        ("users.registered", {"user_id": "", "email": "ann@example.com"}),
        ("users.profile_updated", {"name": "no user id"}),
    ],
)
async def test_a_payload_without_a_user_or_an_address_is_invalid_and_records_nothing(
    world: World, type_, payload
):
    with pytest.raises(InvalidPayload):
        await world.usecases.project_contact(world.event(type_, payload))

    assert world.contacts.by_user == {}
