"""The session and password use cases against in-memory fakes of their ports."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.bootstrap import bootstrap
from subgraphs.users.domain.passwords import reset_link
from subgraphs.users.domain.session import Revoked, Session, State, token_hash
from subgraphs.users.usecase import UsersUseCases
from subgraphs.users.usecase.register import Registered, Registration
from testkit.kernel import FakeTime, InMemoryUnitOfWork, SequentialIds
from testkit.user_sessions import (
    RESET_POLICY,
    SESSION_POLICY,
    InMemoryPasswords,
    InMemorySessions,
    Postponed,
)
from testkit.users import CountingThrottle, CountingTokens, InMemoryUsers, ReversingHasher

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "password-1"
POLICY = SESSION_POLICY


@dataclass
class World:
    users: InMemoryUsers
    session_store: InMemorySessions
    password_store: InMemoryPasswords
    uow: InMemoryUnitOfWork
    later: Postponed
    clock: FakeTime
    usecases: UsersUseCases

    @property
    def sessions(self) -> dict[str, Session]:
        return self.session_store.by_id

    async def sign_up(self, email: str = "ann@example.com") -> Registered:
        return await self.usecases.register(Registration(email, PASSWORD, "Ann"))

    async def forgot(self, email: str) -> None:
        """Ask for a reset link, then let the work done after answering run."""
        await self.usecases.request_password_reset(email)
        await self.later.drain()


@pytest.fixture
def world() -> World:
    users, clock, uow = InMemoryUsers(), FakeTime(START), InMemoryUnitOfWork("users")
    sessions, passwords, later = InMemorySessions(), InMemoryPasswords(users), Postponed()
    usecases = bootstrap(
        users=users,
        sessions=sessions,
        passwords=passwords,
        uow=uow,
        hasher=ReversingHasher(),
        tokens=CountingTokens(),
        throttle=CountingThrottle(3),
        reset_throttle=CountingThrottle(3),
        later=later,
        session_policy=SESSION_POLICY,
        reset_policy=RESET_POLICY,
        clock=clock,
        new_id=SequentialIds(),
    )
    return World(users, sessions, passwords, uow, later, clock, usecases)


def code(error: pytest.ExceptionInfo[DomainError]) -> str:
    [problem] = error.value.problems
    return problem.code


async def refused(world: World, token: str) -> str:
    with pytest.raises(DomainError) as error:
        await world.usecases.refresh_session(token)
    return code(error)


# ------------------------------------------------------------------ the session rules


def test_a_session_ends_at_its_absolute_end_or_when_idle():
    session = Session.start("s", "u", "h", START, POLICY)
    assert session.expires_at == START + timedelta(days=7)
    assert session.state(START + timedelta(hours=23)) is State.ACTIVE
    assert session.state(START + timedelta(hours=24)) is State.EXPIRED

    # Used every 23 hours it lives on, but never beyond its absolute end.
    for day in range(1, 8):
        session = session.rotated(f"h{day}", START + timedelta(hours=23 * day), POLICY)
    assert session.idle_expires_at == session.expires_at
    assert session.state(START + timedelta(days=7) - timedelta(seconds=1)) is State.ACTIVE
    assert session.state(START + timedelta(days=7)) is State.EXPIRED


def test_a_reset_link_adds_the_token_to_the_page_address():
    assert reset_link("https://shop.example/reset", "a+b/c") == (
        "https://shop.example/reset?token=a%2Bb%2Fc"
    )
    assert reset_link("https://shop.example/r?lang=de", "t") == (
        "https://shop.example/r?lang=de&token=t"
    )


def test_tokens_are_stored_as_sha256():
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# ------------------------------------------------------------------ sign-in and refresh


async def test_sign_up_and_login_each_start_a_session(world):
    registered = await world.sign_up()
    signed_in = await world.usecases.log_in("ann@example.com", PASSWORD)

    assert registered.session.session_id != signed_in.session.session_id
    assert registered.session.expires_at == START + timedelta(days=7)
    assert signed_in.access_token.token.endswith(f"-in-{signed_in.session.session_id}")
    stored = world.sessions[registered.session.session_id]
    assert stored.token_hash == token_hash(registered.session.refresh_token)
    assert registered.session.refresh_token not in str(world.sessions)


async def test_refresh_rotates_the_token_and_keeps_the_absolute_end(world):
    registered = await world.sign_up()
    world.clock.now += timedelta(hours=1)

    refreshed = await world.usecases.refresh_session(registered.session.refresh_token)

    assert refreshed.user.id == registered.user.id
    assert refreshed.session.session_id == registered.session.session_id
    assert refreshed.session.refresh_token != registered.session.refresh_token
    assert refreshed.session.expires_at == registered.session.expires_at
    session = world.sessions[refreshed.session.session_id]
    assert session.idle_expires_at == world.clock.now + timedelta(hours=24)


async def test_a_spent_token_revokes_the_session_and_its_newest_token(world):
    registered = await world.sign_up()
    first = registered.session.refresh_token
    second = (await world.usecases.refresh_session(first)).session.refresh_token

    assert await refused(world, first) == "SESSION_REVOKED"
    assert await refused(world, second) == "SESSION_REVOKED"
    session = world.sessions[registered.session.session_id]
    assert session.revoked_reason is Revoked.TOKEN_REUSED


async def test_concurrent_refreshes_one_wins_the_other_is_reuse(world):
    token = (await world.sign_up()).session.refresh_token
    refresh = world.usecases.refresh_session

    results = await asyncio.gather(refresh(token), refresh(token), return_exceptions=True)

    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == len(losers) == 1
    assert losers[0].problems[0].code == "SESSION_REVOKED"
    assert await refused(world, winners[0].session.refresh_token) == "SESSION_REVOKED"


async def test_losing_the_rotation_race_counts_as_reuse(world):
    """The session changed between reading it and rotating it (another refresh won)."""
    token = (await world.sign_up()).session.refresh_token
    sessions = world.session_store
    read = sessions.by_token

    async def read_then_lose_the_race(token_hash: str) -> Session | None:
        session = await read(token_hash)
        assert session is not None
        await sessions.rotate(session.rotated("elsewhere", world.clock(), POLICY), token_hash)
        return session

    sessions.by_token = read_then_lose_the_race
    assert await refused(world, token) == "SESSION_REVOKED"
    sessions.by_token = read
    [session] = world.sessions.values()
    assert session.revoked_reason is Revoked.TOKEN_REUSED


async def test_an_idle_session_expires_and_so_does_an_old_one(world):
    idle = (await world.sign_up()).session.refresh_token
    world.clock.now += timedelta(hours=24)
    assert await refused(world, idle) == "SESSION_EXPIRED"

    token = (await world.usecases.log_in("ann@example.com", PASSWORD)).session.refresh_token
    for _ in range(7):
        world.clock.now += timedelta(hours=23)
        token = (await world.usecases.refresh_session(token)).session.refresh_token
    world.clock.now += timedelta(hours=23)  # 8 * 23 h > 7 days
    assert await refused(world, token) == "SESSION_EXPIRED"


@pytest.mark.parametrize("token", ["", "unknown-token", "x" * 200])
async def test_an_unknown_token_is_invalid(world, token):
    await world.sign_up()
    assert await refused(world, token) == "INVALID_REFRESH_TOKEN"


# ------------------------------------------------------------------ sign out


async def test_logout_ends_only_that_session_and_is_idempotent(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)

    await world.usecases.log_out(registered.session.refresh_token)
    await world.usecases.log_out(registered.session.refresh_token)
    await world.usecases.log_out("never-issued")

    assert await refused(world, registered.session.refresh_token) == "SESSION_REVOKED"
    await world.usecases.refresh_session(other.session.refresh_token)


async def test_logout_everywhere_counts_the_live_sessions_it_ends(world):
    registered = await world.sign_up()
    await world.usecases.log_in("ann@example.com", PASSWORD)
    ended = await world.usecases.log_in("ann@example.com", PASSWORD)
    await world.usecases.log_out(ended.session.refresh_token)
    bob = await world.sign_up("bob@example.com")

    assert await world.usecases.log_out_everywhere(registered.user.id) == 2
    assert await world.usecases.log_out_everywhere(registered.user.id) == 0
    assert await refused(world, registered.session.refresh_token) == "SESSION_REVOKED"
    await world.usecases.refresh_session(bob.session.refresh_token)  # not Bob's


# ------------------------------------------------------------------ change password


async def test_change_password_keeps_the_callers_session_only(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)
    me = registered.session.session_id

    await world.usecases.change_password(registered.user.id, me, PASSWORD, "new-password")

    assert (world.uow.events[-1].type, world.uow.events[-1].payload) == (
        "users.password_changed",
        {"user_id": registered.user.id, "how": "change"},
    )

    await world.usecases.refresh_session(registered.session.refresh_token)
    assert await refused(world, other.session.refresh_token) == "SESSION_REVOKED"
    assert world.sessions[other.session.session_id].revoked_reason is Revoked.PASSWORD_CHANGED
    await world.usecases.log_in("ann@example.com", "new-password")


@pytest.mark.parametrize(
    ("current", "new", "expected"),
    [
        ("wrong-password", "new-password", ("WRONG_PASSWORD", ("currentPassword",))),
        (PASSWORD, "short", ("WEAK_PASSWORD", ("newPassword",))),
        (PASSWORD, "x" * 129, ("WEAK_PASSWORD", ("newPassword",))),
    ],
)
async def test_change_password_refusals_change_nothing(world, current, new, expected):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)
    before = world.users.by_id[registered.user.id]

    with pytest.raises(DomainError) as error:
        await world.usecases.change_password(registered.user.id, None, current, new)

    assert [(p.code, p.field) for p in error.value.problems] == [expected]
    assert world.users.by_id[registered.user.id] == before
    assert [e.type for e in world.uow.events] == ["users.registered"]
    await world.usecases.refresh_session(other.session.refresh_token)


async def test_wrong_current_passwords_count_towards_the_sign_in_limit(world):
    registered = await world.sign_up()
    for _ in range(3):
        with pytest.raises(DomainError):
            await world.usecases.change_password(registered.user.id, None, "wrong-1", "new-pass")

    with pytest.raises(DomainError) as error:
        await world.usecases.change_password(registered.user.id, None, PASSWORD, "new-pass")
    assert code(error) == "RATE_LIMITED"


async def test_a_password_changed_meanwhile_is_not_overwritten(world):
    """The hash checked is stale: our write is refused, sessions stay (nothing half-done)."""
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)
    change = world.usecases.change_password
    passwords = world.password_store
    write = passwords.set_password

    async def someone_else_first(user_id, password_hash, now, *, expected=None):
        await write(user_id, "rev$rehto", now)
        return await write(user_id, password_hash, now, expected=expected)

    passwords.set_password = someone_else_first
    with pytest.raises(DomainError) as error:
        await change(registered.user.id, None, PASSWORD, "new-password")
    passwords.set_password = write

    assert code(error) == "WRONG_PASSWORD"
    assert world.users.by_id[registered.user.id].password_hash == "rev$rehto"  # theirs stands
    await world.usecases.refresh_session(other.session.refresh_token)


# ------------------------------------------------------------------ password reset


def reset_events(world: World) -> list[dict[str, str]]:
    return [dict(e.payload) for e in world.uow.events if e.type == "users.password_reset_requested"]


def token_of(link: str) -> str:
    [token] = parse_qs(urlsplit(link).query)["token"]
    return token


async def test_a_reset_request_emits_the_link_only_for_a_known_email(world):
    registered = await world.sign_up()

    await world.forgot(" ANN@example.com ")
    await world.forgot("nobody@example.com")

    [payload] = reset_events(world)
    assert payload == {
        "user_id": registered.user.id,
        "email": "ann@example.com",
        "name": "Ann",
        "reset_url": payload["reset_url"],
        "expires_at": (START + timedelta(minutes=30)).isoformat(),
    }
    assert payload["reset_url"].startswith("http://localhost:3000/reset-password?token=")
    assert len(token_of(payload["reset_url"])) == 43


async def test_a_reset_request_answers_before_looking_the_email_up(world):
    """Known or not, the answer is given before any lookup or write (so in the same time)."""
    await world.sign_up()

    for email in ("ann@example.com", "nobody@example.com"):
        assert await world.usecases.request_password_reset(email) is None
    assert reset_events(world) == []
    assert [what for what, _ in world.later.waiting] == ["password reset request"] * 2

    await world.later.drain()
    assert len(reset_events(world)) == 1


async def test_reset_requests_over_the_limit_are_answered_alike_and_send_nothing(world):
    await world.sign_up()
    for _ in range(5):
        assert await world.usecases.request_password_reset("ann@example.com") is None
    await world.later.drain()
    assert len(reset_events(world)) == 3


async def test_a_malformed_email_is_a_user_error(world):
    with pytest.raises(DomainError) as error:
        await world.forgot("not an email")
    assert code(error) == "INVALID_EMAIL"


async def test_reset_password_works_once_and_ends_every_session(world):
    registered = await world.sign_up()
    other = await world.usecases.log_in("ann@example.com", PASSWORD)
    await world.forgot("ann@example.com")
    await world.forgot("ann@example.com")
    first, second = (token_of(p["reset_url"]) for p in reset_events(world))

    await world.usecases.reset_password(second, "brand-new-1")

    assert (world.uow.events[-1].type, world.uow.events[-1].payload) == (
        "users.password_changed",
        {"user_id": registered.user.id, "how": "reset"},
    )

    for token in (second, first):  # used; and the other outstanding link is void too
        with pytest.raises(DomainError) as error:
            await world.usecases.reset_password(token, "brand-new-2")
        assert code(error) == "INVALID_RESET_TOKEN"
    for session in (registered.session, other.session):
        assert await refused(world, session.refresh_token) == "SESSION_REVOKED"
    await world.usecases.log_in("ann@example.com", "brand-new-1")


async def test_a_reset_link_expires_after_thirty_minutes(world):
    await world.sign_up()
    await world.forgot("ann@example.com")
    [payload] = reset_events(world)
    world.clock.now += timedelta(minutes=30)

    with pytest.raises(DomainError) as error:
        await world.usecases.reset_password(token_of(payload["reset_url"]), "brand-new-1")
    assert code(error) == "INVALID_RESET_TOKEN"
    await world.usecases.log_in("ann@example.com", PASSWORD)


async def test_a_weak_new_password_does_not_spend_the_link(world):
    await world.sign_up()
    await world.forgot("ann@example.com")
    token = token_of(reset_events(world)[0]["reset_url"])

    with pytest.raises(DomainError) as error:
        await world.usecases.reset_password(token, "short")
    assert [(p.code, p.field) for p in error.value.problems] == [
        ("WEAK_PASSWORD", ("newPassword",))
    ]
    await world.usecases.reset_password(token, "brand-new-1")
