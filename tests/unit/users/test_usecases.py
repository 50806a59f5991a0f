"""The users use cases, wired by the users bootstrap to in-memory fakes of their ports."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.bootstrap import bootstrap
from subgraphs.users.usecase import UsersUseCases
from subgraphs.users.usecase.register import Registration
from subgraphs.users.usecase.update_profile import ProfileChanges
from testkit.kernel import InMemoryUnitOfWork, SequentialIds, SteppingClock
from testkit.user_sessions import (
    RESET_POLICY,
    SESSION_POLICY,
    InMemoryPasswords,
    InMemorySessions,
    Postponed,
)
from testkit.users import CountingThrottle, CountingTokens, InMemoryUsers, ReversingHasher


@pytest.fixture
def users() -> InMemoryUsers:
    return InMemoryUsers()


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork("users")


@pytest.fixture
def tokens() -> CountingTokens:
    return CountingTokens()


@pytest.fixture
def throttle() -> CountingThrottle:
    return CountingThrottle(max_failures=3)


@pytest.fixture
def usecases(users, uow, tokens, throttle) -> UsersUseCases:
    return bootstrap(
        users=users,
        sessions=InMemorySessions(),
        passwords=InMemoryPasswords(users),
        uow=uow,
        hasher=ReversingHasher(),
        tokens=tokens,
        throttle=throttle,
        reset_throttle=CountingThrottle(),
        later=Postponed(),
        session_policy=SESSION_POLICY,
        reset_policy=RESET_POLICY,
        clock=SteppingClock(),
        new_id=SequentialIds("user"),
    )


@pytest.fixture
def register(usecases):
    return usecases.register


@pytest.fixture
def log_in(usecases):
    return usecases.log_in


@pytest.fixture
def update(usecases):
    return usecases.update_profile


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.code, p.field) for p in error.value.problems]


async def test_register_normalises_and_stores_the_user(register, users, uow, tokens):
    done = await register(
        Registration(" Ann@Example.COM ", "correct horse", "  Ann   Lee ", "+44 20 7946-0958")
    )

    assert done.user.email == "ann@example.com"
    assert done.user.name == "Ann Lee"
    assert done.user.phone == "+442079460958"
    assert done.user.password_hash != "correct horse"
    assert users.by_id[done.user.id] == done.user
    assert tokens.issued == [done.user.id]
    [event] = uow.events
    assert (event.type, event.producer) == ("users.registered", "users")
    assert event.payload == {
        "user_id": done.user.id,
        "email": "ann@example.com",
        "name": "Ann Lee",
        "phone": "+442079460958",
    }


async def test_register_reports_every_invalid_field_and_stores_nothing(register, users, uow):
    with pytest.raises(DomainError) as error:
        await register(Registration("not-an-email", "short", "   ", "12345"))

    assert codes(error) == [
        ("INVALID_EMAIL", ("email",)),
        ("PASSWORD_TOO_SHORT", ("password",)),
        ("NAME_REQUIRED", ("name",)),
        ("INVALID_PHONE", ("phone",)),
    ]
    assert users.by_id == {}
    assert uow.events == []


async def test_register_refuses_a_taken_email_whatever_its_case(register, users):
    await register(Registration("ann@example.com", "password-1", "Ann"))

    with pytest.raises(DomainError) as error:
        await register(Registration("ANN@example.com", "password-2", "Other Ann"))

    assert codes(error) == [("EMAIL_TAKEN", ("email",))]
    assert len(users.by_id) == 1


@pytest.mark.parametrize(
    ("name", "password", "code"),
    [
        ("x" * 1_000_000, "password-1", "NAME_TOO_LONG"),
        ("Ann", "p" * 129, "PASSWORD_TOO_LONG"),
    ],
)
async def test_register_refuses_oversized_fields(register, users, name, password, code):
    with pytest.raises(DomainError) as error:
        await register(Registration("ann@example.com", password, name))

    assert [p.code for p in error.value.problems] == [code]
    assert users.by_id == {}


async def test_login_succeeds_with_the_right_password_in_any_email_case(register, log_in, tokens):
    done = await register(Registration("ann@example.com", "password-1", "Ann"))

    signed_in = await log_in("ANN@EXAMPLE.com", "password-1")

    assert signed_in.user.id == done.user.id
    assert (
        signed_in.access_token.token
        == f"token-for-{done.user.id}-in-{signed_in.session.session_id}"
    )


async def test_login_fails_alike_for_wrong_password_and_unknown_email(register, log_in, tokens):
    await register(Registration("ann@example.com", "password-1", "Ann"))

    with pytest.raises(DomainError) as wrong_password:
        await log_in("ann@example.com", "password-2")
    with pytest.raises(DomainError) as unknown_email:
        await log_in("bob@example.com", "password-1")

    assert wrong_password.value.problems == unknown_email.value.problems
    assert codes(wrong_password) == [("INVALID_CREDENTIALS", ())]


async def test_update_profile_changes_only_what_is_given(register, update, uow):
    done = await register(Registration("ann@example.com", "password-1", "Ann", "+14155550123"))

    renamed = await update(done.user.id, ProfileChanges(name="Ann B"))
    assert (renamed.name, renamed.phone) == ("Ann B", "+14155550123")

    cleared = await update(done.user.id, ProfileChanges(phone=None, set_phone=True))
    assert (cleared.name, cleared.phone) == ("Ann B", None)
    assert [(e.type, e.payload) for e in uow.events[1:]] == [
        (
            "users.profile_updated",
            {"user_id": done.user.id, "name": "Ann B", "phone": "+14155550123"},
        ),
        ("users.profile_updated", {"user_id": done.user.id, "name": "Ann B", "phone": None}),
    ]


async def test_update_profile_rejects_invalid_values_and_keeps_the_old_ones(
    register, update, users
):
    done = await register(Registration("ann@example.com", "password-1", "Ann"))

    with pytest.raises(DomainError) as error:
        await update(done.user.id, ProfileChanges(name="", phone="call me", set_phone=True))

    assert codes(error) == [("NAME_REQUIRED", ("name",)), ("INVALID_PHONE", ("phone",))]
    assert users.by_id[done.user.id] == done.user


async def test_login_is_refused_for_a_while_after_too_many_failures(register, log_in, throttle):
    await register(Registration("ann@example.com", "password-1", "Ann"))

    for _ in range(3):
        with pytest.raises(DomainError):
            await log_in("ann@example.com", "wrong-password")
    with pytest.raises(DomainError) as refused:
        await log_in("ANN@example.com", "password-1")  # even the right password

    assert codes(refused) == [("RATE_LIMITED", ())]
    throttle.attempts.clear()  # the window passed
    assert (await log_in("ann@example.com", "password-1")).user.email == "ann@example.com"


async def test_a_successful_login_resets_the_failure_count(register, log_in, throttle):
    await register(Registration("ann@example.com", "password-1", "Ann"))
    with pytest.raises(DomainError):
        await log_in("ann@example.com", "wrong-password")

    await log_in("ann@example.com", "password-1")

    assert throttle.attempts == {}
