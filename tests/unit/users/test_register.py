"""Registering: normalised fields, every invalid one reported, one account per email."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.usecase.register import Registration
from tests.unit.users.conftest import World, codes


async def test_register_normalises_and_stores_the_user_without_signing_in(world: World):
    await world.usecases.register(
        Registration(" Ann@Example.COM ", "correct horse", "  Ann   Lee ", "+44 20 7946-0958")
    )

    [user] = world.users.by_id.values()
    assert user.email == "ann@example.com"
    assert user.name == "Ann Lee"
    assert user.phone == "+442079460958"
    assert user.password_hash != "correct horse"
    assert world.tokens.issued == []  # no session: the caller signs in next
    assert world.sessions == {}
    event, _verification = world.uow.events
    assert (event.type, event.producer) == ("users.registered", "users")
    assert event.payload == {
        "user_id": user.id,
        "email": "ann@example.com",
        "name": "Ann Lee",
        "phone": "+442079460958",
    }


async def test_register_reports_every_invalid_field_and_stores_nothing(world: World):
    with pytest.raises(DomainError) as error:
        await world.usecases.register(Registration("not-an-email", "short", "   ", "12345"))

    assert codes(error) == [
        ("INVALID_EMAIL", ("email",)),
        ("PASSWORD_TOO_SHORT", ("password",)),
        ("NAME_REQUIRED", ("name",)),
        ("INVALID_PHONE", ("phone",)),
    ]
    assert world.users.by_id == {}
    assert world.uow.events == []


async def test_a_taken_email_answers_like_a_free_one_and_tells_its_owner(world: World):
    # Registering answers nothing (no error, no tokens) whether the email is free or taken.
    await world.usecases.register(Registration("ann@example.com", "password-1", "Ann"))
    [owner] = world.users.by_id.values()
    world.uow.events.clear()

    await world.usecases.register(
        Registration("ANN@example.com", "password-2", "URGENT: visit http://evil.example")
    )

    assert world.tokens.issued == []
    assert list(world.users.by_id.values()) == [owner]
    [event] = world.uow.events
    assert event.type == "users.sign_up_attempted"
    # The owner's mail names no one and quotes nothing the registrant chose.
    assert dict(event.payload) == {"user_id": owner.id, "email": "ann@example.com"}


@pytest.mark.parametrize(
    ("name", "password", "code"),
    [
        ("x" * 1_000_000, "password-1", "NAME_TOO_LONG"),
        ("Ann", "p" * 129, "PASSWORD_TOO_LONG"),
    ],
)
async def test_register_refuses_oversized_fields(world: World, name, password, code):
    with pytest.raises(DomainError) as error:
        await world.usecases.register(Registration("ann@example.com", password, name))

    assert [p.code for p in error.value.problems] == [code]
    assert world.users.by_id == {}
