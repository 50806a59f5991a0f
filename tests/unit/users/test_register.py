"""Registering: normalised fields, every invalid one reported, one account per email."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.usecase.register import Registered, Registration
from tests.unit.users.conftest import World, codes, signed_up


async def test_register_normalises_and_stores_the_user(world: World):
    done = signed_up(
        await world.usecases.register(
            Registration(" Ann@Example.COM ", "correct horse", "  Ann   Lee ", "+44 20 7946-0958")
        )
    )

    assert done.user.email == "ann@example.com"
    assert done.user.name == "Ann Lee"
    assert done.user.phone == "+442079460958"
    assert done.user.password_hash != "correct horse"
    assert world.users.by_id[done.user.id] == done.user
    assert world.tokens.issued == [done.user.id]
    event, _verification = world.uow.events
    assert (event.type, event.producer) == ("users.registered", "users")
    assert event.payload == {
        "user_id": done.user.id,
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
    first = await world.usecases.register(Registration("ann@example.com", "password-1", "Ann"))
    assert first.user is not None
    world.uow.events.clear()

    again = await world.usecases.register(
        Registration("ANN@example.com", "password-2", "URGENT: visit http://evil.example")
    )

    assert again == Registered()  # no error, no tokens: nothing says the email is taken
    assert len(world.users.by_id) == 1
    [event] = world.uow.events
    assert event.type == "users.sign_up_attempted"
    # The owner's mail names no one and quotes nothing the registrant chose.
    assert dict(event.payload) == {"user_id": first.user.id, "email": "ann@example.com"}


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
