"""The users use cases, wired by the users bootstrap to in-memory fakes of their ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.users.bootstrap import bootstrap
from subgraphs.users.domain.session import Session
from subgraphs.users.usecase import UsersUseCases
from subgraphs.users.usecase.register import Registered, Registration
from testkit.kernel import FakeTime, InMemoryUnitOfWork, SequentialIds
from testkit.user_sessions import (
    RESET_POLICY,
    SESSION_POLICY,
    InMemoryDenyList,
    InMemoryPasswords,
    InMemorySessions,
    Postponed,
)
from testkit.users import CountingThrottle, CountingTokens, InMemoryUsers, ReversingHasher

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "password-1"


@dataclass
class World:
    users: InMemoryUsers
    session_store: InMemorySessions
    password_store: InMemoryPasswords
    uow: InMemoryUnitOfWork
    later: Postponed
    clock: FakeTime
    tokens: CountingTokens
    throttle: CountingThrottle
    usecases: UsersUseCases
    deny_list: InMemoryDenyList

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
    tokens, throttle = CountingTokens(), CountingThrottle(max_failures=3)
    deny_list = InMemoryDenyList()
    usecases = bootstrap(
        users=users,
        sessions=sessions,
        deny_list=deny_list,
        passwords=passwords,
        uow=uow,
        hasher=ReversingHasher(),
        tokens=tokens,
        throttle=throttle,
        reset_throttle=CountingThrottle(3),
        later=later,
        session_policy=SESSION_POLICY,
        reset_policy=RESET_POLICY,
        clock=clock,
        new_id=SequentialIds(),
    )
    return World(
        users, sessions, passwords, uow, later, clock, tokens, throttle, usecases, deny_list
    )


def code(error: pytest.ExceptionInfo[DomainError]) -> str:
    [problem] = error.value.problems
    return problem.code


def codes(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.code, p.field) for p in error.value.problems]


async def refused(world: World, token: str) -> str:
    """The error code refreshing with `token` fails with."""
    with pytest.raises(DomainError) as error:
        await world.usecases.refresh_session(token)
    return code(error)


def reset_events(world: World) -> list[dict[str, str]]:
    return [dict(e.payload) for e in world.uow.events if e.type == "users.password_reset_requested"]


def token_of(link: str) -> str:
    [token] = parse_qs(urlsplit(link).query)["token"]
    return token
